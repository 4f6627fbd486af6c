package inference

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MemDesign is a Design held in memory, built from explicit noise images:
// for tests, and for callers whose packs are small enough to keep whole. It
// is safe for concurrent use (nothing changes after NewMemDesign).
type MemDesign struct {
	s     shape
	noise []float64 // n×P, pair-major
	gram  []float64 // n×n
	sums  []float64 // n
}

// NewMemDesign copies the n noise images (each w·h values, row-major, top
// row first, c units) and computes their Gram matrix and pixel sums.
func NewMemDesign(w, h int, noise [][]float64) (*MemDesign, error) {
	n := len(noise)
	if n < 1 || w < 1 || h < 1 {
		return nil, fmt.Errorf("inference: design: %w", &ShapeError{What: "design", Got: min(n, w, h), Want: 1})
	}
	if err := checkLimit("design pairs", n, MaxPairs); err != nil {
		return nil, fmt.Errorf("inference: design: %w", err)
	}
	if w > MaxPixels || h > MaxPixels/w {
		return nil, fmt.Errorf("inference: design: %w", &LimitError{What: "design pixels", Got: min(w, MaxPixels) * min(h, MaxPixels), Max: MaxPixels})
	}
	p := w * h
	flat := make([]float64, n*p)
	for i, img := range noise {
		if len(img) != p {
			return nil, fmt.Errorf("inference: design: %w", &ShapeError{What: fmt.Sprintf("noise image %d", i), Got: len(img), Want: p})
		}
		if j := allFinite(img); j >= 0 {
			return nil, fmt.Errorf("inference: design: %w", &ValueError{What: fmt.Sprintf("noise image %d", i), Index: j})
		}
		copy(flat[i*p:], img)
	}
	gram := make([]float64, n*n)
	blas64.Implementation().Dsyrk(blas.Upper, blas.NoTrans, n, p, 1, flat, p, 0, gram, n)
	for i := range n { // Dsyrk filled the upper triangle
		for j := range i {
			gram[i*n+j] = gram[j*n+i]
		}
	}
	sums := make([]float64, n)
	for i := range n {
		var s float64
		for _, v := range flat[i*p : (i+1)*p] {
			s += v
		}
		sums[i] = s
	}
	return &MemDesign{s: shape{n: n, w: w, h: h, pixels: p}, noise: flat, gram: gram, sums: sums}, nil
}

// Pairs returns the number of noise images.
func (m *MemDesign) Pairs() int { return m.s.n }

// Size returns the images' width and height.
func (m *MemDesign) Size() (w, h int) { return m.s.w, m.s.h }

// Gram returns the n×n Gram matrix (shared: do not modify).
func (m *MemDesign) Gram() []float64 { return m.gram }

// PixelSums returns each image's pixel sum (shared: do not modify).
func (m *MemDesign) PixelSums() []float64 { return m.sums }

// NoiseBlock copies pixels [p0, p1) of every image into dst, pair-major.
func (m *MemDesign) NoiseBlock(ctx context.Context, p0, p1 int, dst []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkBlock(m.s, p0, p1, dst); err != nil {
		return fmt.Errorf("inference: design: %w", err)
	}
	b := p1 - p0
	for i := range m.s.n {
		copy(dst[i*b:(i+1)*b], m.noise[i*m.s.pixels+p0:i*m.s.pixels+p1])
	}
	return nil
}
