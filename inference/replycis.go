package inference

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// noiseBlockBytes bounds the float64 blocks of noise and of per-reply CIs
// held while the per-reply CIs are computed (16 MB each).
const noiseBlockBytes = 16 << 20

// replyCIs are the k per-reply CIs of Compare's two sets (a's rows first),
// X = W·C with C the n×P noise, kept for the permutations.
//
// Precision: each pixel is first centred on its mean over all k replies
// (Welch's t is unchanged when both sets are shifted by the same amount),
// then stored as float32. Centring removes the common offset, so the values
// a permutation sums are of the order of the between-reply spread and its
// Q − S²/n loses no more digits than the data have; float32 halves the
// memory (105 MB for 100 replies of 512×512). The observed t map is not
// computed from these: see computeReplyCIs.
type replyCIs struct {
	k, ka, kb int
	pixels    int
	x         []float32 // k×P, row-major: reply r's CI is x[r*P:(r+1)*P]
	sum       []float64 // Σ_r x[r][p], of the stored float32 values
	sq        []float64 // Σ_r x[r][p]², likewise
}

// computeReplyCIs computes X = W·C block by block of pixels (Dgemm of the
// k×n weights with the n×B noise block from NoiseBlock) and returns the
// float32 store and the observed t map, which is computed from each float64
// block before it is rounded: per pixel, each set's mean and sum of squared
// deviations in two passes, then Welch's t. wall holds the k×n weights, a's
// ka rows then b's kb rows.
func computeReplyCIs(ctx context.Context, d Design, sh shape, wall []float64, ka, kb int) (*replyCIs, []float64, error) {
	k, n, p := ka+kb, sh.n, sh.pixels
	rc := &replyCIs{k: k, ka: ka, kb: kb, pixels: p,
		x: make([]float32, k*p), sum: make([]float64, p), sq: make([]float64, p)}
	tmap := make([]float64, p)
	bp := min(p, max(64, noiseBlockBytes/(8*max(n, k))))
	noise := make([]float64, n*bp)
	xb := make([]float64, k*bp)
	acc := make([]float64, 4*bp) // per pixel of the block: Σa, Σb, then SSa, SSb
	impl := blas64.Implementation()
	na, nb := float64(ka), float64(kb)
	for p0 := 0; p0 < p; p0 += bp {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		bw := min(bp, p-p0)
		if err := d.NoiseBlock(ctx, p0, p0+bw, noise[:n*bw]); err != nil {
			return nil, nil, fmt.Errorf("noise block [%d, %d): %w", p0, p0+bw, err)
		}
		impl.Dgemm(blas.NoTrans, blas.NoTrans, k, bw, n, 1, wall, n, noise, bw, 0, xb, bw)
		if i := allFinite(xb[:k*bw]); i >= 0 { // a weighted sum of finite noise is finite
			return nil, nil, &ValueError{What: "noise", Index: p0 + i%bw}
		}
		sa, sb, ssa, ssb := acc[:bw], acc[bp:bp+bw], acc[2*bp:2*bp+bw], acc[3*bp:3*bp+bw]
		clear(acc)
		for r := range k {
			dst := sa
			if r >= ka {
				dst = sb
			}
			for j, v := range xb[r*bw : (r+1)*bw] {
				dst[j] += v
			}
		}
		for j := range bw {
			sa[j] /= na // the means from here on
			sb[j] /= nb
		}
		for r := range k {
			m, dst := sa, ssa
			if r >= ka {
				m, dst = sb, ssb
			}
			for j, v := range xb[r*bw : (r+1)*bw] {
				dev := v - m[j]
				dst[j] += dev * dev
			}
		}
		for j := range bw {
			tmap[p0+j] = welchT(sa[j], sb[j], ssa[j]/(na-1), ssb[j]/(nb-1), na, nb)
			sa[j] = (na*sa[j] + nb*sb[j]) / float64(k) // the pooled mean from here on
		}
		for r := range k {
			row := rc.x[r*p+p0 : r*p+p0+bw]
			for j, v := range xb[r*bw : (r+1)*bw] {
				c := float32(v - sa[j])
				row[j] = c
				rc.sum[p0+j] += float64(c)
				rc.sq[p0+j] += float64(c) * float64(c)
			}
		}
	}
	return rc, tmap, nil
}
