package stimuli

import "math"

// resizeCatmullRom resamples a src×src grey image (row-major) to dst×dst in
// float64 with the Catmull-Rom cubic (B = 0, C = ½), separably: rows, then
// columns. Like golang.org/x/image/draw's CatmullRom.Scale, the kernel is
// widened by src/dst when shrinking (so it averages rather than aliases),
// pixel centres are aligned ((i+½)·src/dst − ½), and taps outside the image
// are dropped with the remaining weights renormalised. Doing it here in float
// keeps the grey values' full precision, which draw's 16-bit images would
// round.
func resizeCatmullRom(src []float64, srcN, dstN int) []float64 {
	taps := resampleTaps(srcN, dstN)
	// Horizontal pass: srcN rows × dstN columns.
	mid := make([]float64, srcN*dstN)
	for y := 0; y < srcN; y++ {
		row := src[y*srcN : (y+1)*srcN]
		for x, t := range taps {
			s := 0.0
			for k, w := range t.weights {
				s += float64(w * row[t.first+k])
			}
			mid[y*dstN+x] = s
		}
	}
	// Vertical pass: dstN × dstN.
	out := make([]float64, dstN*dstN)
	for y, t := range taps {
		orow := out[y*dstN : (y+1)*dstN]
		for k, w := range t.weights {
			mrow := mid[(t.first+k)*dstN : (t.first+k+1)*dstN]
			for x, v := range mrow {
				orow[x] += float64(w * v)
			}
		}
	}
	return out
}

// resampleTap is the source pixels (first, first+1, …) that one output pixel
// averages, and their normalised weights.
type resampleTap struct {
	first   int
	weights []float64
}

// resampleTaps computes each output pixel's taps along one axis.
func resampleTaps(srcN, dstN int) []resampleTap {
	ratio := float64(srcN) / float64(dstN)
	scale := max(ratio, 1) // widen the kernel when shrinking
	support := 2 * scale   // Catmull-Rom's support is 2
	taps := make([]resampleTap, dstN)
	for i := range taps {
		centre := (float64(i)+0.5)*ratio - 0.5
		lo := max(int(math.Ceil(centre-support)), 0)
		hi := min(int(math.Floor(centre+support)), srcN-1)
		w := make([]float64, 0, hi-lo+1)
		sum := 0.0
		for j := lo; j <= hi; j++ {
			k := catmullRom(math.Abs(float64(j)-centre) / scale)
			w = append(w, k)
			sum += k
		}
		for k := range w {
			w[k] /= sum
		}
		taps[i] = resampleTap{first: lo, weights: w}
	}
	return taps
}

// catmullRom is the Catmull-Rom kernel at distance t ≥ 0.
func catmullRom(t float64) float64 {
	switch {
	case t < 1:
		return (1.5*t-2.5)*t*t + 1
	case t < 2:
		return ((-0.5*t+2.5)*t-4)*t + 2
	}
	return 0
}
