package stimuli

import (
	"fmt"
	"testing"
)

// TestNoiseMatchesRcicr: given rcicr's parameters, Basis.Noise reproduces
// rcicr's generateNoiseImage for trials 1 and 2 of both noise types.
func TestNoiseMatchesRcicr(t *testing.T) {
	for _, nt := range fixtureTypes {
		b := fixtureBasis(t, nt)
		params := fixtureParams(t, nt)
		for _, trial := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/trial%d", nt, trial), func(t *testing.T) {
				want := readFloatGrid(t, fixturePath(nt.String(), fmt.Sprintf("noise_%05d.csv", trial)), fixtureSize, fixtureSize)
				got := make([]float64, fixtureSize*fixtureSize)
				if err := b.Noise(params[(trial-1)*b.NParams():trial*b.NParams()], got); err != nil {
					t.Fatal(err)
				}
				d := maxAbsDiff(t, got, want)
				t.Logf("max |Go − rcicr| = %.3g", d)
				if d > 1e-12 {
					t.Fatalf("max abs diff %.3g > 1e-12", d)
				}
			})
		}
	}
}
