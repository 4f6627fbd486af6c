package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// servedCacheSize bounds the served orders kept in memory: about 1 KB each
// for 300 pairs, a whole class many times over.
const servedCacheSize = 20000

// RunServed returns what a run showed, from the cache when it can: the
// order never changes once a run is created. An unknown token is
// "Unknown Run".
func (s *Store) RunServed(ctx context.Context, token string) (*model.Served, error) {
	s.servedMu.Lock()
	sv, ok := s.served[token]
	s.servedMu.Unlock()
	if ok {
		return sv, nil
	}
	var row struct {
		PackID int    `db:"p_id"`
		Served []byte `db:"served"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT p_id, served FROM run WHERE token = $1`, token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnknownRun
	}
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	pack, err := s.PackFiles(ctx, row.PackID)
	if err != nil {
		return nil, err
	}
	if sv, err = model.DecodeServed(pack, row.Served); err != nil {
		return nil, fmt.Errorf("run %s: %w", token, err)
	}
	s.remember(token, sv)
	return sv, nil
}

func (s *Store) remember(token string, sv *model.Served) {
	s.servedMu.Lock()
	defer s.servedMu.Unlock()
	if len(s.served) >= servedCacheSize {
		// Crude but bounded: runs last minutes, so the old ones go first
		// often enough, and a miss costs one indexed read.
		for k := range s.served {
			delete(s.served, k)
			if len(s.served) < servedCacheSize/2 {
				break
			}
		}
	}
	s.served[token] = sv
}

var (
	errUnknownRun        = model.Fail(model.UnknownRun)
	errProgressConflict  = model.Fail(model.ProgressConflict)
	errRunNotFinished    = model.Fail(model.RunNotFinished)
	errUnknownCompletion = model.Fail(model.UnknownCompletion)
)

// saveProgress stores answers when they are longer than what is saved and
// agree with it, keeps the larger of each event count, and counts the run
// as seen. $2 holds the answers, $3 their number; the saved answers and
// the new ones must agree on their common length.
const saveProgress = `
UPDATE run SET
    answers   = CASE WHEN $3 > answered THEN $2::jsonb ELSE answers END,
    answered  = greatest(answered, $3),
    last_seen = greatest(last_seen, $4),
    events    = CASE WHEN $5::jsonb IS NULL THEN events ELSE jsonb_build_object(
        'blur',      greatest(coalesce((events->>'blur')::bigint, 0), ($5::jsonb->>'blur')::bigint),
        'hidden_ms', greatest(coalesce((events->>'hidden_ms')::bigint, 0), ($5::jsonb->>'hidden_ms')::bigint),
        'resized',   greatest(coalesce((events->>'resized')::bigint, 0), ($5::jsonb->>'resized')::bigint)) END
WHERE token = $1 AND finished_at IS NULL
  AND jsonb_path_query_array(answers, '$[0 to $n]', jsonb_build_object('n', least(answered, $3) - 1))
    = jsonb_path_query_array($2::jsonb, '$[0 to $n]', jsonb_build_object('n', least(answered, $3) - 1))
RETURNING answered`

// SaveProgress saves a run's answers so far (a JSON array of n normalised
// answers, already checked against the served order) and its event counts
// (nil: none sent). It returns how many answers are saved, and whether the
// run is finished (then nothing changes). Answers that contradict saved
// ones are ProgressConflict; an unknown token is UnknownRun.
func (s *Store) SaveProgress(ctx context.Context, token string, answers json.RawMessage, n int, ev *model.Events, now time.Time) (answered int, finished bool, err error) {
	st, err := s.prepared(ctx, saveProgress)
	if err != nil {
		return 0, false, fmt.Errorf("save progress: %w", err)
	}
	var events []byte
	if ev != nil {
		if events, err = json.Marshal(ev); err != nil {
			return 0, false, fmt.Errorf("save progress: encode events: %w", err)
		}
	}
	err = st.QueryRowContext(ctx, token, []byte(answers), n, now, events).Scan(&answered)
	if err == nil {
		return answered, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("save progress: %w", err)
	}
	var row struct {
		Finished bool `db:"finished"`
		Answered int  `db:"answered"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT finished_at IS NOT NULL AS finished, answered FROM run WHERE token = $1`, token)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, errUnknownRun
	case err != nil:
		return 0, false, fmt.Errorf("save progress: read run: %w", err)
	case row.Finished:
		return row.Answered, true, nil
	}
	return 0, false, errProgressConflict
}
