package inference

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
)

// Defaults of CompareOptions (SPEC, Analysis).
const (
	DefaultThreshold    = 2.0
	DefaultPermutations = 1000
)

// CompareOptions tune Compare; the zero value is SPEC's test.
type CompareOptions struct {
	// Threshold: pixels with |t| above it form clusters; 0 → 2.
	Threshold float64
	// Permutations: random relabellings; 0 → 1,000.
	Permutations int
	// Seed of the relabellings (PCG): same seed, same result everywhere.
	Seed uint64
	// Workers: goroutines for the permutations; 0 → GOMAXPROCS. The
	// result does not depend on it.
	Workers int
}

// withDefaults fills the zero fields and checks the others.
func (o CompareOptions) withDefaults() (CompareOptions, error) {
	switch {
	case o.Threshold == 0:
		o.Threshold = DefaultThreshold
	case !(o.Threshold > 0) || math.IsInf(o.Threshold, 1):
		return o, fmt.Errorf("%w: threshold %v", ErrBadOption, o.Threshold)
	}
	switch {
	case o.Permutations == 0:
		o.Permutations = DefaultPermutations
	case o.Permutations < 0:
		return o, fmt.Errorf("%w: permutations %d", ErrBadOption, o.Permutations)
	}
	if err := checkLimit("permutations", o.Permutations, MaxPermutations); err != nil {
		return o, err
	}
	switch {
	case o.Workers == 0:
		o.Workers = runtime.GOMAXPROCS(0)
	case o.Workers < 0:
		return o, fmt.Errorf("%w: workers %d", ErrBadOption, o.Workers)
	}
	return o, nil
}

// Cluster is one cluster of the observed t map.
type Cluster struct {
	Sign   int     `json:"sign"`   // +1 where a > b, −1 where b > a
	P      float64 `json:"p"`      // permutation p-value, in (0, 1]
	Mass   float64 `json:"mass"`   // Σ|t| over its pixels
	Pixels int     `json:"pixels"` // number of pixels
	BBox   [4]int  `json:"bbox"`   // x0, y0, x1, y1: columns and rows from the top left, inclusive
	PeakT  float64 `json:"peak_t"` // signed t of its largest |t|
}

// Comparison is the result of Compare. Every figure is finite.
type Comparison struct {
	AReplies     int       `json:"a_replies"`
	BReplies     int       `json:"b_replies"`
	Width        int       `json:"width"`
	Height       int       `json:"height"`
	Threshold    float64   `json:"threshold"`
	Permutations int       `json:"permutations"`
	Clusters     []Cluster `json:"clusters"` // by mass, largest (smallest p) first; never nil
	// TMap is the observed t map, row-major from the top left (Width×Height);
	// RenderComparison and WriteTMapCSV use it.
	TMap []float64 `json:"-"`
}

// Compare tests where set a's per-reply CIs differ from set b's (SPEC,
// Analysis): per pixel Welch's t of a against b (t > 0 where a's mean CI is
// higher; t = 0 where both sets have variance 0); clusters of 8-connected
// pixels with |t| > Threshold of one sign, mass Σ|t|; then Permutations
// random relabellings of the replies between the sets (set sizes kept,
// seeded PCG), each keeping its largest cluster mass over both signs, and a
// cluster's p = (1 + #relabellings whose largest mass ≥ its mass)/(1 +
// Permutations), which controls the family-wise error rate over all
// clusters (Maris & Oostenveld 2007).
//
// wa and wb are weight rows (weights.go), at least 2 per set. The noise is
// read once through NoiseBlock; the observed t map is computed in float64,
// the relabellings from float32 per-reply CIs (replycis.go, permute.go).
// When the observed map has no cluster the relabellings are skipped.
//
// progress, if not nil, is called from Compare's goroutine with the
// permutations done so far (after each batch, and once at the end), never
// concurrently. Cancelling ctx stops the work within one block of pixels;
// the error then wraps ctx.Err().
func Compare(ctx context.Context, d Design, wa, wb [][]float64, opts CompareOptions, progress func(done, total int)) (*Comparison, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	sh, err := checkDesign(d, false)
	if err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	if err := checkWeights("a", wa, sh.n, 2); err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	if err := checkWeights("b", wb, sh.n, 2); err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	ka, kb := len(wa), len(wb)
	k := ka + kb
	if err := checkLimit("replies", k, MaxReplies); err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	if err := checkLimit("weights (replies × pairs)", k*sh.n, MaxWeightCells); err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	if err := checkLimit("per-reply CIs (replies × pixels)", k*sh.pixels, MaxCompareCells); err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	wall := make([]float64, k*sh.n)
	flatten(wa, sh.n, wall)
	flatten(wb, sh.n, wall[ka*sh.n:])

	var rc *replyCIs
	var tmap []float64
	if id, ok := d.(ImageDesign); ok {
		rc, tmap, err = computeReplyCIsDirect(ctx, id, sh, wall, ka, kb)
	} else {
		rc, tmap, err = computeReplyCIs(ctx, d, sh, wall, ka, kb)
	}
	if err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	comps, _ := components(tmap, sh.w, sh.h, opts.Threshold)
	c := &Comparison{AReplies: ka, BReplies: kb, Width: sh.w, Height: sh.h,
		Threshold: opts.Threshold, Permutations: opts.Permutations,
		Clusters: make([]Cluster, len(comps)), TMap: tmap}
	if len(comps) == 0 {
		if progress != nil {
			progress(opts.Permutations, opts.Permutations)
		}
		return c, nil
	}
	if progress != nil {
		progress(0, opts.Permutations)
	}
	// comps[0] has the largest mass of the observed map.
	maxima, err := permutationMaxima(ctx, rc, sh.w, sh.h, opts.Threshold, comps[0].mass, opts.Permutations, opts.Seed, opts.Workers, progress)
	if err != nil {
		return nil, fmt.Errorf("inference: compare: %w", err)
	}
	slices.Sort(maxima)
	for i, cp := range comps {
		// maxima[at:] are the relabellings whose largest mass ≥ this mass.
		at, _ := slices.BinarySearch(maxima, cp.mass)
		c.Clusters[i] = Cluster{Sign: cp.sign, Mass: cp.mass, Pixels: cp.pixels, BBox: cp.bbox, PeakT: cp.peak,
			P: float64(1+len(maxima)-at) / float64(1+len(maxima))}
	}
	return c, nil
}
