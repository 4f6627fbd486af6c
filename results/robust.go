package results

import (
	"math"
	"slices"
)

// madConstant makes the MAD a consistent estimate of a normal's sd, as R's
// mad() (constant = 1.4826).
const madConstant = 1.4826

// medianMAD returns R's median(xs) and mad(xs): the median (for an even count
// the mean of the two middle values) and 1.4826 × the median of |x −
// median|. It reorders xs and overwrites it with the deviations. Both are
// found by selection in O(len) time, not by sorting: an infoVal needs them
// over 10,000 values for every reply.
func medianMAD(xs []float64) (med, mad float64) {
	med = median(xs)
	for i, x := range xs {
		xs[i] = math.Abs(x - med)
	}
	return med, madConstant * median(xs)
}

// median returns the median of xs (NaN if empty), reordering xs.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	h := n / 2
	hi := selectKth(xs, h) // xs[:h] now holds the h smallest
	if n%2 == 1 {
		return hi
	}
	lo := xs[0]
	for _, x := range xs[1:h] {
		lo = max(lo, x)
	}
	return (lo + hi) / 2
}

// selectKth reorders xs so that xs[k] is the value a sort would put there,
// with no larger value before it and no smaller after it, and returns it
// (Hoare's quickselect with a median-of-three pivot; xs must hold no NaN).
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Order xs[lo], xs[mid], xs[hi]; the median of the three is the pivot.
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		// Now xs[lo..j] ≤ pivot ≤ xs[i..hi], and xs[j+1..i-1] == pivot.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

// quantile is R's quantile(xs, p) of its default type 7: the order
// statistics linearly interpolated at h = (n − 1)·p (NaN if empty). It
// sorts xs.
func quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[lo]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}
