package stimuli

import (
	"fmt"
	"image"
	"testing"
)

// TestPrepareBaseMatchesRcicr: face.png (RGB) → rcicr's grey, stretched base.
func TestPrepareBaseMatchesRcicr(t *testing.T) {
	want := readFloatGrid(t, fixturePath("sinusoid", "base.csv"), fixtureSize, fixtureSize)
	got, err := PrepareBase(readPNG(t, fixturePath("face.png")), fixtureSize, true)
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(t, got, want)
	exact := 0
	for i := range got {
		if got[i] == want[i] {
			exact++
		}
	}
	t.Logf("max |Go − rcicr| = %.3g, %d of %d values bit-identical", d, exact, len(got))
	// Same operations on the same doubles (mean3 is R's correctly rounded
	// mean): the base is rcicr's to the last bit, not just to 1e-12.
	if exact != len(got) {
		t.Fatalf("%d values differ (max abs diff %.3g)", len(got)-exact, d)
	}
}

// TestRenderPairMatchesRcicr: rcicr's parameters and base → rcicr's PNGs.
func TestRenderPairMatchesRcicr(t *testing.T) {
	for _, nt := range fixtureTypes {
		base := readFloatGrid(t, fixturePath(nt.String(), "base.csv"), fixtureSize, fixtureSize)
		b := fixtureBasis(t, nt)
		params := fixtureParams(t, nt)
		noise := make([]float64, fixtureSize*fixtureSize)
		for trial := 1; trial <= fixtureTrials; trial++ {
			t.Run(fmt.Sprintf("%s/trial%d", nt, trial), func(t *testing.T) {
				if err := b.Noise(params[(trial-1)*b.NParams():trial*b.NParams()], noise); err != nil {
					t.Fatal(err)
				}
				ori, inv, err := RenderPair(base, noise, fixtureSize)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					side string
					got  *image.Gray
				}{{"ori", ori}, {"inv", inv}} {
					name := fixturePath(nt.String(), fmt.Sprintf("rc_base_7_%05d_%s.png", trial, c.side))
					maxd, exact := compareGrey(t, c.got, readPNG(t, name))
					t.Logf("%s: max difference %d grey levels, %.2f%% of pixels exact", c.side, maxd, 100*exact)
					if maxd > 1 {
						t.Errorf("%s: max difference %d grey levels > 1", c.side, maxd)
					}
				}
			})
		}
	}
}

// compareGrey returns the largest |a − b| in grey levels and the share of
// equal pixels; b must be an 8-bit grey image of a's size.
func compareGrey(t *testing.T, a *image.Gray, b image.Image) (maxd int, exact float64) {
	t.Helper()
	g, ok := b.(*image.Gray)
	if !ok || g.Rect != a.Rect {
		t.Fatalf("want an 8-bit grey image of %v, got %T %v", a.Rect, b, b.Bounds())
	}
	n := 0
	for i, v := range a.Pix {
		d := int(v) - int(g.Pix[i])
		maxd = max(maxd, d, -d)
		if d == 0 {
			n++
		}
	}
	return maxd, float64(n) / float64(len(a.Pix))
}

// TestRenderPairClips: over bases from black to white and noise far beyond
// ±0.3, every level is png::writePNG's (unsigned char)(v·255 + 0.5) of the
// stimulus value v inside [0, 1], 0 below it and 255 above it (where
// png::writePNG would wrap around), and ori and inv mirror each other.
func TestRenderPairClips(t *testing.T) {
	const size = 64
	base := make([]float64, size*size)
	noise := make([]float64, size*size)
	for y := range size {
		for x := range size {
			base[y*size+x] = float64(y) / (size - 1)    // black … white
			noise[y*size+x] = 2*float64(x)/(size-1) - 1 // −1 … 1
		}
	}
	ori, inv, err := RenderPair(base, noise, size)
	if err != nil {
		t.Fatal(err)
	}
	level := func(v float64) uint8 {
		switch {
		case v < 0:
			return 0
		case v > 1:
			return 255
		}
		return uint8(v*255 + 0.5)
	}
	clipped := 0
	for i := range noise {
		vo := ((noise[i]+0.3)/0.6 + base[i]) / 2
		vi := ((-noise[i]+0.3)/0.6 + base[i]) / 2
		if ori.Pix[i] != level(vo) || inv.Pix[i] != level(vi) {
			t.Fatalf("pixel %d: ori %d inv %d for v %g, %g", i, ori.Pix[i], inv.Pix[i], vo, vi)
		}
		if vo > 1 || vo < 0 {
			clipped++
		}
		// inv of pixel (x, y) is ori of (63−x, y): the noise there is −noise.
		if y, x := i/size, i%size; inv.Pix[i] != ori.Pix[y*size+size-1-x] {
			t.Fatalf("pixel %d: inv %d is not the mirrored ori %d", i, inv.Pix[i], ori.Pix[y*size+size-1-x])
		}
	}
	t.Logf("%d of %d ori values outside [0, 1]", clipped, len(noise))
	if clipped == 0 {
		t.Fatal("the sweep never left [0, 1]")
	}
}
