package inference

import (
	"fmt"
	"math"
	"slices"
)

// DefaultSplits is SplitHalf's number of random splits when 0 is asked
// (SPEC, Analysis).
const DefaultSplits = 1000

// SplitHalfResult summarises the split-half reliability of a group CI.
// A value that is undefined (see SplitHalf) is NaN in Go and null in JSON.
type SplitHalfResult struct {
	Median float64 `json:"median"` // median of the corrected correlations
	P2_5   float64 `json:"p2_5"`   // their 2.5th percentile (R's type 7)
	P97_5  float64 `json:"p97_5"`  // their 97.5th percentile (R's type 7)
	Splits int     `json:"splits"` // splits whose correlation is defined
}

// SplitHalf is NewMoments followed by (*Moments).SplitHalf.
func SplitHalf(d Design, w [][]float64, splits int, seed uint64) (SplitHalfResult, error) {
	mo, err := newMoments(d, w, formAuto)
	if err != nil {
		return SplitHalfResult{}, fmt.Errorf("inference: split-half: %w", err)
	}
	return mo.SplitHalf(splits, seed)
}

// SplitHalf draws splits random splits (0 → DefaultSplits) of the k replies
// into halves of ⌊k/2⌋ and ⌈k/2⌉, computes for each the Pearson correlation
// r over pixels between the two halves' mean CIs, corrects it for halving by
// Spearman–Brown, 2r/(1+r), and returns the median and the 2.5th and 97.5th
// percentiles (R's quantile type 7, its default) of the corrected values —
// SPEC, Analysis (rcicrely's split-half reliability of a group CI). The
// service seeds it per pack and reply set.
//
// The splits come from a PCG generator seeded with seed: the same seed and
// replies give the same splits and result on every machine. A split whose
// r is undefined (a half's mean CI constant over pixels) or is −1 is left
// out; Splits counts those kept, and with none kept the figures are NaN.
// Each split costs O(k²) from the moments, nothing per pixel.
func (mo *Moments) SplitHalf(splits int, seed uint64) (SplitHalfResult, error) {
	switch {
	case splits < 0:
		return SplitHalfResult{}, fmt.Errorf("inference: split-half: %w: splits %d", ErrBadOption, splits)
	case splits == 0:
		splits = DefaultSplits
	}
	if err := checkLimit("splits", splits, MaxSplits); err != nil {
		return SplitHalfResult{}, fmt.Errorf("inference: split-half: %w", err)
	}
	u, v := make([]float64, mo.n), make([]float64, mo.n)
	corrected := make([]float64, 0, splits)
	drawSplits(mo.k, splits, seed, func(a []int) {
		r := mo.halfCorr(a, u, v)
		if math.IsNaN(r) || r == -1 {
			return
		}
		corrected = append(corrected, 2*r/(1+r))
	})
	slices.Sort(corrected)
	return SplitHalfResult{
		Median: quantile7(corrected, 0.5),
		P2_5:   quantile7(corrected, 0.025),
		P97_5:  quantile7(corrected, 0.975),
		Splits: len(corrected),
	}, nil
}

// drawSplits calls each with the first half (⌊k/2⌋ reply indices, sorted)
// of splits random splits of 0..k−1 drawn from seed. The slice is reused
// between calls.
func drawSplits(k, splits int, seed uint64, each func(a []int)) {
	src := newPCG(seed, splitStream)
	idx := identity(k)
	a := make([]int, k/2)
	for range splits {
		shuffle(src, idx)
		copy(a, idx[:k/2])
		slices.Sort(a) // neighbouring rows of H̃: friendlier to the cache
		each(a)
	}
}
