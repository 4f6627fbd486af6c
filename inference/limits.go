package inference

import "math"

// Limits checked before anything is allocated. They are far above what an
// experiment produces (SPEC: packs of 1..2,000 pairs, images of at most
// max_image_pixels, 1,048,576 by default) and keep a hostile or broken input
// from asking for more memory than the machine has.
const (
	// MaxPairs bounds n, the pairs of a pack: the n×n centred Gram copy is
	// then at most 128 MB.
	MaxPairs = 4096
	// MaxPixels bounds P = width × height (4096²).
	MaxPixels = 1 << 24
	// MaxReplies bounds k, the replies of one call.
	MaxReplies = 1 << 16
	// MaxWeightCells bounds k × n, the weights copied (256 MB of float64).
	MaxWeightCells = 1 << 25
	// MaxCompareCells bounds k × P, the per-reply CIs Compare keeps as
	// float32 (512 MB). 100 replies of 512×512 are 26.2 M cells, 105 MB.
	MaxCompareCells = 1 << 27
	// MaxSplits bounds SplitHalf's splits.
	MaxSplits = 1 << 20
	// MaxPermutations bounds Compare's permutations.
	MaxPermutations = 1 << 20
)

// checkLimit returns a *LimitError when got > limit.
func checkLimit(what string, got, limit int) error {
	if got > limit {
		return &LimitError{What: what, Got: got, Max: limit}
	}
	return nil
}

// allFinite returns the index of the first NaN or ±Inf in xs, or −1.
func allFinite(xs []float64) int {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}
