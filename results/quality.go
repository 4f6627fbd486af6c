package results

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/psyx-lab/psyx/trials"
)

// Reply is what the quality table needs of one reply.
type Reply struct {
	Trials []trials.Trial
	Events Events
	Repeat bool // another reply or run, in any pack, has the same no or email
	// Duration is the server-observed seconds from the run's start to its
	// submit; NaN when unknown (a reply from before runs).
	Duration float64
	// LOOZ is the robust z of how much the group CI changes without this
	// reply (package inference's leave-one-out); NaN when not computed.
	LOOZ float64
	// Resumes counts the run's resumed starts, Devices the machines it was
	// seen on: a run that moved or was continued.
	Resumes, Devices int
}

// Quality is one reply's row; Columns names and describes its figures. A
// rate or statistic over answered trials is NaN when it is undefined (no
// answered trial; rt_cv with fewer than two, or a mean rt of 0).
type Quality struct {
	Answered    int
	Timeouts    int
	TimeoutRate float64 // timeouts / trials
	FastRate    float64 // share of answered with rt < FastRT
	RTMedian    float64 // median rt of answered trials, seconds
	RTCV        float64 // sample sd / mean of answered rts
	RTIQR       float64 // interquartile range of answered rts, seconds (R's IQR())
	LeftRate    float64 // share of answered with the left key (F)
	OriRate     float64 // share of answered choosing ori
	InfoVal     float64
	Blur        int
	HiddenMS    int
	Duration    float64  // seconds from the run's start to its submit, as the server saw them; NaN without a run
	LOOZ        float64  // robust z of the group CI's change without this reply; NaN when unknown
	Resumes     int      // the run's resumed starts
	Devices     int      // machines the run was seen on
	RTTotal     float64  // Σ rt of the answered trials, seconds
	Flags       []string // in Flags order; never nil
}

// Assess computes a reply's row from its trials and events, with the given
// infoVal (NaN if it has none), and the flags its figures raise (see
// Columns). A NaN rate raises no flag, except that a reply without an
// answer (NaN infoVal) is "low-infoval": it carries no information.
func Assess(r Reply, infoVal float64, th Thresholds) Quality {
	q := Quality{InfoVal: infoVal, Blur: r.Events.Blur, HiddenMS: r.Events.HiddenMS, Duration: r.Duration,
		LOOZ: r.LOOZ, Resumes: r.Resumes, Devices: r.Devices}
	rts := make([]float64, 0, len(r.Trials))
	var fast, left, ori int
	var sum float64
	for _, t := range r.Trials {
		if t.Response() == 0 {
			q.Timeouts++
			continue
		}
		rt := t.RT()
		rts = append(rts, rt)
		sum += rt
		q.RTTotal += rt
		if rt < th.FastRT {
			fast++
		}
		if t.Key == trials.KeyLeft {
			left++
		}
		if t.Response() > 0 {
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
	q.RTIQR = quantile(rts, 0.75) - quantile(rts, 0.25) // NaN when empty
	q.RTMedian = median(rts)                            // NaN when empty
	q.Flags = flags(&q, r, th)
	return q
}

// flags are the flags the row raises: the columns' in column order (each
// once), then the reply's own.
func flags(q *Quality, r Reply, th Thresholds) []string {
	out := []string{}
	for _, c := range columns() {
		if c.raises != nil && c.raises(q, th) && !slices.Contains(out, c.Flag) {
			out = append(out, c.Flag)
		}
	}
	if r.Repeat {
		out = append(out, "repeat")
	}
	return out
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
