package inference

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// synthDesign is a Design of a big pack for the benchmarks, generated from
// a seed instead of read from disk: pair i's noise is c_i = Σ_q A[i][q]·φ_q
// over 64 smooth separable basis images φ_(a,b)(x, y) = cos(πa(x+½)/w)·
// cos(πb(y+½)/h), a, b < 8, with A standard normal. NoiseBlock computes the
// block with one Dgemm, and the Gram matrix and pixel sums follow exactly
// from the basis (G = A·(ΦΦᵀ)·Aᵀ), so making the design costs no pass over
// the pixels — like the service, which keeps the Gram matrix per pack.
type synthDesign struct {
	n, w, h int
	a       []float64 // n×q
	ux, vy  [][]float64
	gram    []float64
	sums    []float64
}

const synthFreqs = 8 // per axis: 64 basis images

func newSynthDesign(n, w, h int, seed uint64) *synthDesign {
	rng := rand.New(rand.NewPCG(seed, 9))
	q := synthFreqs * synthFreqs
	d := &synthDesign{n: n, w: w, h: h, a: make([]float64, n*q)}
	for i := range d.a {
		d.a[i] = 0.05 * rng.NormFloat64()
	}
	d.ux, d.vy = cosines(w), cosines(h)
	// ΦΦᵀ and Φ·1, separable: ⟨φ_ab, φ_cd⟩ = ⟨u_a, u_c⟩·⟨v_b, v_d⟩.
	phi := make([]float64, q*q)
	phiSum := make([]float64, q)
	for qa := range q {
		a, b := qa/synthFreqs, qa%synthFreqs
		phiSum[qa] = sum(d.ux[a]) * sum(d.vy[b])
		for qc := range q {
			c, e := qc/synthFreqs, qc%synthFreqs
			phi[qa*q+qc] = dot(d.ux[a], d.ux[c]) * dot(d.vy[b], d.vy[e])
		}
	}
	impl := blas64.Implementation()
	ap := make([]float64, n*q)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, n, q, q, 1, d.a, q, phi, q, 0, ap, q)
	d.gram = make([]float64, n*n)
	impl.Dgemm(blas.NoTrans, blas.Trans, n, n, q, 1, ap, q, d.a, q, 0, d.gram, n)
	d.sums = make([]float64, n)
	impl.Dgemv(blas.NoTrans, n, q, 1, d.a, q, phiSum, 1, 0, d.sums, 1)
	return d
}

func cosines(size int) [][]float64 {
	out := make([][]float64, synthFreqs)
	for f := range out {
		out[f] = make([]float64, size)
		for x := range size {
			out[f][x] = math.Cos(math.Pi * float64(f) * (float64(x) + 0.5) / float64(size))
		}
	}
	return out
}

func dot(a, b []float64) (s float64) {
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func sum(a []float64) (s float64) {
	for _, v := range a {
		s += v
	}
	return s
}

func (d *synthDesign) Pairs() int           { return d.n }
func (d *synthDesign) Size() (int, int)     { return d.w, d.h }
func (d *synthDesign) Gram() []float64      { return d.gram }
func (d *synthDesign) PixelSums() []float64 { return d.sums }
func (d *synthDesign) templateDots(t []float64) []float64 {
	// ⟨c_i, Σ_q t_q φ_q⟩ = (A·ΦΦᵀ·t)_i, from the Gram of the basis.
	q := synthFreqs * synthFreqs
	out := make([]float64, d.n)
	for i := range d.n {
		for qa := range q {
			a, b := qa/synthFreqs, qa%synthFreqs
			for qc := range q {
				if t[qc] == 0 {
					continue
				}
				c, e := qc/synthFreqs, qc%synthFreqs
				out[i] += d.a[i*q+qa] * dot(d.ux[a], d.ux[c]) * dot(d.vy[b], d.vy[e]) * t[qc]
			}
		}
	}
	return out
}

func (d *synthDesign) NoiseBlock(ctx context.Context, p0, p1 int, dst []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q, bw := synthFreqs*synthFreqs, p1-p0
	basis := make([]float64, q*bw)
	for qa := range q {
		u, v := d.ux[qa/synthFreqs], d.vy[qa%synthFreqs]
		row := basis[qa*bw : (qa+1)*bw]
		for j := range row {
			p := p0 + j
			row[j] = u[p%d.w] * v[p/d.w]
		}
	}
	blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, d.n, bw, q, 1, d.a, q, basis, bw, 0, dst, bw)
	return nil
}

// synthReplies simulates k replies on d: an observer with a template
// (weights over the basis; nil: a random responder) picks ori when the
// template's dot with the pair's noise plus unit-sd internal noise is > 0,
// and times out on 5 % of the pairs.
func synthReplies(d *synthDesign, k int, template []float64, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 10))
	var dots []float64
	if template != nil {
		dots = d.templateDots(template)
		var ss float64
		for _, v := range dots {
			ss += v * v
		}
		for i := range dots {
			dots[i] /= math.Sqrt(ss / float64(len(dots)))
		}
	}
	rows := make([][]float64, k)
	for r := range rows {
		resp := make([]int8, d.n)
		for i := range resp {
			s := rng.NormFloat64()
			if dots != nil {
				s += dots[i]
			}
			resp[i] = -1
			if s > 0 {
				resp[i] = 1
			}
			if i > 0 && rng.Float64() < 0.05 {
				resp[i] = 0
			}
		}
		w, err := ReplyWeights(resp)
		if err != nil {
			panic(err) // pair 0 is always answered
		}
		rows[r] = w
	}
	return rows
}

// TestSynthDesignIsConsistent: the benchmarks' Gram matrix and pixel sums,
// derived from the basis, are those of the noise NoiseBlock generates.
func TestSynthDesignIsConsistent(t *testing.T) {
	d := newSynthDesign(5, 24, 16, 3)
	p := d.w * d.h
	flat := make([]float64, d.n*p)
	if err := d.NoiseBlock(context.Background(), 0, p, flat); err != nil {
		t.Fatal(err)
	}
	noise := make([][]float64, d.n)
	for i := range noise {
		noise[i] = flat[i*p : (i+1)*p]
	}
	mem, err := NewMemDesign(d.w, d.h, noise)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range mem.Gram() {
		closeTo(t, "Gram", d.gram[i], g, 1e-12)
	}
	for i, s := range mem.PixelSums() {
		closeTo(t, "pixel sum", d.sums[i], s, 1e-12)
	}
	// A block in the middle is the same pixels as the whole.
	block := make([]float64, d.n*10)
	if err := d.NoiseBlock(context.Background(), 100, 110, block); err != nil {
		t.Fatal(err)
	}
	for i := range d.n {
		for j := range 10 {
			closeTo(t, "block pixel", block[i*10+j], noise[i][100+j], 1e-14)
		}
	}
}
