package stimuli

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Gram tiling. The finest scale cuts the image into tiles of side f on which
// every layer is one patch times one parameter, so on tile T the noise of
// trial i is (1/L)·Σ_l P_T[i,l]·V_T[l,·], with V_T the L = 12·nscales layer
// values on the tile and P_T[i,l] the parameter trial i gives layer l there.
// Hence
//
//	G = (1/L²)·Σ_T P_T·(V_T·V_Tᵀ)·P_Tᵀ,   s = (1/L)·Σ_T P_T·(V_T·1)
//
// which needs no noise image at all: for 300 trials of 512² it is about 1.5
// G multiply-adds instead of the ~16 G of rendering every noise image and
// multiplying them (Dsyrk over pixels).
const (
	// gramBatch tiles are prepared (in parallel) before G is updated with
	// them (in parallel over row blocks).
	gramBatch = 8
	// gramRows is the height of the row blocks of G that one goroutine updates.
	gramRows = 32
	// gramBand bounds the pixels of a tile whose layer values are copied out
	// at a time: V_T·V_Tᵀ is accumulated band by band (Dsyrk, β = 1), so a
	// slot holds L·gramBand values (2.6 MB at 7 scales) however large the
	// finest tile is (a whole 1024² image at nscales 1).
	gramBand = 4096
)

// Gram returns the trials' Gram matrix G[i*trials+j] = Σ_pixels
// noise_i·noise_j (trials×trials, row-major, symmetric) and their pixel sums
// sums[i] = Σ_pixels noise_i, for params holding trials rows of NParams()
// (trial-major), computed from the parameters in float64 without rendering
// a noise image (see the tiling above). It uses GOMAXPROCS goroutines; every
// entry is accumulated by one goroutine in a fixed order, so the result is
// the same bits whatever the scheduling or the number of cores. It stops
// with ctx's error when ctx ends.
func (b *Basis) Gram(ctx context.Context, params []float64, trials int) (g, sums []float64, err error) {
	if err := checkMatrix(trials, b.nparams, 0, 0); err != nil {
		return nil, nil, fmt.Errorf("gram: %w", err)
	}
	if len(params) != trials*b.nparams {
		return nil, nil, fmt.Errorf("gram: %w", fmtShape("%d values for %d trials of %d", len(params), trials, b.nparams))
	}
	n, L := trials, b.layers()
	fine := &b.scales[b.nscales-1]
	ntiles := fine.tiles * fine.tiles
	g = make([]float64, n*n)
	sums = make([]float64, n)
	slots := make([]gramTile, min(gramBatch, ntiles))
	for i := range slots {
		slots[i] = newGramTile(n, L, fine.side)
	}
	nblocks := (n + gramRows - 1) / gramRows
	for t0 := 0; t0 < ntiles; t0 += len(slots) {
		cnt := min(len(slots), ntiles-t0)
		err := forEach(ctx, 0, cnt, func(i int) error {
			b.prepareGramTile(&slots[i], t0+i, params, n)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("gram: %w", err)
		}
		err = forEach(ctx, 0, nblocks, func(blk int) error {
			r0, r1 := blk*gramRows, min((blk+1)*gramRows, n)
			for i := range cnt {
				slots[i].addRows(g, sums, n, L, r0, r1)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("gram: %w", err)
		}
	}
	// addRows filled the upper triangle (and the lower part of the diagonal
	// blocks, overwritten here); scale by the mean's 1/L once, at the end.
	inv2, inv := 1/float64(L*L), 1/float64(L)
	for i := range n {
		for j := i; j < n; j++ {
			v := g[i*n+j] * inv2
			g[i*n+j], g[j*n+i] = v, v
		}
		sums[i] *= inv
	}
	return g, sums, nil
}

// gramTile holds one finest tile's terms.
type gramTile struct {
	v  []float64 // L × band pixels: the layers' patch values on a band of the tile
	c  []float64 // L × L: V·Vᵀ (upper triangle)
	rs []float64 // L: V·1
	p  []float64 // n × L: each trial's parameters of the tile's layers
	y  []float64 // n × L: P·C
}

// gramBandRows is how many pixel rows of a finest tile of side f go in one
// band: as many as fit in gramBand pixels, at least one.
func gramBandRows(f int) int { return max(1, min(f, gramBand/f)) }

func newGramTile(n, L, f int) gramTile {
	return gramTile{
		v: make([]float64, L*gramBandRows(f)*f), c: make([]float64, L*L), rs: make([]float64, L),
		p: make([]float64, n*L), y: make([]float64, n*L),
	}
}

// prepareGramTile fills gt for finest tile ti (row-major over the tiles):
// C = V·Vᵀ and rs = V·1 over the tile's pixels band by band, then the
// trials' parameters of its layers P and Y = P·C.
func (b *Basis) prepareGramTile(gt *gramTile, ti int, params []float64, n int) {
	S, L := b.nscales, b.layers()
	fine := &b.scales[S-1]
	f := fine.side
	ty, tx := ti/fine.tiles, ti%fine.tiles
	impl := blas64.Implementation()
	clear(gt.rs)
	bandRows := gramBandRows(f)
	for y0 := 0; y0 < f; y0 += bandRows {
		h := min(bandRows, f-y0)
		m := h * f // pixels in the band
		for s := range b.scales {
			sb := &b.scales[s]
			shift := S - 1 - s
			// T's corner inside the scale's tile that holds it.
			py0, px0 := (ty&(1<<shift-1))*f+y0, (tx&(1<<shift-1))*f
			for k := range layersPerScale {
				l := s*layersPerScale + k
				row := gt.v[l*m : (l+1)*m]
				sum := 0.0
				for py := range h {
					src := sb.values[((py0+py)*sb.side+px0)*layersPerScale:]
					for px := range f {
						v := src[px*layersPerScale+k]
						row[py*f+px] = v
						sum += v
					}
				}
				gt.rs[l] += sum
			}
		}
		beta := 1.0
		if y0 == 0 {
			beta = 0
		}
		impl.Dsyrk(blas.Upper, blas.NoTrans, L, m, 1, gt.v[:L*m], m, beta, gt.c, L)
	}
	for s := range b.scales {
		sb := &b.scales[s]
		shift := S - 1 - s
		r, c := ty>>shift, tx>>shift // the scale's tile holding T
		for k := range layersPerScale {
			l, idx := s*layersPerScale+k, sb.paramIndex(k, r, c)
			for i := range n {
				gt.p[i*L+l] = params[i*b.nparams+idx]
			}
		}
	}
	impl.Dsymm(blas.Right, blas.Upper, n, L, 1, gt.c, L, gt.p, L, 0, gt.y, L)
}

// addRows adds the tile's terms to rows [r0, r1) of g's upper triangle and
// of sums: G[r0:r1, r0:n] += Y[r0:r1]·P[r0:n]ᵀ, s[r0:r1] += P[r0:r1]·rs.
func (gt *gramTile) addRows(g, sums []float64, n, L, r0, r1 int) {
	impl := blas64.Implementation()
	impl.Dgemm(blas.NoTrans, blas.Trans, r1-r0, n-r0, L, 1,
		gt.y[r0*L:], L, gt.p[r0*L:], L, 1, g[r0*n+r0:], n)
	for i := r0; i < r1; i++ {
		sums[i] += impl.Ddot(L, gt.p[i*L:], 1, gt.rs, 1)
	}
}
