package inference

import (
	"fmt"
	"math"
)

// DefaultInfluenceThreshold is the robust z below which a reply is flagged
// influential (SPEC, Analysis: z < −2.5).
const DefaultInfluenceThreshold = -2.5

// madTol: r_j is computed to about 1e-15; a MAD below 1e-12 is a spread of
// rounding, not of data.
const madTol = 1e-12

// Influence is one reply's leave-one-out figures. A value that is undefined
// is NaN in Go and null in JSON.
type Influence struct {
	Reply       int     `json:"reply"`       // row of W
	R           float64 `json:"r"`           // Pearson r, group CI vs group CI without this reply
	Z           float64 `json:"z"`           // robust z of R among all replies
	Influential bool    `json:"influential"` // Z below the threshold
}

// LeaveOneOut is NewMoments followed by (*Moments).LeaveOneOut with
// DefaultInfluenceThreshold.
func LeaveOneOut(d Design, w [][]float64) ([]Influence, error) {
	mo, err := newMoments(d, w, formAuto)
	if err != nil {
		return nil, fmt.Errorf("inference: leave-one-out: %w", err)
	}
	return mo.LeaveOneOut(DefaultInfluenceThreshold)
}

// LeaveOneOut returns, per reply j, the Pearson correlation r_j over pixels
// between the group CI and the group CI without reply j, its robust z =
// (r_j − median)/MAD over all replies (R's median and mad(), constant
// 1.4826), and whether z < threshold (SPEC, Analysis, after rcicrely's
// leave-one-out influence). It needs k ≥ 3: with two replies the group CI without one
// is the other reply, and the two z would be ±0.6745 whatever the data
// (ErrTooFewReplies).
//
// r_j is undefined (NaN) when the group CI, or the group CI without j, is
// constant over pixels; such replies are left out of the median and MAD.
// z is NaN for every reply when the MAD is 0 (more than half the r_j equal;
// R would give ±Inf, which JSON cannot hold) or below madTol, the rounding
// of r; then no reply is influential.
//
// With S = Σ_r X̃_r, Pearson ignores the 1/k and 1/(k−1) of the means, so
// r_j = S·(S − X̃_j)/(|S|·|S − X̃_j|), where S·S = 1ᵀH̃1, S·X̃_j = (H̃·1)_j
// and X̃_j·X̃_j = H̃_jj: O(1) per reply from the moments.
func (mo *Moments) LeaveOneOut(threshold float64) ([]Influence, error) {
	if mo.k < 3 {
		return nil, fmt.Errorf("inference: leave-one-out: %w", &TooFewRepliesError{Have: mo.k, Need: 3})
	}
	if math.IsNaN(threshold) {
		return nil, fmt.Errorf("inference: leave-one-out: %w: threshold NaN", ErrBadOption)
	}
	out := make([]Influence, mo.k)
	rs := make([]float64, 0, mo.k)
	ss := mo.total
	for j := range out {
		out[j] = Influence{Reply: j, R: math.NaN(), Z: math.NaN()}
		rest := ss - 2*mo.h1[j] + mo.diag[j]
		mRest := mo.msum - mo.m[j]
		if !defined(ss, ss+mo.msum*mo.msum/mo.pixels) || !defined(rest, rest+mRest*mRest/mo.pixels) {
			continue
		}
		out[j].R = clampCorr((ss - mo.h1[j]) / math.Sqrt(ss*rest))
		rs = append(rs, out[j].R)
	}
	med, mad := medianMAD(rs)
	if !(mad > madTol) {
		return out, nil
	}
	for j := range out {
		if math.IsNaN(out[j].R) {
			continue
		}
		out[j].Z = (out[j].R - med) / mad
		out[j].Influential = out[j].Z < threshold
	}
	return out, nil
}
