package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

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
}

// QualityTable is a pack's quality table and the pooled response times.
type QualityTable struct {
	PackID int
	Pairs  int
	Rows   []QualityRow
	// RTHistogram counts the answered trials' response times in 100 ms
	// bins from 0 to 3 s, the last bin open.
	RTHistogram []int
}

// Quality computes the quality table of a pack with these thresholds. Each
// reply's infoVal is computed once and kept: neither a reply nor its pack
// ever changes, and its reference comes from a seed fixed per pack.
func (s *Service) Quality(ctx context.Context, id int, th results.Thresholds) (*QualityTable, error) {
	if _, err := s.src.ReplyCount(ctx, id); err != nil {
		return nil, err // PackNotFound
	}
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, err
	}
	var rows []QualityRow
	var replies []results.Reply
	err = s.src.PackReplies(ctx, id, func(r *model.Reply, repeat bool) error {
		ts, err := trials.Decode(r.Answers, pf)
		if err != nil {
			return fmt.Errorf("reply %d: %w", r.ID, err)
		}
		rows = append(rows, QualityRow{ReplyID: r.ID, Name: r.Name, No: r.No, Date: r.CreatedAt})
		replies = append(replies, results.Reply{Trials: ts, Events: events(r.Events), Repeat: repeat, Duration: duration(r)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Replies whose infoVal is not known yet go through the parallel table;
	// the rest are assessed with the kept value.
	p.mu.Lock()
	var missing []int
	for i, row := range rows {
		if iv, ok := p.infoVals[row.ReplyID]; ok {
			rows[i].Quality = results.Assess(replies[i], iv, th)
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
			rows[i].Quality = qs[k]
			p.infoVals[rows[i].ReplyID] = qs[k].InfoVal
		}
		p.mu.Unlock()
	}
	all := make([][]trials.Trial, len(replies))
	for i := range replies {
		all[i] = replies[i].Trials
	}
	return &QualityTable{PackID: id, Pairs: len(pf.Pairs), Rows: rows, RTHistogram: results.RTHistogram(all)}, nil
}

// duration is how long the reply's run took as the server saw it, from its
// start to its submit, in seconds; NaN for a reply without a run.
func duration(r *model.Reply) float64 {
	if r.StartedAt == nil {
		return math.NaN()
	}
	return r.CreatedAt.Sub(*r.StartedAt).Seconds()
}

// events reads a reply's stored event counts.
func events(raw []byte) results.Events {
	var ev model.Events
	json.Unmarshal(raw, &ev) // stored by the API: an object of counts, or {}
	return results.Events{Blur: ev.Blur, HiddenMS: ev.HiddenMS, Resized: ev.Resized}
}
