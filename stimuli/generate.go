package stimuli

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"sync"
)

// Generator renders a pack's pairs on demand from the base, the basis and the
// parameters, holding one noise image per pair being rendered and never all
// of them. It is safe for concurrent use.
type Generator struct {
	basis  *Basis
	base   []float64
	params []float64
	trials int
	png    *PNGEncoder
	noise  sync.Pool // *[]float64 of Size()² values
}

// NewGenerator checks that base has Size()² values and params trials rows of
// NParams() values. It keeps the slices, which the caller must not change.
func NewGenerator(basis *Basis, base, params []float64, trials int) (*Generator, error) {
	if basis == nil {
		return nil, fmt.Errorf("generator: %w: no basis", ErrShape)
	}
	n := basis.Size() * basis.Size()
	if len(base) != n {
		return nil, fmt.Errorf("generator: %w", fmtShape("base of %d pixels for %d", len(base), n))
	}
	if err := checkMatrix(trials, basis.NParams(), 0, 0); err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	if len(params) != trials*basis.NParams() {
		return nil, fmt.Errorf("generator: %w", fmtShape("%d values for %d trials of %d", len(params), trials, basis.NParams()))
	}
	return &Generator{basis: basis, base: base, params: params, trials: trials, png: NewPNGEncoder()}, nil
}

// Trials is the number of pairs.
func (g *Generator) Trials() int { return g.trials }

// Pair renders pair t (0-based: rcicr's file number is t+1, as in
// rc_base_7_00001_ori.png for t = 0) as two new 8-bit grey images.
func (g *Generator) Pair(t int) (ori, inv *image.Gray, err error) {
	if t < 0 || t >= g.trials {
		return nil, nil, fmt.Errorf("generator: %w: pair %d of %d", ErrShape, t, g.trials)
	}
	size := g.basis.Size()
	ori = image.NewGray(image.Rect(0, 0, size, size))
	inv = image.NewGray(image.Rect(0, 0, size, size))
	g.renderInto(t, ori.Pix, inv.Pix)
	return ori, inv, nil
}

// renderInto renders pair t into two Size()² grey buffers.
func (g *Generator) renderInto(t int, ori, inv []uint8) {
	np := g.basis.NParams()
	buf, _ := g.noise.Get().(*[]float64)
	if buf == nil {
		b := make([]float64, len(g.base))
		buf = &b
	}
	g.basis.noiseInto(g.params[t*np:(t+1)*np], *buf)
	renderInto(g.base, *buf, ori, inv)
	g.noise.Put(buf)
}

// EncodePNG writes img as a PNG with the generator's encoder (BestSpeed,
// pooled buffers).
func (g *Generator) EncodePNG(w io.Writer, img *image.Gray) error {
	return g.png.Encode(w, img)
}

// Each renders and encodes every pair on workers goroutines (≤ 0:
// GOMAXPROCS) and calls emit(t, oriPNG, invPNG) for each, from those
// goroutines, in no particular order: emit must be safe for concurrent use
// and must not keep the byte slices, which are reused once it returns. The
// first error (emit's, or ctx's) stops the work and is returned. Each worker
// holds one noise image and two PNGs, so memory does not grow with the
// number of pairs.
func (g *Generator) Each(ctx context.Context, workers int, emit func(t int, ori, inv []byte) error) error {
	size := g.basis.Size()
	type scratch struct {
		ori, inv       *image.Gray
		oriBuf, invBuf bytes.Buffer
	}
	var pool sync.Pool
	return forEach(ctx, workers, g.trials, func(t int) error {
		s, _ := pool.Get().(*scratch)
		if s == nil {
			s = &scratch{ori: image.NewGray(image.Rect(0, 0, size, size)), inv: image.NewGray(image.Rect(0, 0, size, size))}
		}
		defer pool.Put(s)
		g.renderInto(t, s.ori.Pix, s.inv.Pix)
		s.oriBuf.Reset()
		s.invBuf.Reset()
		if err := g.png.Encode(&s.oriBuf, s.ori); err != nil {
			return err
		}
		if err := g.png.Encode(&s.invBuf, s.inv); err != nil {
			return err
		}
		if err := emit(t, s.oriBuf.Bytes(), s.invBuf.Bytes()); err != nil {
			return fmt.Errorf("generator: pair %d: %w", t, err)
		}
		return nil
	})
}
