package results

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Responders is how many random responders make an infoVal reference, as in
// rcicr's computeInfoVal2IFC(iter = 10000).
const Responders = 10000

// responderStream is the PCG stream constant ("psyxresp"); with the pack's
// seed it fixes the random responders for good.
const responderStream = 0x7073797872657370

// responderSigns draws the responses (±1 with equal odds) of k random
// responders to n pairs: for each responder in turn, ⌈n/64⌉ draws of
// PCG(seed, responderStream).Uint64(), bit i%64 of draw i/64 set meaning +1
// for pair i. math/rand/v2's PCG is specified, so the same seed gives the
// same responders on every machine and release; a reply restricted to its
// answered pairs S uses each responder restricted to S.
//
// The result is stored transposed, pair-major (Rᵀ, n×k: responder kk's
// response to pair i at i*k+kk), so that the infoVal code reads one pair's
// responses over all responders as one contiguous run.
func responderSigns(seed uint64, k, n int) []int8 {
	rng := rand.New(rand.NewPCG(seed, responderStream))
	rt := make([]int8, n*k)
	for kk := range k {
		var bits uint64
		for i := range n {
			if i%64 == 0 {
				bits = rng.Uint64()
			}
			rt[i*k+kk] = int8(bits>>(i%64)&1)*2 - 1
		}
	}
	return rt
}

// refChunk is how many responders are handled at once: long enough runs for
// BLAS level-1 calls to amortise their overhead, short enough that one
// chunk's rows stay in cache.
const refChunk = 2048

// referenceMQ computes, from Rᵀ (n×k, as responderSigns) and G (n×n),
// Mᵀ = G·Rᵀ (n×k: M = R·G transposed, as G is symmetric) and Q_k = Σ_i
// R_ki·M_ki = r_kᵀ G r_k, the squared norm (in d units) of responder k's
// summed noise over all pairs. All values are integers below 2^53, so
// float64 holds them exactly.
func referenceMQ(ctx context.Context, rt []int8, g []float64, k, n int) (mt, q []float64, err error) {
	mt = make([]float64, n*k)
	q = make([]float64, k)
	b := make([]float64, n*refChunk)
	impl := blas64.Implementation()
	for c0 := 0; c0 < k; c0 += refChunk {
		if err := ctx.Err(); err != nil { // a chunk is a fraction of a second
			return nil, nil, fmt.Errorf("results: compute: %w", err)
		}
		cols := min(refChunk, k-c0)
		for i := range n {
			row, src := b[i*cols:(i+1)*cols], rt[i*k+c0:]
			for c := range row {
				row[c] = float64(src[c])
			}
		}
		impl.Dgemm(blas.NoTrans, blas.NoTrans, n, cols, n, 1, g, n, b, cols, 0, mt[c0:], k)
	}
	qOf(rt, mt, n, k, q)
	return mt, q, nil
}

// qOf sets q_k = Σ_i Rᵀ_ik·Mᵀ_ik, in one fixed order (i ascending) so that
// Open can recompute it bit for bit.
func qOf(rt []int8, mt []float64, n, k int, q []float64) {
	clear(q)
	for i := range n {
		r, m := rt[i*k:(i+1)*k], mt[i*k:(i+1)*k]
		for c := range q {
			q[c] += float64(r[c]) * m[c]
		}
	}
}
