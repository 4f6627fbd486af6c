package results

import (
	"math"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// Simulated observers on a generated rcicr-style pack: a template observer's
// CI must look like its template and carry a high infoVal; random observers'
// must not, and their infoVals must centre on 0 (the reference is their own
// distribution).
func TestSimulatedObservers(t *testing.T) {
	const size, npairs = 64, 300
	pack, s := openPack(t, testkit.RCOptions{Size: size, Pairs: npairs, Seed: 7})
	template := testkit.Template(size)

	// The stats' CI is the true noise's CI up to 8-bit rounding.
	tmpl := testkit.TemplateObserver(pack.Noise, template, 1, 11)
	tmplCI := replyCI(t, s, trialsOf(tmpl))
	if d := maxAbsDiff(tmplCI.Pix, directCI(pack.Noise, tmpl)); d > 0.6/255 {
		t.Errorf("CI vs true noise: max |Δ| %.3g > 0.6/255", d)
	}
	tmplR := testkit.Correlation(tmplCI.Pix, template)
	tmplIV := infoVal(t, s, trialsOf(tmpl))

	const nRandom = 50
	var maxRandR, sumIV float64
	for i := range nRandom {
		resp := testkit.RandomObserver(npairs, uint64(100+i))
		if i%2 == 1 { // half of them time out on every 7th pair: matched references
			for p := i % 7; p < npairs; p += 7 {
				resp[p] = 0
			}
		}
		ts := trialsOf(resp)
		maxRandR = max(maxRandR, math.Abs(testkit.Correlation(replyCI(t, s, ts).Pix, template)))
		sumIV += infoVal(t, s, ts)
	}
	meanIV := sumIV / nRandom
	t.Logf("template observer: r = %.3f, infoVal %.2f; random: max |r| = %.3f, mean infoVal %.3f",
		tmplR, tmplIV, maxRandR, meanIV)

	// A random observer's CI is pure noise, but smooth noise: |r| with the
	// template reaches 0.23 over 50 of them (measured over 12 packs and
	// observers), while a template observer's reaches 0.50–0.53 with 300
	// trials. 0.35 separates them with a margin either side.
	const rBound = 0.35
	if tmplR < rBound {
		t.Errorf("template observer's CI correlates %.3f with the template, want ≥ %.2f", tmplR, rBound)
	}
	if maxRandR >= rBound {
		t.Errorf("a random observer's CI correlates %.3f with the template, want < %.2f", maxRandR, rBound)
	}
	if tmplIV < 1.96*2 {
		t.Errorf("template observer's infoVal %.2f, want well above 1.96", tmplIV)
	}
	if math.Abs(meanIV) > 0.5 {
		t.Errorf("mean infoVal of %d random observers %.3f, want within ±0.5 of 0", nRandom, meanIV)
	}
}
