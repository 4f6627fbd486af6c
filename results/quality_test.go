package results

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

// Each flag fires on a reply made to trigger it, and none on a clean reply;
// values exactly at a threshold do not fire (the rules are strict).
func TestQualityFlags(t *testing.T) {
	const npairs = 100
	pack, s := openPack(t, testkit.RCOptions{Size: 32, Pairs: npairs, Seed: 3})
	// A clean reply: a template observer (high infoVal), varied rts around
	// 0.9 s, left and ori choices balanced by construction.
	resp := testkit.TemplateObserver(pack.Noise, testkit.Template(32), 0.5, 2)
	clean := func() Reply {
		ts := make([]trials.Trial, npairs)
		for i, r := range resp {
			ts[i] = trialOf(i, r, i%2 == 0, 0.5+float64(i%9)/10)
		}
		return Reply{Trials: ts, Duration: 300} // 100 answers of about 0.9 s, and the pauses between them
	}
	edit := func(f func(r *Reply)) Reply {
		r := clean()
		f(&r)
		return r
	}
	every := func(r *Reply, step int, f func(tr *trials.Trial)) {
		for i := 0; i < len(r.Trials); i += step {
			f(&r.Trials[i])
		}
	}
	// A reply with less information than chance: each answer picked to
	// cancel the CI so far (Σ_j<i r_j·G_ij), so its norm is far below
	// the random responders' median.
	cancelling := make([]int8, npairs)
	for i := range cancelling {
		cur := 0.0
		for j := range i {
			cur += float64(cancelling[j]) * s.GramAt(i, j)
		}
		cancelling[i] = 1
		if cur > 0 {
			cancelling[i] = -1
		}
	}
	cases := []struct {
		name string
		r    Reply
		want []string
	}{
		{"clean", clean(), nil},
		{"timeouts", edit(func(r *Reply) { every(r, 8, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), 0, false, tr.RT()) }) }), []string{"timeouts"}},
		{"10% timeouts exactly", edit(func(r *Reply) { every(r, 10, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), 0, false, tr.RT()) }) }), nil},
		{"fast", edit(func(r *Reply) { every(r, 12, func(tr *trials.Trial) { tr.RTms = 150 }) }), []string{"fast"}},
		{"rt of 0.2 s is not fast", edit(func(r *Reply) { every(r, 2, func(tr *trials.Trial) { tr.RTms = 200 }) }), nil},
		{"side-bias left", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), tr.Response(), tr.Pair()%10 != 0, tr.RT()) })
		}), []string{"side-bias"}},
		{"side-bias right", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), tr.Response(), false, tr.RT()) })
		}), []string{"side-bias"}},
		{"left rate 0.2 exactly", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), tr.Response(), tr.Pair()%5 == 0, tr.RT()) })
		}), nil},
		{"ori-bias", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), 1, tr.Key == trials.KeyLeft, tr.RT()) })
		}), []string{"ori-bias", "low-infoval"}},
		{"low-infoval", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) {
				*tr = trialOf(tr.Pair(), cancelling[tr.Pair()], tr.Key == trials.KeyLeft, tr.RT())
			})
		}), []string{"low-infoval"}},
		{"inattentive: blur", edit(func(r *Reply) { r.Events.Blur = 4 }), []string{"inattentive"}},
		{"blur 3 is fine", edit(func(r *Reply) { r.Events.Blur = 3 }), nil},
		{"inattentive: hidden", edit(func(r *Reply) { r.Events.HiddenMS = 10001 }), []string{"inattentive"}},
		{"resizing is fine", edit(func(r *Reply) { r.Events.Resized = 50 }), nil},
		{"repeat", edit(func(r *Reply) { r.Repeat = true }), []string{"repeat"}},
		{"a bot's moment", edit(func(r *Reply) { r.Duration = 0.1 }), []string{"impossible-time"}},
		{"faster than its own rts", edit(func(r *Reply) { r.Duration = 0.89 * 89.6 }), []string{"impossible-time"}},
		{"90% of its rts exactly", edit(func(r *Reply) { r.Duration = 0.9 * 89.6 }), nil},
		{"0.2 s a trial", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { tr.RTms = 100 }) // claims of 0.1 s: fast, and 10 s in all
			r.Duration = 19.9
		}), []string{"fast", "impossible-time"}},
		{"no run, no duration", edit(func(r *Reply) { r.Duration = math.NaN() }), nil},
		{"everything, in order", edit(func(r *Reply) {
			every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), -1, true, 0.1) })
			every(r, 3, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), 0, false, tr.RT()) })
			r.Events.Blur, r.Repeat, r.Duration = 9, true, 1
		}), []string{"timeouts", "fast", "side-bias", "ori-bias", "low-infoval", "inattentive", "impossible-time", "repeat"}},
		{"no answer at all", edit(func(r *Reply) { every(r, 1, func(tr *trials.Trial) { *tr = trialOf(tr.Pair(), 0, false, tr.RT()) }) }), []string{"timeouts", "low-infoval"}},
	}
	replies := make([]Reply, len(cases))
	for i, c := range cases {
		replies[i] = c.r
	}
	rows, err := s.QualityTable(context.Background(), replies, DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rows[i].Flags; !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("flags %q, want %q (row %+v)", got, c.want, rows[i])
			}
			if rows[i].Flags == nil {
				t.Error("Flags is nil, want a list")
			}
		})
	}
	t.Run("thresholds are settable", func(t *testing.T) {
		th := DefaultThresholds()
		th.FastRT = 0.6 // the clean reply's 0.5 s answers become fast
		row := Assess(clean(), 5, th)
		if !slices.Equal(row.Flags, []string{"fast"}) {
			t.Errorf("flags %q, want [fast]", row.Flags)
		}
	})
}

// The row's numbers, against their definitions on a small hand-made reply.
func TestAssessValues(t *testing.T) {
	ts := []trials.Trial{
		trialOf(0, 1, true, 0.1),
		trialOf(1, -1, false, 0.4),
		trialOf(2, 0, false, 3),
		trialOf(3, 1, true, 0.3),
		trialOf(4, 1, false, 0.2),
	}
	q := Assess(Reply{Trials: ts, Events: Events{Blur: 2, HiddenMS: 500}, Duration: 12.5}, 2.5, DefaultThresholds())
	mean := (0.1 + 0.4 + 0.3 + 0.2) / 4
	sd := math.Sqrt((sq(0.1-mean) + sq(0.4-mean) + sq(0.3-mean) + sq(0.2-mean)) / 3) // sample sd
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"answered", float64(q.Answered), 4},
		{"timeouts", float64(q.Timeouts), 1},
		{"timeout_rate", q.TimeoutRate, 0.2},
		{"fast_rate", q.FastRate, 0.25},
		{"rt_median", q.RTMedian, 0.25},
		{"rt_cv", q.RTCV, sd / mean},
		{"rt_iqr", q.RTIQR, 0.325 - 0.175}, // R: IQR(c(0.1, 0.4, 0.3, 0.2)) = 0.15
		{"left_rate", q.LeftRate, 0.5},
		{"ori_rate", q.OriRate, 0.75},
		{"infoval", q.InfoVal, 2.5},
		{"blur", float64(q.Blur), 2},
		{"hidden_ms", float64(q.HiddenMS), 500},
		{"duration", q.Duration, 12.5},
		{"rt_total", q.RTTotal, 1.0},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !slices.Equal(q.Flags, []string{"timeouts", "fast"}) {
		t.Errorf("flags %q", q.Flags)
	}
	empty := Assess(Reply{}, math.NaN(), DefaultThresholds())
	for name, v := range map[string]float64{"timeout_rate": empty.TimeoutRate, "fast_rate": empty.FastRate,
		"rt_median": empty.RTMedian, "rt_cv": empty.RTCV, "rt_iqr": empty.RTIQR, "left_rate": empty.LeftRate, "ori_rate": empty.OriRate} {
		if !math.IsNaN(v) {
			t.Errorf("empty reply: %s = %v, want NaN", name, v)
		}
	}
}

func sq(x float64) float64 { return x * x }

func TestRTHistogram(t *testing.T) {
	rts := []float64{0, 0.099, 0.1, 0.3, 0.7, 2.899, 2.9, 3, 59.5}
	var ts []trials.Trial
	for i, rt := range rts {
		ts = append(ts, trialOf(i, 1, false, rt))
	}
	ts = append(ts, trialOf(99, 0, false, 0.5)) // a timeout: not counted
	h := RTHistogram([][]trials.Trial{ts, {trialOf(0, -1, false, 0.35)}})
	want := make([]int, HistBins)
	want[0], want[1], want[3], want[7], want[28], want[29] = 2, 1, 2, 1, 1, 3
	if !slices.Equal(h, want) {
		t.Errorf("histogram %v, want %v", h, want)
	}
}
