package analysis

import (
	"context"
	"errors"
	"fmt"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/trials"
)

// replySet is a pack's replies at one moment, decoded once for every
// figure over them: each reply's trials and its row of weights (its CI is
// Σ_i w_i·c_i; nil when it answered nothing).
type replySet struct {
	count   int // replies in the pack when read: replies are only added, so the count names the set
	replies []*model.Reply
	trials  [][]trials.Trial
	repeat  []bool
	weights [][]float64
	quality []results.Quality // every reply's row, once qualityRows computed them
	index   map[int64]int
}

// replies returns the pack's replies, read again only when their number
// changed.
func (s *Service) replies(ctx context.Context, id int, p *pack) (*replySet, error) {
	count, err := s.src.ReplyCount(ctx, id)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	set := p.set
	p.mu.Unlock()
	if set != nil && set.count == count {
		return set, nil
	}
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	set = &replySet{index: map[int64]int{}}
	err = s.src.PackReplies(ctx, id, func(r *model.Reply, repeat bool) error {
		ts, err := trials.Decode(r.Answers, pf)
		if err != nil {
			return fmt.Errorf("reply %d: %w", r.ID, err)
		}
		w, err := results.Weights(ts, len(pf.Pairs))
		if err != nil && !errors.Is(err, results.ErrNoAnswers) {
			return fmt.Errorf("reply %d: %w", r.ID, err)
		}
		set.index[r.ID] = len(set.replies)
		set.replies = append(set.replies, r)
		set.trials = append(set.trials, ts)
		set.repeat = append(set.repeat, repeat)
		set.weights = append(set.weights, w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Read in one snapshot: the count is the set's own.
	set.count = len(set.replies)
	p.mu.Lock()
	if p.set == nil || p.set.count <= set.count {
		p.set = set
	}
	p.mu.Unlock()
	return set, nil
}
