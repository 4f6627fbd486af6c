package results

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/psyx-lab/psyx/trials"
)

// InfoVal returns a reply's informational value, rcicr's statistic with the
// reference matched to the reply's answered trials:
//
//	infoVal = (‖CI‖ − median(ref)) / MAD(ref)
//
// ‖·‖ the Frobenius norm, MAD with the 1.4826 factor, ref the norms of the
// CIs of the pack's Responders random responders (±1 with equal odds, fixed
// by the pack's seed) over the same answered pairs S. Every norm comes
// exactly from the Gram matrix: ‖(1/n) Σ_S r_i c_i‖ = sqrt(r_Sᵀ G_SS r_S)/n,
// and the common factor 1/n cancels in the ratio. Pairs a reply does not
// list count as timed out. No answered trial gives ErrNoAnswers (and NaN);
// a single answered pair gives NaN (every reference norm is the same, MAD 0).
func (s *Stats) InfoVal(ts []trials.Trial) (float64, error) {
	return s.infoVal(ts, &ivScratch{})
}

// ivScratch holds one worker's buffers, reused from reply to reply.
type ivScratch struct {
	resp     []int8
	a        []float64
	in, out  []int
	x, z     []float64
	norms    []float64
	answered []float64
}

func (s *Stats) infoVal(ts []trials.Trial, sc *ivScratch) (float64, error) {
	if err := s.split(ts, sc); err != nil {
		return math.NaN(), err
	}
	own := math.Sqrt(max(s.quadForm(sc.in, sc.answered, sc), 0))
	med, mad := s.fullMed, s.fullMAD
	if len(sc.out) > 0 {
		med, mad = medianMAD(s.refNorms(sc, len(sc.out) <= len(sc.in)))
	}
	return (own - med) / mad, nil
}

// split checks the trials and sets sc.in to the answered pairs (S), sc.out
// to the others (T) and sc.answered to the responses at sc.in.
func (s *Stats) split(ts []trials.Trial, sc *ivScratch) error {
	sc.resp = grow(sc.resp, s.n)
	clear(sc.resp)
	if _, err := answers(ts, sc.resp); err != nil {
		return err
	}
	sc.in, sc.out, sc.answered = sc.in[:0], sc.out[:0], sc.answered[:0]
	for i, r := range sc.resp {
		if r == 0 {
			sc.out = append(sc.out, i)
		} else {
			sc.in = append(sc.in, i)
			sc.answered = append(sc.answered, float64(r))
		}
	}
	return nil
}

// quadForm returns aᵀ G_II a for the index set I (a indexed like I).
func (s *Stats) quadForm(idx []int, a []float64, sc *ivScratch) float64 {
	sc.a = grow(sc.a, len(idx))
	for j, i := range idx {
		row := s.gram[i*s.n:]
		acc := 0.0
		for l, il := range idx {
			acc += row[il] * a[l]
		}
		sc.a[j] = acc
	}
	return floats.Dot(sc.a, a)
}

// refNorms returns, for every random responder k, ‖Σ_{i∈S} r_ki·d_i‖ (d
// units, without the 1/n) over the answered set S = sc.in, with T = sc.out
// the pairs left out, through T or through S (the caller picks the smaller):
//
//	over T: ‖·‖² = Q_k − 2 Σ_{i∈T} r_ki M_ki + r_kTᵀ G_TT r_kT
//	over S: ‖·‖² = r_kSᵀ G_SS r_kS
//
// where Q_k = r_kᵀ G r_k and M = R·G come precomputed from the file. With
// I the index set used and x_j = r_{k,I_j} = ±1, the quadratic form is
// Σ_j G_jj + 2 Σ_j x_j z_j with z_j = Σ_{l>j} G_jl x_l: half the products,
// each z_j built by BLAS Daxpy over a run of responders at once (vectors of
// refChunk, not of |I|, so the calls run at full speed). Cost K·|I|²/2
// multiply-adds. Every value is an integer below 2^53, so both ways give
// the same, exact numbers.
func (s *Stats) refNorms(sc *ivScratch, viaT bool) []float64 {
	idx := sc.in
	if viaT {
		idx = sc.out
	}
	t := len(idx)
	diag := 0.0
	for _, i := range idx {
		diag += s.gram[i*s.n+i]
	}
	sc.x = grow(sc.x, t*refChunk)
	sc.z = grow(sc.z, t*refChunk)
	sc.norms = grow(sc.norms, s.k)
	impl := blas64.Implementation()
	for c0 := 0; c0 < s.k; c0 += refChunk {
		cols := min(refChunk, s.k-c0)
		x, z := sc.x[:t*cols], sc.z[:t*cols]
		for j, i := range idx {
			xr, src := x[j*cols:(j+1)*cols], s.signs[i*s.k+c0:]
			for c := range xr {
				xr[c] = float64(src[c])
			}
		}
		clear(z)
		for j := range t {
			zj, gj := z[j*cols:(j+1)*cols], s.gram[idx[j]*s.n:]
			for l := j + 1; l < t; l++ {
				impl.Daxpy(cols, gj[idx[l]], x[l*cols:(l+1)*cols], 1, zj, 1)
			}
		}
		v := sc.norms[c0 : c0+cols]
		for c := range v {
			v[c] = diag
		}
		if viaT {
			for c, qk := range s.q[c0 : c0+cols] {
				v[c] += qk
			}
		}
		for j, i := range idx {
			xr, zr := x[j*cols:(j+1)*cols], z[j*cols:(j+1)*cols]
			if viaT {
				mr := s.mt[i*s.k+c0 : i*s.k+c0+cols]
				for c := range v {
					v[c] += 2 * xr[c] * (zr[c] - mr[c])
				}
			} else {
				for c := range v {
					v[c] += 2 * xr[c] * zr[c]
				}
			}
		}
		for c := range v {
			v[c] = math.Sqrt(max(v[c], 0))
		}
	}
	return sc.norms
}

// grow returns xs resized to n, reallocating only when too small.
func grow[T any](xs []T, n int) []T {
	if cap(xs) < n {
		return make([]T, n)
	}
	return xs[:n]
}
