package stimuli

import "math"

// The patches of rcicr's noise basis, computed with the same operations in
// the same order as rcicr's R code, so that they agree with it to the last
// bit or two (R's libm and Go's math may differ by an ulp in sin and exp).

// rcicr's generateNoisePattern: 6 orientations (degrees) × 2 phases per scale.
var (
	orientations = [6]float64{0, 30, 60, 90, 120, 150}
	phases       = [2]float64{0, math.Pi / 2}
)

// layersPerScale is len(orientations) × len(phases).
const layersPerScale = 12

// Cycles per patch: generateNoisePattern calls generateSinusoid(size, 2, …)
// and generateGabor(size, 1.5, …).
const (
	sinusoidCycles = 2
	gaborCycles    = 1.5
)

// linspace is matlab::linspace(from, to, n), which is R's
// seq(from, to, length.out = n): c(from, from + (1:(n−2))·((to−from)/(n−1)), to).
func linspace(from, to float64, n int) []float64 {
	out := make([]float64, n)
	switch {
	case n == 1:
		out[0] = from
		return out
	case n == 2:
		out[0], out[1] = from, to
		return out
	}
	by := (to - from) / float64(n-1)
	out[0] = from
	for i := 1; i < n-1; i++ {
		out[i] = from + float64(i)*by
	}
	out[n-1] = to
	return out
}

// deg2rad is rcicr's R/deg2rad.R: (deg·π)/180.
func deg2rad(deg float64) float64 { return (deg * math.Pi) / 180 }

// sinusoidPatch is rcicr's generateSinusoid(n, cycles, angle, phase, 1):
// sinepatch = repmat(linspace(0, cycles, n), n, 1) varies along x (columns),
// t(sinepatch) along y (rows), and the patch is
// sin((sinepatch·cos(a) + t(sinepatch)·sin(a))·2·π + phase).
// out[y*n+x], row-major.
func sinusoidPatch(n int, cycles, angleDeg, phase float64) []float64 {
	a := deg2rad(angleDeg)
	ca, sa := math.Cos(a), math.Sin(a)
	lin := linspace(0, cycles, n)
	out := make([]float64, n*n)
	for y := 0; y < n; y++ {
		ty := float64(lin[y] * sa)
		for x := 0; x < n; x++ {
			// float64(...) forces each product to be rounded, as R does,
			// instead of letting the compiler fuse it into an FMA.
			s := (float64(lin[x]*ca) + ty) * 2 * math.Pi
			out[y*n+x] = math.Sin(s + phase)
		}
	}
	return out
}

// rescaleHalf is scales::rescale(1:n, to = c(−.5, .5)):
// (x − 1)/(n − 1)·1 + (−0.5); a single point rescales to mean(to) = 0.
func rescaleHalf(n int) []float64 {
	out := make([]float64, n)
	if n == 1 {
		return out
	}
	d := float64(n - 1)
	for i := range out {
		out[i] = float64(i)/d*1 + -0.5
	}
	return out
}

// gaborPatch is rcicr's generateGabor(n, cycles, angle, phase, sigma, 1): the
// sinusoid times exp(−((x0² + y0²)/(2·(sigma/n)²))) with x0, y0 =
// rescale(1:n, to = c(−.5, .5)) along columns and rows.
func gaborPatch(n int, cycles, angleDeg, phase, sigma float64) []float64 {
	out := sinusoidPatch(n, cycles, angleDeg, phase)
	x0 := rescaleHalf(n)
	s := sigma / float64(n)
	den := 2 * float64(s*s)
	for y := 0; y < n; y++ {
		yy := float64(x0[y] * x0[y])
		for x := 0; x < n; x++ {
			mask := math.Exp(-((float64(x0[x]*x0[x]) + yy) / den))
			out[y*n+x] = float64(mask * out[y*n+x])
		}
	}
	return out
}
