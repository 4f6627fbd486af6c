package inference

import (
	"math/bits"
	"math/rand/v2"
)

// PCG stream constants, one per use, so that a caller who passes the same
// seed to SplitHalf and Compare still gets unrelated draws.
const (
	splitStream = 0x5eed_5917_4a1f_0001
	permStream  = 0x5eed_5917_4a1f_0002
)

// newPCG is the generator of one seeded draw. PCG's output for a seed is
// fixed by its definition (math/rand/v2), so the same seed gives the same
// numbers on every machine and Go release.
func newPCG(seed, stream uint64) *rand.PCG { return rand.NewPCG(seed, stream) }

// below returns a uniform integer in [0, n), n > 0, from src's outputs by
// Lemire's multiply-and-reject method ("Fast random integer generation in an
// interval", ACM TOMACS 2019). It is written here, not taken from
// rand.IntN, so that the draws depend only on PCG's specified output and not
// on how a Go release maps it to an interval.
func below(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// shuffle reorders idx uniformly at random (Fisher–Yates, Knuth's
// Algorithm P). Applied again to an already shuffled slice it still gives a
// uniform permutation, so callers keep one slice and shuffle it per draw.
func shuffle(src *rand.PCG, idx []int) {
	for i := len(idx) - 1; i > 0; i-- {
		j := int(below(src, uint64(i+1)))
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// identity returns [0, 1, …, k−1].
func identity(k int) []int {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
