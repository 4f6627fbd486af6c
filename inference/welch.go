package inference

import "math"

// welchT is Welch's t for two samples of sizes na and nb with means ma, mb
// and sample variances va, vb (divisor n−1): (ma − mb)/√(va/na + vb/nb)
// (Welch 1947). When both variances are 0 the difference has no scale and
// t is 0 (SPEC, Analysis), which also keeps a t map free of NaN and ±Inf.
func welchT(ma, mb, va, vb, na, nb float64) float64 {
	den := va/na + vb/nb
	if !(den > 0) {
		return 0
	}
	return (ma - mb) / math.Sqrt(den)
}
