package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/psyx-lab/psyx/inference"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/trials"
)

// QualityRow is one reply's line of the quality table.
type QualityRow struct {
	ReplyID int64
	Name    string
	No      string
	Date    time.Time
	results.Quality
	// Excluded: the selection leaves this reply out of the group figures.
	Excluded bool
	// RTCounts is this reply's response-time histogram (as RTHistogram).
	RTCounts []int
}

// QualityTable is a pack's quality table and the pooled response times.
type QualityTable struct {
	PackID int
	Pairs  int
	Rows   []QualityRow
	// RTHistogram counts the included replies' answered response times in
	// 100 ms bins from 0 to 3 s, the last bin open.
	RTHistogram []int
	Provenance
}

// Quality computes the quality table of a pack with these thresholds: a
// row for every reply; the group figures (the pooled histogram) over the
// replies the selection keeps.
func (s *Service) Quality(ctx context.Context, id int, th results.Thresholds, sel Selection) (*QualityTable, error) {
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, err
	}
	set, err := s.replies(ctx, id, p)
	if err != nil {
		return nil, err
	}
	qs, err := s.qualityRows(ctx, id, p, set, th)
	if err != nil {
		return nil, err
	}
	pk, err := s.pick(ctx, id, p, set, sel, th)
	if err != nil {
		return nil, err
	}
	t := &QualityTable{PackID: id, Pairs: len(pf.Pairs), Rows: make([]QualityRow, len(set.replies)),
		Provenance: Provenance{Packs: []int{id}, Replies: len(pk.in), Excluded: pk.out, Seed: p.stats.Seed()}}
	var in [][]trials.Trial
	for _, i := range pk.in {
		in = append(in, set.trials[i])
	}
	for i, r := range set.replies {
		t.Rows[i] = QualityRow{ReplyID: r.ID, Name: r.Name, No: r.No, Date: r.CreatedAt, Quality: qs[i],
			RTCounts: results.RTHistogram([][]trials.Trial{set.trials[i]})}
	}
	for _, rid := range pk.out {
		t.Rows[set.index[rid]].Excluded = true
	}
	t.RTHistogram = results.RTHistogram(in)
	return t, nil
}

// qualityRows are every reply's row (infoVal, the leave-one-out z, flags),
// computed once per set of replies. Each reply's infoVal is kept: neither a
// reply nor its pack ever changes, and its reference comes from a seed
// fixed per pack.
func (s *Service) qualityRows(ctx context.Context, id int, p *pack, set *replySet, th results.Thresholds) ([]results.Quality, error) {
	p.mu.Lock()
	done := set.quality
	p.mu.Unlock()
	if done != nil {
		return done, nil
	}
	replies := make([]results.Reply, len(set.replies))
	for i, r := range set.replies {
		replies[i] = results.Reply{Trials: set.trials[i], Events: events(r.Events), Repeat: set.repeat[i],
			Duration: duration(r), LOOZ: math.NaN(), Resumes: r.Resumes, Devices: devices(r.Clients)}
	}
	if err := s.looZ(p, set, replies); err != nil {
		return nil, fmt.Errorf("quality of pack %d: %w", id, err)
	}
	// Replies whose infoVal is not known yet go through the parallel table;
	// the rest are assessed with the kept value.
	rows := make([]results.Quality, len(replies))
	p.mu.Lock()
	var missing []int
	for i, r := range set.replies {
		if iv, ok := p.infoVals[r.ID]; ok {
			rows[i] = results.Assess(replies[i], iv, th)
		} else {
			missing = append(missing, i)
		}
	}
	p.mu.Unlock()
	if len(missing) > 0 {
		todo := make([]results.Reply, len(missing))
		for k, i := range missing {
			todo[k] = replies[i]
		}
		qs, err := p.stats.QualityTable(ctx, todo, th)
		if err != nil {
			return nil, fmt.Errorf("quality of pack %d: %w", id, err)
		}
		p.mu.Lock()
		for k, i := range missing {
			rows[i] = qs[k]
			p.infoVals[set.replies[i].ID] = qs[k].InfoVal
		}
		p.mu.Unlock()
	}
	p.mu.Lock()
	set.quality = rows
	p.mu.Unlock()
	return rows, nil
}

// looZ sets each answering reply's leave-one-out z over all the pack's
// replies that answered (fewer than three: none, NaN).
func (s *Service) looZ(p *pack, set *replySet, replies []results.Reply) error {
	var w [][]float64
	var at []int
	for i, row := range set.weights {
		if row != nil {
			w = append(w, row)
			at = append(at, i)
		}
	}
	if len(w) < 3 {
		return nil
	}
	infl, err := inference.LeaveOneOut(design(p.stats), w)
	if err != nil {
		return err
	}
	for k, f := range infl {
		replies[at[k]].LOOZ = f.Z
	}
	return nil
}

// duration is how long the reply's run took as the server saw it, from its
// start to its submit, in seconds; NaN for a reply without a run.
func duration(r *model.Reply) float64 {
	if r.StartedAt == nil {
		return math.NaN()
	}
	return r.CreatedAt.Sub(*r.StartedAt).Seconds()
}

// devices is how many machines the run was seen on.
func devices(clients json.RawMessage) int {
	var cs []json.RawMessage
	json.Unmarshal(clients, &cs) // stored by the service: an array, or nothing
	return len(cs)
}

// events reads a reply's stored event counts.
func events(raw []byte) results.Events {
	var ev model.Events
	json.Unmarshal(raw, &ev) // stored by the API: an object of counts, or {}
	return results.Events{Blur: ev.Blur, HiddenMS: ev.HiddenMS, Resized: ev.Resized}
}
