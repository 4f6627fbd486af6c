package packs

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// Every file of a pack has one prefix and every image one size, read from
// the image's header; formats may mix.
func TestAddRefusesInconsistentPacks(t *testing.T) {
	jpg32 := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.JPEG)
	png32 := testkit.Encode(testkit.Stimulus(1, 1, 32), testkit.PNG)
	png48 := testkit.Encode(testkit.Stimulus(1, 1, 48), testkit.PNG)
	type file struct {
		name string
		data []byte
	}
	tests := []struct {
		name    string
		files   []file
		wantErr *model.Error // nil = accepted
	}{
		{"one prefix, mixed formats", []file{{"a_00001_ori.jpg", jpg32}, {"a_00001_inv.png", png32}}, nil},
		{"two prefixes", []file{{"aaa_00001_ori.png", png32}, {"zzz_00001_inv.jpeg", jpg32}}, model.Fail(model.MixedPrefixes, "aaa", "zzz")},
		{"two sizes", []file{{"a_00001_ori.png", png32}, {"a_00001_inv.png", png48}},
			model.Fail(model.MixedSizes, "a_00001_inv.png", 48, 48, "a_00001_ori.png", 32, 32)},
		{"png bytes named jpg", []file{{"a_00001_ori.jpg", png32}}, model.Fail(model.InvalidImage, "a_00001_ori.jpg")},
		{"jpeg magic, broken header", []file{{"a_00001_ori.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}}}, model.Fail(model.InvalidImage, "a_00001_ori.jpg")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := newLibrary(t, 1)
			u, err := l.NewUpload()
			if err != nil {
				t.Fatal(err)
			}
			defer u.Discard()
			for _, f := range tc.files {
				if _, err = u.Add(f.name, bytes.NewReader(f.data)); err != nil {
					break
				}
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e, ok := err.(*model.Error); !ok || !reflect.DeepEqual(e, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
