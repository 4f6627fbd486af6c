package analysis

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// Selection is which of a pack's replies a figure leaves out: those with
// any quality flag, and those named.
type Selection struct {
	Flagged bool
	Exclude []int64
}

// picked is a selection applied: the replies in (indexes into the set, in
// r_id order), the r_ids left out, and a key naming exactly this set.
type picked struct {
	in  []int
	out []int64
	key string
}

// selected is where every figure over a set of replies starts: the pack's
// statistics, its replies and sel applied to them. With nonEmpty a pack
// without replies is NoReplies before the selection is judged.
func (s *Service) selected(ctx context.Context, id int, sel Selection, th results.Thresholds, nonEmpty bool) (*pack, *replySet, *picked, error) {
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	set, err := s.replies(ctx, id, p)
	if err != nil {
		return nil, nil, nil, err
	}
	if nonEmpty && set.count == 0 {
		return nil, nil, nil, errNoReplies(id)
	}
	pk, err := s.pick(ctx, id, p, set, sel, th)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, set, pk, nil
}

// pick applies sel to the set. A named r_id that is not one of the pack's
// replies is UnknownReply. Flags are the quality table's (th).
func (s *Service) pick(ctx context.Context, id int, p *pack, set *replySet, sel Selection, th results.Thresholds) (*picked, error) {
	drop := make([]bool, len(set.replies))
	for _, rid := range sel.Exclude {
		i, ok := set.index[rid]
		if !ok {
			return nil, model.Fail(model.UnknownReply, rid)
		}
		drop[i] = true
	}
	if sel.Flagged {
		rows, err := s.qualityRows(ctx, id, p, set, th)
		if err != nil {
			return nil, err
		}
		for i, q := range rows {
			drop[i] = drop[i] || len(q.Flags) > 0
		}
	}
	pk := &picked{}
	var key strings.Builder
	key.WriteString(strconv.Itoa(set.count))
	for i, r := range set.replies {
		if drop[i] {
			pk.out = append(pk.out, r.ID)
			continue
		}
		pk.in = append(pk.in, i)
		key.WriteByte(',')
		key.WriteString(strconv.FormatInt(r.ID, 10))
	}
	pk.key = key.String()
	return pk, nil
}

// only restricts a pick to the named replies (a compare's set of one
// pack); a name not of the pack is UnknownReply.
func (pk *picked) only(set *replySet, rids []int64) (*picked, error) {
	want := make([]int, 0, len(rids))
	for _, rid := range rids {
		i, ok := set.index[rid]
		if !ok {
			return nil, model.Fail(model.UnknownReply, rid)
		}
		want = append(want, i)
	}
	out := &picked{out: pk.out, key: pk.key + "|only"}
	for _, i := range pk.in {
		if slices.Contains(want, i) {
			out.in = append(out.in, i)
			out.key += "," + strconv.FormatInt(set.replies[i].ID, 10)
		}
	}
	return out, nil
}

// weights are the rows of the picked replies that answered something,
// and their r_ids.
func (pk *picked) weights(set *replySet) ([][]float64, []int64) {
	var w [][]float64
	var ids []int64
	for _, i := range pk.in {
		if set.weights[i] != nil {
			w = append(w, set.weights[i])
			ids = append(ids, set.replies[i].ID)
		}
	}
	return w, ids
}
