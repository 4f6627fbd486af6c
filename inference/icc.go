package inference

import (
	"fmt"
	"math"
)

// ICC is NewMoments followed by (*Moments).ICC.
func ICC(d Design, w [][]float64) (icc31, icc3k float64, err error) {
	mo, err := newMoments(d, w, formAuto)
	if err != nil {
		return math.NaN(), math.NaN(), fmt.Errorf("inference: icc: %w", err)
	}
	icc31, icc3k = mo.ICC()
	return icc31, icc3k, nil
}

// ICC returns the intraclass correlations ICC(3,1) and ICC(3,k) of the
// P × k table X[p][r] = CI_r(p), pixels as targets and replies as raters
// (SPEC, Analysis; Shrout & Fleiss 1979, case 3, McGraw & Wong 1996's
// "two-way mixed, consistency" single and average measures):
//
//	MSR = SS_rows/(P−1),  MSE = SS_err/((P−1)(k−1))
//	ICC(3,1) = (MSR − MSE)/(MSR + (k−1)·MSE),  ICC(3,k) = (MSR − MSE)/MSR
//
// From the moments, with S(p) = Σ_r CI_r(p): SS_rows = Σ_p (S(p) − S̄)²/k =
// 1ᵀH̃1/k, and SS_err = SS_total − SS_rows − SS_cols = tr(H̃) − 1ᵀH̃1/k (the
// raters' means, SS_cols, cancel out of the centred form). Both are NaN when
// undefined: fewer than 2 pixels, or the replies' summed CI constant over
// pixels (MSR = 0).
func (mo *Moments) ICC() (icc31, icc3k float64) {
	k := float64(mo.k)
	var tr float64
	for _, v := range mo.diag {
		tr += v
	}
	ssRows := mo.total / k
	ssErr := max(0, tr-ssRows) // ≥ 0 exactly; rounding may cross it
	uncentred := (mo.total + mo.msum*mo.msum/mo.pixels) / k
	if mo.pixels < 2 || !defined(ssRows, uncentred) {
		return math.NaN(), math.NaN()
	}
	msr := ssRows / (mo.pixels - 1)
	mse := ssErr / ((mo.pixels - 1) * (k - 1))
	return (msr - mse) / (msr + (k-1)*mse), (msr - mse) / msr
}
