package inference

import (
	"fmt"
	"strings"
)

// Replies are given as a weight matrix W, one row per reply and one column
// per pair: W[r][i] is what pair i's noise counts in reply r's CI, so that
// CI_r = Σ_i W[r][i]·c_i. For rcicr's CI (SPEC, Results) that is
// response_i / n_answered_r with response +1 (ori chosen), −1 (inv chosen),
// 0 (timeout): ReplyWeights builds such a row. Any finite weights are
// accepted, so callers may also pass other linear CIs.

// ReplyWeights returns a reply's row of W from its response per pair (+1
// ori chosen, −1 inv chosen, 0 timeout): response_i/answered. Timeouts weigh
// 0 and are not counted in answered, which is rcicr's "dropped, never counted
// as 0". A reply without an answered trial has no CI: ErrNoAnswers.
func ReplyWeights(responses []int8) ([]float64, error) {
	if err := checkLimit("pairs", len(responses), MaxPairs); err != nil {
		return nil, fmt.Errorf("inference: weights: %w", err)
	}
	answered := 0
	for i, r := range responses {
		switch r {
		case -1, 1:
			answered++
		case 0:
		default:
			return nil, fmt.Errorf("inference: weights: %w", &ValueError{What: "responses", Index: i})
		}
	}
	if answered == 0 {
		return nil, fmt.Errorf("inference: weights: %w", ErrNoAnswers)
	}
	w := make([]float64, len(responses))
	for i, r := range responses {
		w[i] = float64(r) / float64(answered)
	}
	return w, nil
}

// checkWeights checks that W has at least need rows, at most MaxReplies,
// each of n finite values. set names Compare's set ("a", "b") in the
// errors, "" the one set of the reliability statistics.
func checkWeights(set string, w [][]float64, n, need int) error {
	if len(w) < need {
		return &TooFewRepliesError{Set: set, Have: len(w), Need: need}
	}
	what := strings.TrimSpace(set + " weights")
	if err := checkLimit(what+" rows", len(w), MaxReplies); err != nil {
		return err
	}
	for r, row := range w {
		if len(row) != n {
			return &ShapeError{What: fmt.Sprintf("%s row %d", what, r), Got: len(row), Want: n}
		}
		if i := allFinite(row); i >= 0 {
			return &ValueError{What: fmt.Sprintf("%s row %d", what, r), Index: i}
		}
	}
	return nil
}

// flatten copies checked weight rows into dst (row-major, len(rows)·n).
func flatten(rows [][]float64, n int, dst []float64) {
	for r, row := range rows {
		copy(dst[r*n:(r+1)*n], row)
	}
}
