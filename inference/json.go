package inference

import (
	"encoding/json"
	"math"
)

// encoding/json refuses NaN and ±Inf; the results use NaN for an undefined
// value, which these methods write as null and read back as NaN.

// nullable returns nil for a value JSON cannot hold.
func nullable(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes undefined (NaN) figures as null.
func (r SplitHalfResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Median *float64 `json:"median"`
		P2_5   *float64 `json:"p2_5"`
		P97_5  *float64 `json:"p97_5"`
		Splits int      `json:"splits"`
	}{nullable(r.Median), nullable(r.P2_5), nullable(r.P97_5), r.Splits})
}

// MarshalJSON writes undefined (NaN) figures as null.
func (in Influence) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Reply       int      `json:"reply"`
		R           *float64 `json:"r"`
		Z           *float64 `json:"z"`
		Influential bool     `json:"influential"`
	}{in.Reply, nullable(in.R), nullable(in.Z), in.Influential})
}

// orNaN reads back what nullable wrote.
func orNaN(x *float64) float64 {
	if x == nil {
		return math.NaN()
	}
	return *x
}

// UnmarshalJSON reads null (or missing) figures back as NaN.
func (r *SplitHalfResult) UnmarshalJSON(data []byte) error {
	var v struct {
		Median *float64 `json:"median"`
		P2_5   *float64 `json:"p2_5"`
		P97_5  *float64 `json:"p97_5"`
		Splits int      `json:"splits"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = SplitHalfResult{Median: orNaN(v.Median), P2_5: orNaN(v.P2_5), P97_5: orNaN(v.P97_5), Splits: v.Splits}
	return nil
}

// UnmarshalJSON reads null (or missing) figures back as NaN.
func (in *Influence) UnmarshalJSON(data []byte) error {
	var v struct {
		Reply       int      `json:"reply"`
		R           *float64 `json:"r"`
		Z           *float64 `json:"z"`
		Influential bool     `json:"influential"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*in = Influence{Reply: v.Reply, R: orNaN(v.R), Z: orNaN(v.Z), Influential: v.Influential}
	return nil
}
