package inference

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A simulated study: smooth random noise images, simulated observers who
// choose the image that looks more like their template, and the explicit
// per-reply CIs computed pixel by pixel (no Gram shortcut), which the
// tests' reference computations start from.

type study struct {
	w, h  int
	noise [][]float64 // n images of w·h
	d     *MemDesign
}

// newStudy draws n smooth noise images of w×h from seed.
func newStudy(t *testing.T, w, h, n int, seed uint64) *study {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	noise := make([][]float64, n)
	for i := range noise {
		noise[i] = smoothNoise(rng, w, h)
	}
	return newStudyFrom(t, w, h, noise)
}

func newStudyFrom(t *testing.T, w, h int, noise [][]float64) *study {
	t.Helper()
	d, err := NewMemDesign(w, h, noise)
	if err != nil {
		t.Fatalf("NewMemDesign: %v", err)
	}
	return &study{w: w, h: h, noise: noise, d: d}
}

// smoothNoise is a sum of six random low-frequency plane waves plus a
// random offset, so that images have non-zero pixel means (which the
// centred Gram form must handle).
func smoothNoise(rng *rand.Rand, w, h int) []float64 {
	img := make([]float64, w*h)
	offset := 0.05 * rng.NormFloat64()
	for range 6 {
		fx, fy := 3*rng.Float64(), 3*rng.Float64()
		phase, amp := 2*math.Pi*rng.Float64(), 0.1*rng.NormFloat64()
		for y := range h {
			for x := range w {
				img[y*w+x] += amp * math.Cos(2*math.Pi*(fx*float64(x)/float64(w)+fy*float64(y)/float64(h))+phase)
			}
		}
	}
	for p := range img {
		img[p] += offset
	}
	return img
}

// blob is a Gaussian template centred at (cx, cy) with sd sigma.
func blob(w, h int, cx, cy, sigma float64) []float64 {
	img := make([]float64, w*h)
	for y := range h {
		for x := range w {
			dx, dy := float64(x)-cx, float64(y)-cy
			img[y*w+x] = math.Exp(-(dx*dx + dy*dy) / (2 * sigma * sigma))
		}
	}
	return img
}

// observers simulates k replies: on pair i an observer picks ori
// (response +1) when ⟨c_i, template⟩ + internal·sd·N(0, 1) > 0, sd being the
// spread of ⟨c_i, template⟩ over the pairs (so internal is a noise-to-signal
// ratio; a nil template: a random responder), and times out with
// probability 0.05. It returns the weight rows.
func (s *study) observers(t *testing.T, rng *rand.Rand, k int, template []float64, internal float64) [][]float64 {
	t.Helper()
	dots := make([]float64, len(s.noise))
	var m, ss float64
	for i, c := range s.noise {
		for p, v := range template {
			dots[i] += v * c[p]
		}
		m += dots[i] / float64(len(dots))
	}
	for _, d := range dots {
		ss += (d - m) * (d - m)
	}
	sd := math.Sqrt(ss / float64(len(dots)))
	if sd == 0 {
		sd = 1
	}
	rows := make([][]float64, k)
	for r := range rows {
		resp := make([]int8, len(s.noise))
		for i := range s.noise {
			resp[i] = -1
			if dots[i]-m+internal*sd*rng.NormFloat64() > 0 {
				resp[i] = 1
			}
			if i > 0 && rng.Float64() < 0.05 {
				resp[i] = 0
			}
		}
		w, err := ReplyWeights(resp)
		if err != nil {
			t.Fatalf("ReplyWeights: %v", err)
		}
		rows[r] = w
	}
	return rows
}

// cis returns each reply's CI computed pixel by pixel: Σ_i W[r][i]·c_i(p).
func (s *study) cis(w [][]float64) [][]float64 {
	out := make([][]float64, len(w))
	for r, row := range w {
		ci := make([]float64, s.w*s.h)
		for i, wi := range row {
			for p, v := range s.noise[i] {
				ci[p] += wi * v
			}
		}
		out[r] = ci
	}
	return out
}
