package stimuli

import (
	"fmt"
	"math"
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

// TestWeightedIsSumOfNoise: Weighted(params, w) equals Σ_i w_i·Noise_i
// computed image by image, for rcicr's parameters and for drawn ones, with
// weights of both signs (a classification image's ±1 responses and
// arbitrary reals).
func TestWeightedIsSumOfNoise(t *testing.T) {
	drawn := func(nt NoiseType, size, nscales, trials int) (*Basis, []float64) {
		t.Helper()
		b, err := NewBasis(size, nscales, nt, 25)
		if err != nil {
			t.Fatal(err)
		}
		p, err := DrawParams(int64(trials), trials, b.NParams())
		if err != nil {
			t.Fatal(err)
		}
		return b, p
	}
	sinB, sinP := drawn(Sinusoid, 64, 4, 25)
	gabB, gabP := drawn(Gabor, 96, 3, 9)
	cases := []struct {
		name   string
		basis  *Basis
		params []float64
		w      []float64
	}{
		{"rcicr sinusoid, responses", fixtureBasis(t, Sinusoid), fixtureParams(t, Sinusoid), []float64{1, -1, -1, 1}},
		{"rcicr gabor, reals", fixtureBasis(t, Gabor), fixtureParams(t, Gabor), []float64{0.25, -3, 1e-3, 7}},
		{"drawn sinusoid", sinB, sinP, weights(25)},
		{"drawn gabor", gabB, gabP, weights(9)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			px, np := c.basis.Size()*c.basis.Size(), c.basis.NParams()
			want := make([]float64, px)
			one := make([]float64, px)
			scale := 0.0 // Σ|w_i|·max|noise_i|: the size of the terms summed
			for i, wi := range c.w {
				if err := c.basis.Noise(c.params[i*np:(i+1)*np], one); err != nil {
					t.Fatal(err)
				}
				m := 0.0
				for p, v := range one {
					want[p] += wi * v
					m = max(m, math.Abs(v))
				}
				scale += math.Abs(wi) * m
			}
			got := make([]float64, px)
			if err := c.basis.Weighted(c.params, c.w, got); err != nil {
				t.Fatal(err)
			}
			rel := maxAbsDiff(t, got, want) / scale
			t.Logf("max |Weighted − Σ w·Noise| / Σ|w|·max|Noise| = %.3g", rel)
			if rel > 1e-12 {
				t.Fatalf("relative difference %.3g > 1e-12", rel)
			}
		})
	}
}

// weights is n weights of both signs and several magnitudes.
func weights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(i%7-3) * math.Pow(2, float64(i%5-2))
	}
	return w
}
