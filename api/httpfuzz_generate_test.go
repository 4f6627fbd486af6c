package api_test

import (
	"bytes"
	"fmt"
	"image"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// Bases the fuzzer sends: most of them good, so that packs get made.
var (
	fuzzFace   = testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	fuzzBases  = [][]byte{fuzzFace, fuzzFace, fuzzFace, testkit.Encode(testkit.BaseImage(64), testkit.JPEG), testkit.Encode(testkit.BaseImage(80), testkit.PNG)}
	fuzzBroken = [][]byte{[]byte("GIF89a"), {}, fuzzFace[:len(fuzzFace)/2], testkit.Encode(image.NewGray(image.Rect(0, 0, 64, 40)), testkit.PNG),
		testkit.Encode(image.NewGray(image.Rect(0, 0, 64, 64)), testkit.PNG)}
)

// generateRequest is a generate request (or a preview): fields and base
// mutated, the body sometimes damaged. Sizes stay small (64 to 128) so
// that the packs it makes are quick.
func (g *gen) generateRequest(u string) *http.Request {
	var b bytes.Buffer
	boundary := "fuzzgen" + strconv.Itoa(g.r.IntN(1000))
	name := "gz" + strconv.Itoa(g.r.IntN(200))
	if g.r.IntN(3) == 0 {
		name = g.pick([]string{"../x", "A", "가", "", "gz\x00", "female20s"})
	}
	age := g.r.IntN(60) + 30
	fields := [][2]string{{"pack_name", name}, {"sex", g.pick([]string{"1", "2", "3", ""})},
		{"age_min", strconv.Itoa(age)}, {"age_max", strconv.Itoa(age + g.r.IntN(3))}}
	maybe := func(key string, values ...string) {
		if g.r.IntN(3) == 0 {
			fields = append(fields, [2]string{key, g.pick(values)})
		}
	}
	maybe("trials", "3", "3", "0", "4", "-1", "2001", "1e3", "", "３")
	maybe("img_size", "64", "128", "", "72", "32", "63", "65536", "-64", "0x40")
	maybe("noise", "sinusoid", "gabor", "", "Gabor", "perlin")
	maybe("nscales", "1", "3", "5", "7", "0", "8", "", "5.0")
	maybe("sigma", "25", "0.5", "0", "-1", "NaN", "Inf", "1e309", "x")
	maybe("seed", "0", "-1", "9223372036854775807", "9223372036854775808", "1.5", "", "0x10")
	maybe("maximize_contrast", "1", "0", "true", "false", "yes", "")
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f[0], f[1])
	}
	for range g.pick2(1, 1, 1, 0, 2) {
		base := g.pickBytes(fuzzBases)
		if g.r.IntN(4) == 0 {
			base = g.pickBytes(fuzzBroken)
		}
		fname := g.pick([]string{"face.png", "face.jpg", "dir/face.png", "", "../../etc/passwd", "x\x00.png"})
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"base\"; filename=%q\r\n\r\n", boundary, fname)
		b.Write(base)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	body := b.Bytes()
	if g.r.IntN(6) == 0 {
		body = g.damage(body)
	}
	query := g.pick([]string{"", "", "", "?preview=1", "?preview=1", "?preview=0", "?preview=yes"})
	req, _ := http.NewRequest(http.MethodPost, u+query, bytes.NewReader(body))
	req.Header.Set("Content-Type", g.pick([]string{"multipart/form-data; boundary=" + boundary, "multipart/form-data; boundary=" + boundary,
		"multipart/form-data; boundary=" + boundary, "multipart/form-data", "application/json", ""}))
	if g.r.IntN(10) == 0 {
		req.Header.Set("Origin", "http://evil.example")
	}
	return req
}

// pick2 is one of the counts.
func (g *gen) pick2(ns ...int) int { return ns[g.r.IntN(len(ns))] }

func (g *gen) pickBytes(xs [][]byte) []byte { return xs[g.r.IntN(len(xs))] }

// withoutStimuli is a pack folder's files without the stimuli files, which
// a generated pack has all three of and a pack of images none; the
// generated pack's must read back.
func withoutStimuli(t *testing.T, e *env, pack string, files []string) []string {
	t.Helper()
	kept := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return slices.Contains(packs.StimuliFiles, f) })
	switch len(files) - len(kept) {
	case 0:
	case len(packs.StimuliFiles):
		if _, err := e.library(t, e.Pairs).ReadStimuli(pack); err != nil {
			t.Errorf("pack %s: %v", pack, err)
		}
	default:
		t.Errorf("pack %s holds only some stimuli files: %v", pack, files)
	}
	return kept
}
