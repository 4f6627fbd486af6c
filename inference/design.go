package inference

import (
	"context"
	"fmt"
)

// Design is what the statistics need of a pack's stimuli: the noise c_i of
// each pair i (an image of P = w×h pixels, rcicr's c units, row-major with
// the top row first), its Gram matrix and pixel sums. The service keeps the
// Gram matrix and the sums per pack, so the reliability statistics never read
// the noise; Compare reads it once, block by block.
//
// The package only reads what Gram and PixelSums return (it never modifies or
// keeps them), and calls NoiseBlock from one goroutine at a time.
type Design interface {
	// Pairs returns n, the number of stimulus pairs.
	Pairs() int
	// Size returns the stimuli's width and height in pixels.
	Size() (w, h int)
	// Gram returns G_ij = Σ_p c_i(p)·c_j(p), n×n row-major.
	Gram() []float64
	// PixelSums returns s_i = Σ_p c_i(p), n values.
	PixelSums() []float64
	// NoiseBlock writes every pair's noise at pixels [p0, p1) into dst,
	// pair-major: dst[i*(p1-p0)+j] = c_i(p0+j). dst has length
	// n·(p1−p0).
	NoiseBlock(ctx context.Context, p0, p1 int, dst []float64) error
}

// shape is a checked Design's size.
type shape struct {
	n, w, h, pixels int
}

// checkDesign checks a Design's sizes against the limits and against each
// other. Gram and PixelSums are checked for length and finiteness only when
// withGram is set (Compare does not use them).
func checkDesign(d Design, withGram bool) (shape, error) {
	if d == nil {
		return shape{}, &ShapeError{What: "design", Got: 0, Want: 1}
	}
	n := d.Pairs()
	w, h := d.Size()
	switch {
	case n < 1:
		return shape{}, &ShapeError{What: "design pairs", Got: n, Want: 1}
	case w < 1:
		return shape{}, &ShapeError{What: "design width", Got: w, Want: 1}
	case h < 1:
		return shape{}, &ShapeError{What: "design height", Got: h, Want: 1}
	}
	if err := checkLimit("design pairs", n, MaxPairs); err != nil {
		return shape{}, err
	}
	if err := checkLimit("design width", w, MaxPixels); err != nil {
		return shape{}, err
	}
	if h > MaxPixels/w {
		return shape{}, &LimitError{What: "design pixels", Got: w * min(h, MaxPixels), Max: MaxPixels}
	}
	s := shape{n: n, w: w, h: h, pixels: w * h}
	if !withGram {
		return s, nil
	}
	g := d.Gram()
	if len(g) != n*n {
		return shape{}, &ShapeError{What: "Gram", Got: len(g), Want: n * n}
	}
	if i := allFinite(g); i >= 0 {
		return shape{}, &ValueError{What: "Gram", Index: i}
	}
	sums := d.PixelSums()
	if len(sums) != n {
		return shape{}, &ShapeError{What: "pixel sums", Got: len(sums), Want: n}
	}
	if i := allFinite(sums); i >= 0 {
		return shape{}, &ValueError{What: "pixel sums", Index: i}
	}
	return s, nil
}

// checkBlock checks NoiseBlock's arguments against a design's shape.
func checkBlock(s shape, p0, p1 int, dst []float64) error {
	if p0 < 0 || p1 > s.pixels || p0 >= p1 {
		return &ShapeError{What: fmt.Sprintf("noise block [%d, %d)", p0, p1), Got: p1 - p0, Want: s.pixels}
	}
	if want := s.n * (p1 - p0); len(dst) != want {
		return &ShapeError{What: "noise block destination", Got: len(dst), Want: want}
	}
	return nil
}

// ImageDesign is a Design that draws a weighted sum of its noise in one
// pass (a generated pack: Σ_i w_i·c_i is the noise of Σ_i w_i·params_i).
// Compare then builds each reply's CI with it, and never reads the noise
// block by block.
type ImageDesign interface {
	Design
	// WeightedNoise writes Σ_i w[i]·c_i into out (P pixels, row-major).
	WeightedNoise(ctx context.Context, w []float64, out []float64) error
}
