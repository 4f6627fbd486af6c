package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/psyx-lab/psyx/inference"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// Splits is how many random split halves the reliability draws.
const Splits = 1000

// Reliability is how reliable a pack's group CI is over the selected
// replies: permuted split-half with Spearman–Brown, ICC(3,1) and ICC(3,k)
// (pixels as targets, replies as raters), and each reply's leave-one-out
// influence.
type Reliability struct {
	SplitHalf inference.SplitHalfResult `json:"split_half"`
	ICC31     float64                   `json:"icc_3_1"`
	ICC3K     float64                   `json:"icc_3_k"`
	LOO       []ReplyInfluence          `json:"loo"`
	Provenance
}

// ReplyInfluence is one reply's leave-one-out influence.
type ReplyInfluence struct {
	ReplyID int64 `json:"r_id"`
	inference.Influence
}

// MarshalJSON writes the reply's r_id beside the influence's own fields
// (whose MarshalJSON would otherwise be the whole struct's).
func (ri ReplyInfluence) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(ri.Influence)
	if err != nil || len(b) < 2 {
		return nil, err
	}
	return append([]byte(`{"r_id":`+strconv.FormatInt(ri.ReplyID, 10)+","), b[1:]...), nil
}

// Reliability computes (once per set of replies) the reliability of the
// pack's group CI over the replies sel keeps that answered something. The
// splits are drawn from a seed fixed by the pack and those replies. Fewer
// than 2 is TooFewReplies. All of it comes from the pack's Gram matrix:
// O(replies² + replies·pairs²), no image read.
func (s *Service) Reliability(ctx context.Context, id int, sel Selection, th results.Thresholds) (*Reliability, error) {
	p, set, pk, err := s.selected(ctx, id, sel, th, false)
	if err != nil {
		return nil, err
	}
	if r, ok := lockedGet(&p.mu, p.reliab, pk.key); ok {
		return r, nil
	}
	w, ids := pk.weights(set)
	if len(w) < 2 {
		return nil, model.Fail(model.TooFewReplies)
	}
	seed := seedOf("reliability", []int{id}, pk.key)
	r := &Reliability{Provenance: Provenance{Packs: []int{id}, Replies: len(w), Excluded: pk.out, Seed: seed}}
	mo, err := inference.NewMoments(design(p.stats), w)
	if err == nil {
		r.SplitHalf, err = mo.SplitHalf(Splits, seed)
	}
	if err != nil {
		return nil, fmt.Errorf("reliability of pack %d: %w", id, err)
	}
	r.ICC31, r.ICC3K = mo.ICC()
	if len(w) >= 3 {
		infl, err := mo.LeaveOneOut(th.InfluenceZ)
		if err != nil && !errors.Is(err, inference.ErrTooFewReplies) {
			return nil, fmt.Errorf("reliability of pack %d: %w", id, err)
		}
		for i, f := range infl {
			r.LOO = append(r.LOO, ReplyInfluence{ReplyID: ids[i], Influence: f})
		}
	}
	lockedPut(&p.mu, p.reliab, pk.key, r)
	return r, nil
}
