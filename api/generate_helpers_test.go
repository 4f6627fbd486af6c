package api_test

// Helpers of the generate and stimuli tests.

import (
	"bytes"
	"image"
	imgpng "image/png"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// fields are a generate request's text fields; a "-" value leaves a
// field out.
type fields map[string]string

// with is f with the given name, value pairs changed.
func (f fields) with(kv ...string) fields {
	out := fields{}
	for k, v := range f {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func (f fields) list() []testkit.Field {
	var out []testkit.Field
	for k, v := range f {
		if v != "-" {
			out = append(out, testkit.Field{Name: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// generate posts a generate request (query: "" or "?preview=1"); a nil
// base sends no base part.
func (e *env) generate(t *testing.T, query string, f fields, baseName string, base []byte) resp {
	t.Helper()
	ct, body := testkit.GenerateBody(t, f.list(), baseName, base)
	req, err := http.NewRequest(http.MethodPost, e.URL+"/api/admin/generate"+query, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return e.do(t, req)
}

// library is a packs.Library on the service's data folder, as the command
// opens one beside the running service.
func (e *env) library(t *testing.T, pairs int) *packs.Library {
	t.Helper()
	l, err := packs.NewLibrary(e.DataDir, pairs, packs.DefaultMaxImagePixels, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// decodePNG decodes PNG bytes.
func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := imgpng.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return img
}

// readGray reads an 8-bit grey PNG file.
func readGray(t *testing.T, path string) *image.Gray {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := decodePNG(t, data).(*image.Gray)
	if !ok {
		t.Fatalf("%s is not an 8-bit grey PNG", filepath.Base(path))
	}
	return g
}

// want is what the stimuli package itself makes of a base image and
// settings: the base as used, the parameters drawn from the seed, and the
// generator of the pairs; the service must have made exactly these.
type want struct {
	base, params []float64
	gen          *stimuli.Generator
}

func wantFor(t *testing.T, img image.Image, s packs.StimuliSettings) want {
	t.Helper()
	nt, err := stimuli.ParseNoiseType(s.Noise)
	if err != nil {
		t.Fatal(err)
	}
	basis, err := stimuli.NewBasis(s.ImgSize, s.NScales, nt, s.Sigma)
	if err != nil {
		t.Fatal(err)
	}
	base, err := stimuli.PrepareBase(img, s.ImgSize, s.MaximizeContrast)
	if err != nil {
		t.Fatal(err)
	}
	params, err := stimuli.DrawParams(s.Seed, s.Trials, basis.NParams())
	if err != nil {
		t.Fatal(err)
	}
	gen, err := stimuli.NewGenerator(basis, base, params, s.Trials)
	if err != nil {
		t.Fatal(err)
	}
	return want{base: base, params: params, gen: gen}
}

// samePix fails unless the two grey images have the same size and pixels.
func samePix(t *testing.T, what string, got, want *image.Gray) {
	t.Helper()
	if got.Bounds().Size() != want.Bounds().Size() {
		t.Fatalf("%s: %v, want %v", what, got.Bounds().Size(), want.Bounds().Size())
	}
	w, h := want.Bounds().Dx(), want.Bounds().Dy()
	for y := range h {
		g := got.Pix[y*got.Stride : y*got.Stride+w]
		x := want.Pix[y*want.Stride : y*want.Stride+w]
		if !bytes.Equal(g, x) {
			t.Fatalf("%s: row %d differs", what, y)
		}
	}
}

// half is the left (0) or right (1) half of a preview.
func half(img image.Image, side int) *image.Gray {
	g := img.(*image.Gray)
	n := g.Bounds().Dy()
	return g.SubImage(image.Rect(side*n, 0, (side+1)*n, n)).(*image.Gray)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
