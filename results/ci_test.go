package results

import (
	"context"
	"errors"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

func TestCIs(t *testing.T) {
	const npairs = 30
	pack, pairs := writePack(t, testkit.RCOptions{Size: 20, Pairs: npairs, Seed: 6})
	s := computeOpen(t, pairs, testSeed)
	ctx := context.Background()
	a := testkit.RandomObserver(npairs, 1)
	b := testkit.RandomObserver(npairs, 2)
	for i := 0; i < npairs; i += 4 {
		b[i] = 0
	}
	none := make([]int8, npairs)

	t.Run("timeouts are dropped, not zeros", func(t *testing.T) {
		ci := replyCI(t, s, trialsOf(b))
		if d := maxAbsDiff(ci.Pix, directCI(pack.Noise, b)); d > 0.6/255 {
			t.Errorf("max |Δ| from the true CI %.3g", d)
		}
		if ci.W != 20 || ci.H != 20 || ci.Replies != 1 {
			t.Errorf("CI %dx%d of %d replies", ci.W, ci.H, ci.Replies)
		}
	})
	t.Run("trial order does not matter", func(t *testing.T) {
		ts := trialsOf(b)
		for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
			ts[i], ts[j] = ts[j], ts[i]
		}
		if d := maxAbsDiff(replyCI(t, s, ts).Pix, replyCI(t, s, trialsOf(b)).Pix); d > 1e-15 {
			t.Errorf("reversed ts change the CI by %.3g", d)
		}
	})
	t.Run("group is the mean of the replies' CIs", func(t *testing.T) {
		g, err := s.GroupCI(ctx, [][]trials.Trial{trialsOf(a), trialsOf(b), trialsOf(none)})
		if err != nil {
			t.Fatal(err)
		}
		ca, cb := replyCI(t, s, trialsOf(a)), replyCI(t, s, trialsOf(b))
		for i := range g.Pix {
			ca.Pix[i] = (ca.Pix[i] + cb.Pix[i]) / 2
		}
		if d := maxAbsDiff(g.Pix, ca.Pix); d > 1e-15 || g.Replies != 2 || g.Skipped != 1 {
			t.Errorf("max |Δ| %.3g, %d replies, %d skipped; want 0, 2, 1", d, g.Replies, g.Skipped)
		}
	})
	for _, tc := range []struct {
		name string
		ts   []trials.Trial
		want error
	}{
		{"no answer", trialsOf(none), ErrNoAnswers},
		{"no trial", nil, ErrNoAnswers},
		{"pair out of range", []trials.Trial{trialOf(npairs, 1, false, 0)}, ErrBadTrial},
		{"negative pair", []trials.Trial{trialOf(-1, 1, false, 0)}, ErrBadTrial},
		{"pair twice", []trials.Trial{trialOf(3, 1, false, 0), trialOf(3, 0, false, 0)}, ErrBadTrial},
		{"timed out pair twice", []trials.Trial{trialOf(3, 0, false, 0), trialOf(3, 1, false, 0)}, ErrBadTrial},
		{"files of two pairs", []trials.Trial{{Key: trials.KeyLeft, Left: model.FileRef{Pair: 3}, Right: model.FileRef{Pair: 4, Side: model.Inv}}}, ErrBadTrial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.ReplyCI(ctx, tc.ts); !errors.Is(err, tc.want) {
				t.Errorf("ReplyCI: %v, want %v", err, tc.want)
			}
			if _, err := s.InfoVal(tc.ts); !errors.Is(err, tc.want) {
				t.Errorf("InfoVal: %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("group without answers", func(t *testing.T) {
		for _, replies := range [][][]trials.Trial{nil, {trialsOf(none)}} {
			if _, err := s.GroupCI(ctx, replies); !errors.Is(err, ErrNoReplies) {
				t.Errorf("%d replies: %v, want ErrNoReplies", len(replies), err)
			}
		}
		if _, err := s.GroupCI(ctx, [][]trials.Trial{trialsOf(a), {trialOf(-1, 1, false, 0)}}); !errors.Is(err, ErrBadTrial) {
			t.Errorf("a bad reply in the group: %v, want ErrBadTrial", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.ReplyCI(c, trialsOf(a)); !errors.Is(err, context.Canceled) {
			t.Errorf("%v, want context.Canceled", err)
		}
		if _, err := s.QualityTable(c, []Reply{{Trials: trialsOf(a)}}, DefaultThresholds()); !errors.Is(err, context.Canceled) {
			t.Errorf("quality: %v, want context.Canceled", err)
		}
	})
}
