package results

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Thresholds decide a quality row's flags.
type Thresholds struct {
	TimeoutRate float64 // flag "timeouts" when timeout_rate > this
	FastRT      float64 // an answer faster than this many seconds counts as fast
	FastRate    float64 // flag "fast" when fast_rate > this
	SideLow     float64 // flag "side-bias" when left_rate < SideLow …
	SideHigh    float64 // … or left_rate > SideHigh
	OriLow      float64 // flag "ori-bias" when ori_rate < OriLow …
	OriHigh     float64 // … or ori_rate > OriHigh
	InfoVal     float64 // flag "low-infoval" when infoval < this
	Blur        int     // flag "inattentive" when blur > this …
	HiddenMS    int     // … or hidden_ms > this
}

// DefaultThresholds are the service's default thresholds (config [quality]).
func DefaultThresholds() Thresholds {
	return Thresholds{
		TimeoutRate: 0.10, FastRT: 0.2, FastRate: 0.05,
		SideLow: 0.2, SideHigh: 0.8, OriLow: 0.2, OriHigh: 0.8,
		InfoVal: 1.96, Blur: 3, HiddenMS: 10000,
	}
}

// Reply is what the quality table needs of one reply.
type Reply struct {
	Trials []Trial
	Events Events
	Repeat bool // another reply, in any pack, has the same no or email
}

// Quality is one reply's row. A rate or statistic over answered trials is
// NaN when it is undefined (no answered trial; rt_cv with fewer than two, or
// a mean rt of 0); encoding/json refuses NaN, so write those as null.
type Quality struct {
	Answered    int      `json:"answered"`
	Timeouts    int      `json:"timeouts"`
	TimeoutRate float64  `json:"timeout_rate"` // timeouts / trials
	FastRate    float64  `json:"fast_rate"`    // share of answered with rt < FastRT
	RTMedian    float64  `json:"rt_median"`    // median rt of answered trials, seconds
	RTCV        float64  `json:"rt_cv"`        // sample sd / mean of answered rts
	LeftRate    float64  `json:"left_rate"`    // share of answered with the left key (F)
	OriRate     float64  `json:"ori_rate"`     // share of answered choosing ori
	InfoVal     float64  `json:"infoval"`
	Blur        int      `json:"blur"`
	HiddenMS    int      `json:"hidden_ms"`
	Flags       []string `json:"flags"` // never nil
}

// Assess computes a reply's row from its trials and events, with the given
// infoVal (NaN if it has none). Flags, in this order: "timeouts",
// "fast", "side-bias", "ori-bias", "low-infoval", "inattentive", "repeat".
// A NaN rate raises no flag, except that a reply without an answer (NaN
// infoVal) is "low-infoval": it carries no information.
func Assess(r Reply, infoVal float64, th Thresholds) Quality {
	q := Quality{InfoVal: infoVal, Blur: r.Events.Blur, HiddenMS: r.Events.HiddenMS, Flags: []string{}}
	rts := make([]float64, 0, len(r.Trials))
	var fast, left, ori int
	var sum float64
	for _, t := range r.Trials {
		if t.Response == 0 {
			q.Timeouts++
			continue
		}
		rts = append(rts, t.RT)
		sum += t.RT
		if t.RT < th.FastRT {
			fast++
		}
		if t.Left {
			left++
		}
		if t.Response > 0 {
			ori++
		}
	}
	q.Answered = len(rts)
	q.TimeoutRate = ratio(q.Timeouts, len(r.Trials))
	q.FastRate, q.LeftRate, q.OriRate = ratio(fast, q.Answered), ratio(left, q.Answered), ratio(ori, q.Answered)
	q.RTCV = math.NaN()
	if q.Answered >= 2 && sum > 0 {
		mean := sum / float64(q.Answered)
		ss := 0.0
		for _, v := range rts {
			ss += (v - mean) * (v - mean)
		}
		// The sample sd (divided by n − 1), as R's sd(): the rts are a
		// sample of the participant's behaviour.
		q.RTCV = math.Sqrt(ss/float64(q.Answered-1)) / mean
	}
	q.RTMedian = median(rts) // NaN when empty
	outside := func(v, lo, hi float64) bool { return v < lo || v > hi }
	for _, f := range []struct {
		on   bool
		name string
	}{
		{q.TimeoutRate > th.TimeoutRate, "timeouts"},
		{q.FastRate > th.FastRate, "fast"},
		{outside(q.LeftRate, th.SideLow, th.SideHigh), "side-bias"},
		{outside(q.OriRate, th.OriLow, th.OriHigh), "ori-bias"},
		{math.IsNaN(infoVal) || infoVal < th.InfoVal, "low-infoval"},
		{q.Blur > th.Blur || q.HiddenMS > th.HiddenMS, "inattentive"},
		{r.Repeat, "repeat"},
	} {
		if f.on {
			q.Flags = append(q.Flags, f.name)
		}
	}
	return q
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// QualityTable returns the quality table: one row per reply, in order, each with
// its infoVal (see InfoVal). Replies are spread over GOMAXPROCS workers. A
// reply without an answer gets a NaN infoVal; a malformed one (ErrBadTrial)
// fails the whole table.
func (s *Stats) QualityTable(ctx context.Context, replies []Reply, th Thresholds) ([]Quality, error) {
	rows := make([]Quality, len(replies))
	var next atomic.Int64
	errs := make([]error, min(runtime.GOMAXPROCS(0), max(1, len(replies))))
	var wg sync.WaitGroup
	for wk := range errs {
		wg.Go(func() {
			sc := &ivScratch{}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(replies) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[wk] = fmt.Errorf("results: quality: %w", err)
					return
				}
				iv, err := s.infoVal(replies[i].Trials, sc)
				if err != nil && !errors.Is(err, ErrNoAnswers) {
					errs[wk] = fmt.Errorf("results: quality: reply %d: %w", i, err)
					return
				}
				rows[i] = Assess(replies[i], iv, th)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}
