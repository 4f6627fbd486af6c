package inference

import (
	"context"
	"fmt"
)

// computeReplyCIsDirect is computeReplyCIs for an ImageDesign: each reply's
// CI is drawn whole, twice (a pass for the sets' means, a pass for the
// squared deviations and the centred float32 store), so that at most one
// float64 image is held at a time and the observed t map is still computed
// in float64 in two passes, as computeReplyCIs does block by block.
func computeReplyCIsDirect(ctx context.Context, d ImageDesign, sh shape, wall []float64, ka, kb int) (*replyCIs, []float64, error) {
	k, n, p := ka+kb, sh.n, sh.pixels
	rc := &replyCIs{k: k, ka: ka, kb: kb, pixels: p,
		x: make([]float32, k*p), sum: make([]float64, p), sq: make([]float64, p)}
	img := make([]float64, p)
	ma, mb := make([]float64, p), make([]float64, p)
	draw := func(r int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.WeightedNoise(ctx, wall[r*n:(r+1)*n], img); err != nil {
			return fmt.Errorf("reply %d's CI: %w", r, err)
		}
		if i := allFinite(img); i >= 0 {
			return &ValueError{What: "noise", Index: i}
		}
		return nil
	}
	for r := range k {
		if err := draw(r); err != nil {
			return nil, nil, err
		}
		dst := ma
		if r >= ka {
			dst = mb
		}
		for j, v := range img {
			dst[j] += v
		}
	}
	na, nb := float64(ka), float64(kb)
	for j := range p {
		ma[j] /= na
		mb[j] /= nb
	}
	ssa, ssb := make([]float64, p), make([]float64, p)
	for r := range k {
		if err := draw(r); err != nil {
			return nil, nil, err
		}
		m, dst := ma, ssa
		if r >= ka {
			m, dst = mb, ssb
		}
		row := rc.x[r*p : (r+1)*p]
		for j, v := range img {
			dev := v - m[j]
			dst[j] += dev * dev
			c := float32(v - (na*ma[j]+nb*mb[j])/float64(k)) // centred on the pooled mean
			row[j] = c
			rc.sum[j] += float64(c)
			rc.sq[j] += float64(c) * float64(c)
		}
	}
	tmap := make([]float64, p)
	for j := range p {
		tmap[j] = welchT(ma[j], mb[j], ssa[j]/(na-1), ssb[j]/(nb-1), na, nb)
	}
	return rc, tmap, nil
}
