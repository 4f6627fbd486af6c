package inference

import (
	"math"
	"slices"
)

// madConstant makes the MAD a consistent estimate of a normal's standard
// deviation, as R's mad() (constant = 1.4826).
const madConstant = 1.4826

// quantile7 returns R's quantile(x, q, type = 7) of sorted xs (NaN if xs is
// empty): with h = (N−1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) in 0-based
// indices (Hyndman & Fan 1996, definition 7; R's default).
func quantile7(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * q
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// medianMAD returns R's median(xs) and mad(xs) (1.4826 × the median of
// |x − median|); NaN for both if xs is empty. xs is not modified.
func medianMAD(xs []float64) (med, mad float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	med = quantile7(s, 0.5) // type 7 at ½ is the usual median
	for i, x := range s {
		s[i] = math.Abs(x - med)
	}
	slices.Sort(s)
	return med, madConstant * quantile7(s, 0.5)
}
