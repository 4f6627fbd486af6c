package results

import (
	"context"
	"fmt"

	"github.com/psyx-lab/psyx/stimuli"
)

// Generated is what a generated pack's noise comes from: its basis and its
// parameters, trial-major (Trials rows of Basis.NParams(); trial t is pair
// t). Its noise c_t is rcicr's noise exactly, so CIs, infoVals and the
// quality table come out in float64, as rcicr's generateCI2IFC computes
// them from the same parameters, not from 8-bit images.
type Generated struct {
	Basis  *stimuli.Basis
	Params []float64
	Trials int
}

// ComputeGenerated writes the stats file of a generated pack at path, whole
// or not at all, as Compute does: the base as used, each pair's pixel sum
// and the pairs' Gram matrix computed from the parameters (no image is
// rendered), and the infoVal reference of Responders random responders
// drawn from seed.
func ComputeGenerated(ctx context.Context, g *Generated, base []float64, seed uint64, path string) error {
	n, size := g.Trials, g.Basis.Size()
	if n < 1 || n > maxPairs || len(g.Params) != n*g.Basis.NParams() || len(base) != size*size {
		return fmt.Errorf("results: compute: %d trials of %d parameters, a base of %d pixels for %d×%d",
			n, len(g.Params), len(base), size, size)
	}
	gram, sums, err := g.Basis.Gram(ctx, g.Params, n)
	if err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	sw, err := newStatsWriter(path)
	if err != nil {
		return err
	}
	defer sw.abandon()
	writeFloats(sw.cw, base)
	writeFloats(sw.cw, sums)
	hdr := header{w: uint32(size), h: uint32(size), n: uint32(n), k: Responders, seed: seed, kind: kindGenerated}
	return sw.finish(ctx, hdr, gram, nil)
}

// generatedNoise is Σ_i w_i·c_i of a generated pack: the noise of the
// weighted parameters (stimuli.Basis.Weighted), one pass over the pixels.
func (s *Stats) generatedNoise(w []float64) ([]float64, error) {
	out := make([]float64, s.w*s.h)
	if err := s.gen.Basis.Weighted(s.gen.Params, w, out); err != nil {
		return nil, fmt.Errorf("results: ci: %w", err)
	}
	return out, nil
}
