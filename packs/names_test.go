package packs

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/psyx-lab/psyx/model"
)

func TestParseFileName(t *testing.T) {
	tests := []struct {
		name   string
		client string
		ok     bool
		base   string
		pair   int
		side   int
		png    bool
	}{
		{"plain", "x_00001_ori.jpg", true, "x_00001_ori.jpg", 1, model.Ori, false},
		{"folder path", "pack/sub/x_00300_inv.jpeg", true, "x_00300_inv.jpeg", 300, model.Inv, false},
		{"windows path", `C:\pack\x_00002_ori.PNG`, true, "x_00002_ori.PNG", 2, model.Ori, true},
		{"upper jpg", "x_00003_inv.JPG", true, "x_00003_inv.JPG", 3, model.Inv, false},
		{"prefix punctuation", "a.b-c_d_00004_ori.png", true, "a.b-c_d_00004_ori.png", 4, model.Ori, true},
		{"dot dot path", "../../etc/x_00001_ori.jpg", true, "x_00001_ori.jpg", 1, model.Ori, false},
		{"four digits", "x_0001_ori.jpg", false, "", 0, 0, false},
		{"six digits", "x_000001_ori.jpg", false, "", 0, 0, false},
		{"upper side", "x_00001_ORI.jpg", false, "", 0, 0, false},
		{"gif", "x_00001_ori.gif", false, "", 0, 0, false},
		{"no prefix", "_00001_ori.jpg", false, "", 0, 0, false},
		{"space in prefix", "a b_00001_ori.jpg", false, "", 0, 0, false},
		{"hangul prefix", "얼굴_00001_ori.jpg", false, "", 0, 0, false},
		{"hidden", ".x_00001_ori.jpg", false, "", 0, 0, false},
		{"apple double", "._x_00001_ori.jpg", false, "", 0, 0, false},
		{"ds store", ".DS_Store", false, "", 0, 0, false},
		{"thumbs", "Thumbs.db", false, "", 0, 0, false},
		{"trailing slash", "x_00001_ori.jpg/", true, "x_00001_ori.jpg", 1, model.Ori, false},
		{"nul", "x_00001_ori.jpg\x00.sh", false, "", 0, 0, false},
		{"empty", "", false, "", 0, 0, false},
		{"longest kept", strings.Repeat("a", 185) + "_00001_ori.jpg", true, strings.Repeat("a", 185) + "_00001_ori.jpg", 1, model.Ori, false},
		{"too long for the file system", strings.Repeat("a", 5000) + "_00001_ori.jpg", false, "", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fn, ok := ParseFileName(tc.client)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if fn.Base != tc.base || fn.Pair != tc.pair || fn.Side != tc.side || fn.PNG != tc.png {
				t.Fatalf("got %+v", fn)
			}
		})
	}
}

func TestValidPackName(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "female20s": true, "a_b_1": true, "abcdefghijklmno": true,
		"abcdefghijklmnop": false, "": false, "1a": false, "_a": false, "A": false, "a-b": false, "a/b": false, "..": false,
	} {
		if got := ValidPackName(name); got != want {
			t.Errorf("ValidPackName(%q) = %v", name, got)
		}
	}
}

// A name the parser accepts can never leave the pack folder.
func FuzzParseFileName(f *testing.F) {
	for _, s := range []string{"x_00001_ori.jpg", "a/b/x_00002_inv.PNG", `..\..\x_00001_ori.jpeg`, ".DS_Store", "x_00001_ori.jpg/", "/", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fn, ok := ParseFileName(s)
		if !ok {
			return
		}
		if len(fn.Base) > 255 || fn.Base == "" || fn.Base == "." || fn.Base == ".." || strings.ContainsAny(fn.Base, "/\\\x00") || strings.HasPrefix(fn.Base, ".") {
			t.Fatalf("unsafe base %q from %q", fn.Base, s)
		}
		if !utf8.ValidString(fn.Base) || fn.Pair < 0 || (fn.Side != model.Ori && fn.Side != model.Inv) {
			t.Fatalf("bad parse %+v from %q", fn, s)
		}
		if again, ok := ParseFileName(fn.Base); !ok || again != fn {
			t.Fatalf("base %q does not parse to itself", fn.Base)
		}
	})
}
