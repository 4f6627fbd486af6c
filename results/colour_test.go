package results

import (
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// A colour JPEG pack counts by luminance: its CIs equal its grey PNG twin's
// within rounding. A twin's pixel differs by the colour's 8-bit RGB rounding
// and the JPEG's (quality 100) compression: at most maxLevels grey levels,
// so a trial's c by at most 2·maxLevels·0.6/255, and a CI averages those
// errors over its trials. Bound asserted: correlation ≥ 0.999 and max |Δ| ≤
// 0.6/255 per pixel (one rounding step of c; measured about a quarter of it).
func TestColourJPEGTwin(t *testing.T) {
	const size, npairs = 48, 80
	o := testkit.RCOptions{Size: size, Pairs: npairs, Seed: 5}
	pack, grey := writePack(t, o)
	o.ColourJPEG = true
	_, colour := writePack(t, o)
	gs, cs := computeOpen(t, grey, testSeed), computeOpen(t, colour, testSeed)

	const maxLevels = 2
	for i := range grey {
		for _, f := range [][2]string{{grey[i].Ori, colour[i].Ori}, {grey[i].Inv, colour[i].Inv}} {
			g, c := decodeFile(t, f[0]), decodeFile(t, f[1])
			for p := range g.pix {
				if d := int(g.pix[p]) - int(c.pix[p]); d > maxLevels || d < -maxLevels {
					t.Fatalf("%s vs its colour twin: pixel %d differs by %d grey levels", f[0], p, d)
				}
			}
		}
	}

	withTimeouts := testkit.RandomObserver(npairs, 3)
	for p := 0; p < npairs; p += 9 {
		withTimeouts[p] = 0
	}
	for _, tc := range []struct {
		name string
		resp []int8
	}{
		{"template observer", testkit.TemplateObserver(pack.Noise, testkit.Template(size), 1, 1)},
		{"random observer with timeouts", withTimeouts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, c := replyCI(t, gs, trialsOf(tc.resp)), replyCI(t, cs, trialsOf(tc.resp))
			r, d := testkit.Correlation(g.Pix, c.Pix), maxAbsDiff(g.Pix, c.Pix)
			t.Logf("colour vs grey: r = %.6f, max |Δ| = %.3g (%.2f × 0.6/255)", r, d, d/(0.6/255))
			if r < 0.999 || d > 0.6/255 {
				t.Errorf("colour twin's CI: r = %.6f (want ≥ 0.999), max |Δ| %.3g (want ≤ 0.6/255)", r, d)
			}
		})
	}
	if d := maxAbsDiff(gs.Base(), cs.Base()); d > 2.0/255 {
		t.Errorf("base faces differ by %.3g, want ≤ 2/255", d)
	}
}

func decodeFile(t *testing.T, path string) grey {
	t.Helper()
	g, err := decodeGrey(path, DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
