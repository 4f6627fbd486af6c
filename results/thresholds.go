package results

import (
	"errors"
	"fmt"
)

// Thresholds decide a quality row's flags. They are the service's
// [quality] settings (config embeds this type): one set of names, one set
// of defaults.
type Thresholds struct {
	TimeoutRate float64 `toml:"timeout_rate"`  // flag "timeouts" above this share of timeouts
	FastRT      float64 `toml:"fast_rt"`       // an answer faster than this (seconds) is fast
	FastRate    float64 `toml:"fast_rate"`     // flag "fast" above this share of fast answers
	SideMin     float64 `toml:"side_min"`      // flag "side-bias" when the share of F is outside
	SideMax     float64 `toml:"side_max"`      //   [side_min, side_max]
	OriMin      float64 `toml:"ori_min"`       // flag "ori-bias" when the share choosing ori is outside
	OriMax      float64 `toml:"ori_max"`       //   [ori_min, ori_max]
	InfoValMin  float64 `toml:"infoval_min"`   // flag "low-infoval" below this
	BlurMax     int     `toml:"blur_max"`      // flag "inattentive" when the page lost focus more often
	HiddenMSMax int     `toml:"hidden_ms_max"` //   or was hidden longer (ms) than this
	// Flag "impossible-time" when the server saw the run take less than
	// this share of the response times it claims…
	MinDurationShare float64 `toml:"min_duration_share"`
	// …or less than this many seconds a trial answered.
	MinTrialSeconds float64 `toml:"min_trial_seconds"`
	// Flag "influential" when a reply's leave-one-out robust z is below.
	InfluenceZ float64 `toml:"influence_z"`
}

// DefaultThresholds are the thresholds when none are configured.
func DefaultThresholds() Thresholds {
	return Thresholds{
		TimeoutRate: 0.10, FastRT: 0.2, FastRate: 0.05,
		SideMin: 0.2, SideMax: 0.8, OriMin: 0.2, OriMax: 0.8,
		InfoValMin: 1.96, BlurMax: 3, HiddenMSMax: 10000,
		MinDurationShare: 0.9, MinTrialSeconds: 0.2, InfluenceZ: -2.5,
	}
}

// Validate checks that shares are shares and bounds are ordered.
func (th Thresholds) Validate() error {
	var errs []error
	for _, v := range []struct {
		name string
		v    float64
	}{{"timeout_rate", th.TimeoutRate}, {"fast_rate", th.FastRate}, {"side_min", th.SideMin},
		{"side_max", th.SideMax}, {"ori_min", th.OriMin}, {"ori_max", th.OriMax}} {
		if !(v.v >= 0 && v.v <= 1) {
			errs = append(errs, fmt.Errorf("quality.%s %v: must be a share in [0, 1]", v.name, v.v))
		}
	}
	if th.SideMin > th.SideMax || th.OriMin > th.OriMax {
		errs = append(errs, errors.New("quality: side_min/ori_min must not exceed side_max/ori_max"))
	}
	if !(th.FastRT >= 0 && th.FastRT <= 60) {
		errs = append(errs, fmt.Errorf("quality.fast_rt %v: must be seconds in [0, 60]", th.FastRT))
	}
	if !(th.MinDurationShare >= 0 && th.MinDurationShare <= 1) || !(th.MinTrialSeconds >= 0 && th.MinTrialSeconds <= 60) {
		errs = append(errs, errors.New("quality: min_duration_share must be a share in [0, 1], min_trial_seconds seconds in [0, 60]"))
	}
	if !(th.InfluenceZ < 0) {
		errs = append(errs, fmt.Errorf("quality.influence_z %v: must be below 0", th.InfluenceZ))
	}
	if th.BlurMax < 0 || th.HiddenMSMax < 0 {
		errs = append(errs, errors.New("quality: blur_max and hidden_ms_max must not be negative"))
	}
	return errors.Join(errs...)
}
