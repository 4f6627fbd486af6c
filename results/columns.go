package results

import (
	"fmt"
	"math"
	"slices"
)

// Kind says how a quality column's values read.
type Kind string

// The kinds of quality columns.
const (
	KindCount   Kind = "count"   // a whole number
	KindRate    Kind = "rate"    // a share in [0, 1]
	KindSeconds Kind = "seconds" // a time in seconds
	KindMS      Kind = "ms"      // a time in milliseconds
	KindNumber  Kind = "number"  // any other number
)

// Column describes one figure of the quality table. It is the one place a
// figure is named: the JSON and CSV of the table and the results page's
// columns all come from this list, so a new statistic is a new Quality
// field, its computation in Assess, and one entry here.
type Column struct {
	Name  string `json:"name"`
	Label string `json:"label"` // what the results page shows (Korean)
	Kind  Kind   `json:"kind"`
	// Flag is the flag this column's value can raise, and Rule when, as a
	// person reads it ("> 0.1"); both empty for a column that raises none.
	Flag string `json:"flag,omitempty"`
	Rule string `json:"rule,omitempty"`
	// FlagLabel names the flag on the results page (Korean).
	FlagLabel string `json:"-"`

	value  func(q *Quality) float64
	raises func(q *Quality, th Thresholds) bool
}

// Value is the column's value in q: NaN when undefined (a rate over no
// answered trial).
func (c *Column) Value(q *Quality) float64 { return c.value(q) }

// columns is every figure of a reply's quality row, in table order.
func columns() []Column {
	outside := func(v, lo, hi float64) bool { return v < lo || v > hi }
	return []Column{
		{Name: "answered", Label: "응답", Kind: KindCount, value: func(q *Quality) float64 { return float64(q.Answered) }},
		{Name: "timeouts", Label: "시간 초과", Kind: KindCount, value: func(q *Quality) float64 { return float64(q.Timeouts) }},
		{Name: "timeout_rate", Label: "시간 초과 비율", Kind: KindRate, Flag: "timeouts", FlagLabel: "시간 초과 많음",
			value:  func(q *Quality) float64 { return q.TimeoutRate },
			raises: func(q *Quality, th Thresholds) bool { return q.TimeoutRate > th.TimeoutRate }},
		{Name: "fast_rate", Label: "빠른 응답", Kind: KindRate, Flag: "fast", FlagLabel: "너무 빠름",
			value:  func(q *Quality) float64 { return q.FastRate },
			raises: func(q *Quality, th Thresholds) bool { return q.FastRate > th.FastRate }},
		{Name: "rt_median", Label: "RT 중앙값", Kind: KindSeconds, value: func(q *Quality) float64 { return q.RTMedian }},
		{Name: "rt_cv", Label: "RT 변동계수", Kind: KindNumber, value: func(q *Quality) float64 { return q.RTCV }},
		{Name: "rt_iqr", Label: "RT 사분위 범위", Kind: KindSeconds, value: func(q *Quality) float64 { return q.RTIQR }},
		{Name: "left_rate", Label: "왼쪽(F)", Kind: KindRate, Flag: "side-bias", FlagLabel: "한쪽 치우침",
			value:  func(q *Quality) float64 { return q.LeftRate },
			raises: func(q *Quality, th Thresholds) bool { return outside(q.LeftRate, th.SideMin, th.SideMax) }},
		{Name: "ori_rate", Label: "ori 선택", Kind: KindRate, Flag: "ori-bias", FlagLabel: "ori 치우침",
			value:  func(q *Quality) float64 { return q.OriRate },
			raises: func(q *Quality, th Thresholds) bool { return outside(q.OriRate, th.OriMin, th.OriMax) }},
		// No answer carries no information: NaN is low too.
		{Name: "infoval", Label: "infoVal", Kind: KindNumber, Flag: "low-infoval", FlagLabel: "낮은 infoVal",
			value:  func(q *Quality) float64 { return q.InfoVal },
			raises: func(q *Quality, th Thresholds) bool { return math.IsNaN(q.InfoVal) || q.InfoVal < th.InfoValMin }},
		{Name: "blur", Label: "창 이탈", Kind: KindCount, Flag: "inattentive", FlagLabel: "주의 이탈",
			value:  func(q *Quality) float64 { return float64(q.Blur) },
			raises: func(q *Quality, th Thresholds) bool { return q.Blur > th.BlurMax }},
		{Name: "hidden_ms", Label: "숨김 시간", Kind: KindMS, Flag: "inattentive", FlagLabel: "주의 이탈",
			value:  func(q *Quality) float64 { return float64(q.HiddenMS) },
			raises: func(q *Quality, th Thresholds) bool { return q.HiddenMS > th.HiddenMSMax }},
		// The group CI changes much when this reply is left out: it pulls
		// the group its own way (NaN, too few replies to tell, raises
		// nothing).
		{Name: "loo_z", Label: "영향도 z", Kind: KindNumber, Flag: "influential", FlagLabel: "영향 큼",
			value:  func(q *Quality) float64 { return q.LOOZ },
			raises: func(q *Quality, th Thresholds) bool { return q.LOOZ < th.InfluenceZ }},
		{Name: "resumes", Label: "이어하기", Kind: KindCount, value: func(q *Quality) float64 { return float64(q.Resumes) }},
		{Name: "devices", Label: "기기", Kind: KindCount, value: func(q *Quality) float64 { return float64(q.Devices) }},
		// Less time between start and submit than the answers claim: made
		// up, not answered (a NaN duration, a reply without a run, raises
		// nothing).
		{Name: "duration", Label: "소요 시간", Kind: KindSeconds, Flag: "impossible-time", FlagLabel: "불가능한 속도",
			value: func(q *Quality) float64 { return q.Duration },
			raises: func(q *Quality, th Thresholds) bool {
				return q.Duration < th.MinDurationShare*q.RTTotal || q.Duration < th.MinTrialSeconds*float64(q.Answered)
			}},
	}
}

// rules are the flag rules as a person reads them, by column.
func rules(th Thresholds) map[string]string {
	return map[string]string{
		"timeout_rate": fmt.Sprintf("> %g", th.TimeoutRate),
		"fast_rate":    fmt.Sprintf("> %g (rt < %g s)", th.FastRate, th.FastRT),
		"left_rate":    fmt.Sprintf("outside [%g, %g]", th.SideMin, th.SideMax),
		"ori_rate":     fmt.Sprintf("outside [%g, %g]", th.OriMin, th.OriMax),
		"infoval":      fmt.Sprintf("< %g", th.InfoValMin),
		"blur":         fmt.Sprintf("> %d", th.BlurMax),
		"hidden_ms":    fmt.Sprintf("> %d", th.HiddenMSMax),
		"duration":     fmt.Sprintf("< %g × Σrt or < %g s × answered", th.MinDurationShare, th.MinTrialSeconds),
		"loo_z":        fmt.Sprintf("< %g", th.InfluenceZ),
	}
}

// Columns are the quality table's figures with the rules of these
// thresholds filled in.
func Columns(th Thresholds) []Column {
	cols := columns()
	r := rules(th)
	for i := range cols {
		if cols[i].Flag != "" {
			cols[i].Rule = r[cols[i].Name]
		}
	}
	return cols
}

// Flag is a flag the quality table can raise and its label on the page.
type Flag struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// Flags are every flag, in the order a row lists them: the columns' first,
// then those of the reply as a whole.
func Flags() []Flag {
	var out []Flag
	for _, c := range columns() {
		if c.Flag != "" && !slices.ContainsFunc(out, func(f Flag) bool { return f.Name == c.Flag }) {
			out = append(out, Flag{c.Flag, c.FlagLabel})
		}
	}
	return append(out, Flag{"repeat", "중복 참여"})
}
