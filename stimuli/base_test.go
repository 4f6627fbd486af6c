package stimuli

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"
)

// upscale2 is img at twice the resolution, each pixel a 2×2 block: the same
// picture, so that resampling it back must give nearly the original.
func upscale2(img image.Image) *image.NRGBA {
	r := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, 2*r.Dx(), 2*r.Dy()))
	for y := 0; y < 2*r.Dy(); y++ {
		for x := 0; x < 2*r.Dx(); x++ {
			out.Set(x, y, img.At(r.Min.X+x/2, r.Min.Y+y/2))
		}
	}
	return out
}

// diffStats is the largest and the root-mean-square difference.
func diffStats(a, b []float64) (maxd, rms float64) {
	for i := range a {
		d := a[i] - b[i]
		maxd = max(maxd, math.Abs(d))
		rms += d * d
	}
	return maxd, math.Sqrt(rms / float64(len(a)))
}

// TestPrepareBaseResize: a 256-pixel version of the fixture's face (each
// pixel doubled), resized to 128, is close to rcicr's base of the 128-pixel
// face. The kernel blurs edges a little (it is 4 source pixels wide when
// halving), so pixels at the face's sharpest edges differ most. Measured:
// max 0.0020, RMS 0.00047 (half a grey level and an eighth of one); the
// bounds are those rounded up by 2.5×.
func TestPrepareBaseResize(t *testing.T) {
	want := readFloatGrid(t, fixturePath("sinusoid", "base.csv"), fixtureSize, fixtureSize)
	big := upscale2(readPNG(t, fixturePath("face.png")))
	got, err := PrepareBase(big, fixtureSize, true)
	if err != nil {
		t.Fatal(err)
	}
	maxd, rms := diffStats(got, want)
	t.Logf("256 → 128 against rcicr's 128: max |diff| %.4f, RMS %.5f (in [0, 1] grey)", maxd, rms)
	if maxd > 0.005 || rms > 0.0012 {
		t.Fatalf("max %.4f > 0.005 or RMS %.5f > 0.0012", maxd, rms)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range got {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Fatalf("stretched base spans [%g, %g], want [0, 1]", lo, hi)
	}
}

// TestPrepareBaseSameSizeNotResampled: at the right size the grey values go
// through untouched (v/255 for 8-bit grey, without stretching).
func TestPrepareBaseSameSizeNotResampled(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + i/64)
	}
	got, err := PrepareBase(img, 64, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range img.Pix {
		if got[i] != float64(v)/255 {
			t.Fatalf("pixel %d: %g, want %d/255", i, got[i], v)
		}
	}
}

// TestPrepareBaseImageKinds: grey, 16-bit grey, NRGBA, RGBA and a JPEG's
// YCbCr all give the channel mean, stretched.
func TestPrepareBaseImageKinds(t *testing.T) {
	const n = 64
	nrgba := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			nrgba.Set(x, y, color.NRGBA{uint8(4 * x), uint8(4 * y), uint8(2*x + 2*y), 255})
		}
	}
	want := make([]float64, n*n)
	for y := range n {
		for x := range n {
			want[y*n+x] = mean3(float64(4*x)/255, float64(4*y)/255, float64(2*x+2*y)/255)
		}
	}
	if err := stretch(want); err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(nrgba.Rect)
	gray16 := image.NewGray16(nrgba.Rect)
	gray := image.NewGray(nrgba.Rect)
	for y := range n {
		for x := range n {
			rgba.Set(x, y, nrgba.At(x, y))
			v := uint8(math.Round(255 * want[y*n+x]))
			gray.SetGray(x, y, color.Gray{v})
			gray16.SetGray16(x, y, color.Gray16{uint16(v) * 257})
		}
	}
	var jbuf bytes.Buffer
	if err := jpeg.Encode(&jbuf, nrgba, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	jimg, err := jpeg.Decode(&jbuf)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		img  image.Image
		tol  float64
	}{
		{"nrgba", nrgba, 0},
		{"rgba", rgba, 0},
		{"gray8", gray, 0.5 / 255},
		{"gray16", gray16, 0.5 / 255},
		{"jpeg", jimg, 4.0 / 255}, // JPEG is lossy even at quality 100
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := PrepareBase(c.img, n, true)
			if err != nil {
				t.Fatal(err)
			}
			if maxd, _ := diffStats(got, want); maxd > c.tol+1e-15 {
				t.Fatalf("max diff %.3g > %.3g", maxd, c.tol)
			}
		})
	}
}

// TestPrepareBaseRejects: the typed errors.
func TestPrepareBaseRejects(t *testing.T) {
	flat := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range flat.Pix {
		flat.Pix[i] = 77
	}
	cases := []struct {
		name     string
		img      image.Image
		size     int
		maximize bool
		want     error
	}{
		{"not square", image.NewGray(image.Rect(0, 0, 64, 65)), 64, true, ErrNotSquare},
		{"flat, stretched", flat, 64, true, ErrFlatImage},
		{"flat, resized and stretched", flat, 128, true, ErrFlatImage},
		{"size too small", flat, 32, false, ErrImgSize},
		{"size too large", flat, 2048, false, ErrImgSize},
		{"source too large", image.NewGray(image.Rect(0, 0, MaxSourceSize+1, MaxSourceSize+1)), 64, false, ErrImgSize},
		{"nil image", nil, 64, false, ErrShape},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PrepareBase(c.img, c.size, c.maximize)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	_, err := PrepareBase(image.NewGray(image.Rect(0, 0, 64, 65)), 64, true)
	var nse *NotSquareError
	if !errors.As(err, &nse) || nse.Width != 64 || nse.Height != 65 {
		t.Fatalf("got %v, want *NotSquareError{64, 65}", err)
	}
	_, err = PrepareBase(flat, 64, true)
	var fe *FlatImageError
	if !errors.As(err, &fe) || fe.Value != 77.0/255 {
		t.Fatalf("got %v, want *FlatImageError{77/255}", err)
	}
	// Without stretching a flat base is valid, as in rcicr.
	if _, err := PrepareBase(flat, 64, false); err != nil {
		t.Fatalf("flat base without stretching: %v", err)
	}
}

// TestResizeKeepsConstant: resampling a flat image in either direction
// keeps it flat (the weights are normalised).
func TestResizeKeepsConstant(t *testing.T) {
	for _, c := range []struct{ from, to int }{{256, 128}, {100, 64}, {64, 200}, {128, 128}} {
		src := make([]float64, c.from*c.from)
		for i := range src {
			src[i] = 0.3
		}
		for i, v := range resizeCatmullRom(src, c.from, c.to) {
			if math.Abs(v-0.3) > 1e-15 {
				t.Fatalf("%d→%d: pixel %d is %g", c.from, c.to, i, v)
			}
		}
	}
}
