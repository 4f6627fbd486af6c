package results

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/psyx-lab/psyx/trials"
)

// What the statistics of package inference read of a pack (its Design):
// sizes, the Gram matrix and the pixel sums in c units, and the noise.

// Size is the stimuli's width and height.
func (s *Stats) Size() (w, h int) { return s.w, s.h }

// Generated tells whether the pack was generated from parameters (its
// noise is then drawn whole by WeightedNoise, cheaply).
func (s *Stats) Generated() bool { return s.gen != nil }

// Gram returns G_ij = Σ_pixels c_i·c_j, n×n row-major, in c units (a copy).
func (s *Stats) Gram() []float64 {
	g := make([]float64, len(s.gram))
	u2 := s.unit * s.unit
	for i, v := range s.gram {
		g[i] = v * u2
	}
	return g
}

// PixelSums returns s_i = Σ_pixels c_i, in c units (a copy).
func (s *Stats) PixelSums() []float64 {
	out := make([]float64, len(s.sums))
	for i, v := range s.sums {
		out[i] = v * s.unit
	}
	return out
}

// NoiseBlock writes every pair's noise at pixels [p0, p1) into dst,
// pair-major, in c units. A generated pack draws each pair's noise whole
// to do it (slow: Compare draws its CIs with WeightedNoise instead).
func (s *Stats) NoiseBlock(ctx context.Context, p0, p1 int, dst []float64) error {
	bw, p := p1-p0, s.w*s.h
	if p0 < 0 || p1 > p || bw < 1 || len(dst) != s.n*bw {
		return fmt.Errorf("results: noise block [%d, %d) into %d values", p0, p1, len(dst))
	}
	if s.gen != nil {
		img := make([]float64, p)
		np := s.gen.Basis.NParams()
		for i := range s.n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.gen.Basis.Noise(s.gen.Params[i*np:(i+1)*np], img); err != nil {
				return fmt.Errorf("results: noise block: %w", err)
			}
			copy(dst[i*bw:(i+1)*bw], img[p0:p1])
		}
		return nil
	}
	buf := make([]byte, 2*bw)
	for i := range s.n {
		if _, err := s.f.ReadAt(buf, s.noiseOff+2*(int64(i)*int64(p)+int64(p0))); err != nil {
			return fmt.Errorf("results: noise block: %w", err)
		}
		row := dst[i*bw : (i+1)*bw]
		for j := range row {
			row[j] = dScale * float64(int16(binary.LittleEndian.Uint16(buf[2*j:])))
		}
	}
	return nil
}

// WeightedNoise writes Σ_i w[i]·c_i into out.
func (s *Stats) WeightedNoise(ctx context.Context, w []float64, out []float64) error {
	if len(w) != s.n || len(out) != s.w*s.h {
		return fmt.Errorf("results: weighted noise: %d weights, %d pixels", len(w), len(out))
	}
	img, err := s.weightedNoise(ctx, w)
	if err != nil {
		return err
	}
	copy(out, img)
	return nil
}

// SameStimuli tells whether two packs show the same images: the same sizes,
// pairs, base and Gram matrix (two uploads of one folder, or one pack's
// images uploaded again under another condition).
func (s *Stats) SameStimuli(o *Stats) bool {
	return s.w == o.w && s.h == o.h && s.n == o.n && s.kind == o.kind && s.unit == o.unit &&
		slices.Equal(s.baseSum, o.baseSum) && slices.Equal(s.base, o.base) && slices.Equal(s.gram, o.gram)
}

// Weights is a reply's row of weights over the pack's npairs pairs: its
// CI is Σ_i w_i·c_i, w_i = response_i / n with n its answered trials (0 for
// a pair timed out or not shown). No answered trial is ErrNoAnswers.
func Weights(ts []trials.Trial, npairs int) ([]float64, error) {
	w := make([]float64, npairs)
	if _, err := addWeights(ts, npairs, 1, w); err != nil {
		return nil, err
	}
	return w, nil
}
