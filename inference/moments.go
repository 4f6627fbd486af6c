package inference

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Moments holds, for one set of k replies on one Design, everything that a
// Pearson correlation or a two-way ANOVA over pixels of the replies' CIs
// needs (see doc.go): with X̃_r = CI_r minus its own pixel mean,
//
//	H̃ = W·G̃·Wᵀ, G̃ = G − s·sᵀ/P   (H̃_rs = Σ_p X̃_r(p)·X̃_s(p))
//	m = W·s                       (m_r = Σ_p CI_r(p))
//
// Building it costs O(k·n² + k²·n) flops and never touches a pixel; after
// that a split costs O(k²) (or O(k·n + n²) when k ≫ n) and a leave-one-out
// O(1) per reply. A *Moments is read-only after NewMoments and safe for
// concurrent use.
type Moments struct {
	k, n   int
	pixels float64
	m      []float64 // m_r = Σ_p CI_r(p)
	msum   float64   // Σ_r m_r = Σ_p of the CIs' sum
	h1     []float64 // (H̃·1)_r = Σ_p X̃_r(p)·Σ_s X̃_s(p)
	diag   []float64 // H̃_rr = Σ_p X̃_r(p)²
	total  float64   // 1ᵀH̃1 = Σ_p (Σ_r X̃_r(p))²

	// Exactly one form answers a split's Σ_{r,s∈A} H̃_rs: the k×k matrix hc,
	// or, when k is much larger than n (H̃ would cost more than G̃), the
	// weights wf (k×n) and gc = G̃ (n×n) through uᵀ·G̃·u with u = Σ_{r∈A} W_r.
	hc []float64
	wf []float64
	gc []float64
}

// zeroTol: a centred sum of squares at most this fraction of its uncentred
// counterpart (Σ x² with the mean left in) is zero up to rounding: the CI
// it belongs to is constant over pixels and a correlation with it is
// undefined. Rounding of G̃ = G − s·sᵀ/P is a few ulps of the uncentred
// value, far below 1e-10 of it.
const zeroTol = 1e-10

// maxHReplies bounds the k×k matrix H̃ (128 MB); larger sets use the n-space
// form.
const maxHReplies = 4096

// form chooses how a split's sum over H̃ is answered (tests force each).
type form int

const (
	formAuto form = iota
	formH         // the k×k matrix H̃
	formN         // uᵀ·G̃·u in pair space
)

// NewMoments checks the design and the weights (k ≥ 2 rows of n finite
// values; see weights.go) and computes the replies' moments.
func NewMoments(d Design, w [][]float64) (*Moments, error) {
	mo, err := newMoments(d, w, formAuto)
	if err != nil {
		return nil, fmt.Errorf("inference: moments: %w", err)
	}
	return mo, nil
}

func newMoments(d Design, w [][]float64, f form) (*Moments, error) {
	sh, err := checkDesign(d, true)
	if err != nil {
		return nil, err
	}
	n := sh.n
	if err := checkWeights("", w, n, 2); err != nil {
		return nil, err
	}
	k := len(w)
	if err := checkLimit("weights (replies × pairs)", k*n, MaxWeightCells); err != nil {
		return nil, err
	}
	if f == formAuto {
		f = formN
		half := k / 2
		if k <= maxHReplies && half*half <= half*n+n*n {
			f = formH
		}
	}
	mo := &Moments{k: k, n: n, pixels: float64(sh.pixels)}
	impl := blas64.Implementation()

	// G̃ = G − s·sᵀ/P: the Gram matrix of the noise images with each image's
	// pixel mean removed, so that every H̃ entry is a centred cross-product
	// and Pearson needs no further mean correction.
	g, s := d.Gram(), d.PixelSums()
	gc := make([]float64, n*n)
	for i := range n {
		si := s[i] / mo.pixels
		for j := range n {
			gc[i*n+j] = g[i*n+j] - si*s[j]
		}
	}
	wf := make([]float64, k*n)
	flatten(w, n, wf)

	mo.m = make([]float64, k)
	impl.Dgemv(blas.NoTrans, k, n, 1, wf, n, s, 1, 0, mo.m, 1)
	for _, v := range mo.m {
		mo.msum += v
	}

	// H̃·1 = W·G̃·(Wᵀ·1) without forming H̃.
	u1 := make([]float64, n)
	for r := range k {
		impl.Daxpy(n, 1, wf[r*n:(r+1)*n], 1, u1, 1)
	}
	g1 := make([]float64, n)
	impl.Dgemv(blas.NoTrans, n, n, 1, gc, n, u1, 1, 0, g1, 1)
	mo.h1 = make([]float64, k)
	impl.Dgemv(blas.NoTrans, k, n, 1, wf, n, g1, 1, 0, mo.h1, 1)
	mo.total = impl.Ddot(n, u1, 1, g1, 1)

	// diag(H̃), and H̃ itself when asked, by blocks of rows: W_blk·G̃, then
	// its rows dotted with W's (diagonal) or multiplied by Wᵀ (H̃ rows).
	if f == formH {
		mo.hc = make([]float64, k*k)
	} else {
		mo.wf, mo.gc = wf, gc
	}
	mo.diag = make([]float64, k)
	const rowBlock = 256
	wg := make([]float64, min(k, rowBlock)*n)
	for r0 := 0; r0 < k; r0 += rowBlock {
		rb := min(rowBlock, k-r0)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, rb, n, n, 1, wf[r0*n:], n, gc, n, 0, wg, n)
		for i := range rb {
			mo.diag[r0+i] = impl.Ddot(n, wg[i*n:], 1, wf[(r0+i)*n:], 1)
		}
		if mo.hc != nil {
			impl.Dgemm(blas.NoTrans, blas.Trans, rb, k, n, 1, wg, n, wf, n, 0, mo.hc[r0*k:], k)
		}
	}
	return mo, nil
}

// Replies returns k, the number of replies.
func (mo *Moments) Replies() int { return mo.k }

// defined reports whether a centred sum of squares is above rounding of its
// uncentred counterpart, i.e. the CI it belongs to is not constant.
func defined(centred, uncentred float64) bool {
	return centred > zeroTol*uncentred && centred > 0
}

// halfCorr returns the Pearson correlation over pixels between the sum of
// the CIs of the replies in a and the sum of the others' (equal to that of
// the two halves' mean CIs: Pearson ignores positive scale), or NaN when
// either sum is constant over pixels. u and v are scratch of n values (the
// n-space form only).
//
// With A = Σ_{r∈a} X̃_r and B = Σ_{r∉a} X̃_r:
// A·A = Σ_{r,s∈a} H̃_rs, A·(A+B) = Σ_{r∈a} (H̃·1)_r, so A·B = A·(A+B) − A·A
// and B·B = 1ᵀH̃1 − A·A − 2·A·B.
func (mo *Moments) halfCorr(a []int, u, v []float64) float64 {
	var aa, a1, ma float64
	if mo.hc != nil {
		for _, r := range a {
			row := mo.hc[r*mo.k : (r+1)*mo.k]
			for _, s := range a {
				aa += row[s]
			}
		}
	} else {
		impl := blas64.Implementation()
		clear(u)
		for _, r := range a {
			impl.Daxpy(mo.n, 1, mo.wf[r*mo.n:(r+1)*mo.n], 1, u, 1)
		}
		impl.Dsymv(blas.Upper, mo.n, 1, mo.gc, mo.n, u, 1, 0, v, 1)
		aa = impl.Ddot(mo.n, u, 1, v, 1)
	}
	for _, r := range a {
		a1 += mo.h1[r]
		ma += mo.m[r]
	}
	ab := a1 - aa
	bb := mo.total - aa - 2*ab
	mb := mo.msum - ma
	if !defined(aa, aa+ma*ma/mo.pixels) || !defined(bb, bb+mb*mb/mo.pixels) {
		return math.NaN()
	}
	return clampCorr(ab / math.Sqrt(aa*bb))
}

// clampCorr keeps a correlation computed from sums inside [−1, 1], which
// rounding can leave by an ulp.
func clampCorr(r float64) float64 {
	return max(-1, min(1, r))
}
