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

const runColumns = `token, p_id, name, email, no, sex, age, phone, served, answers, answered, client, events,
       started_at, last_seen, finished_at, r_id`

// newRun inserts a run unless the person already has an open run in the
// pack: then nothing happens and StartRun takes the slow path.
const newRun = `
INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, client, started_at, last_seen)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
ON CONFLICT (p_id, no, email) WHERE open DO NOTHING
RETURNING token`

// StartRun creates a run, or resumes the person's open run in the pack
// when it was last seen less than resumeWithin ago (or when nr.Token names
// it). resumed tells which. A token that belongs to another person's, pack's
// or a closed run is "Token Already Used".
func (s *Store) StartRun(ctx context.Context, nr model.NewRun, now time.Time, resumeWithin time.Duration) (run *model.Run, resumed bool, err error) {
	st, err := s.prepared(ctx, newRun)
	if err != nil {
		return nil, false, fmt.Errorf("start run: %w", err)
	}
	var token string
	err = st.QueryRowContext(ctx, newRunArgs(nr, now)...).Scan(&token)
	switch {
	case err == nil:
		s.remember(nr.Token, nr.Served)
		return fresh(nr, now), false, nil
	case pqCode(err) == codeForeignKey:
		return nil, false, s.packGone(nr.Served.PackID)
	case errors.Is(err, sql.ErrNoRows), pqConstraint(err) == constraintRunToken:
	default:
		return nil, false, fmt.Errorf("start run: %w", err)
	}
	// Two starts of one person race rarely (a double click): the loser
	// finds the winner's run on its next pass.
	for range 3 {
		run, resumed, err = s.startRunSlow(ctx, nr, now, resumeWithin)
		if !errors.Is(err, errStartRaced) {
			return run, resumed, err
		}
	}
	return nil, false, fmt.Errorf("start run: %w", err)
}

var errStartRaced = errors.New("another start of this person won the race")

// fresh is the run newRun stored.
func fresh(nr model.NewRun, now time.Time) *model.Run {
	return &model.Run{Token: nr.Token, PackID: nr.Served.PackID, Person: nr.Person, Served: nr.ServedJSON,
		Answers: json.RawMessage(`[]`), Client: orEmpty(nr.Client), Events: json.RawMessage(`{}`), StartedAt: now, LastSeen: now}
}

// orEmpty is an absent JSON object as {}.
func orEmpty(obj json.RawMessage) json.RawMessage {
	if len(obj) == 0 {
		return json.RawMessage(`{}`)
	}
	return obj
}

func newRunArgs(nr model.NewRun, now time.Time) []any {
	return []any{nr.Token, nr.Served.PackID, nr.Name, nr.Email, nr.No, nr.Sex, nr.Age, nr.Phone,
		[]byte(nr.ServedJSON), []byte(orEmpty(nr.Client)), now}
}

func runFields(r *model.Run) []any {
	return []any{&r.Token, &r.PackID, &r.Name, &r.Email, &r.No, &r.Sex, &r.Age, &r.Phone, &r.Served,
		&r.Answers, &r.Answered, &r.Client, &r.Events, &r.StartedAt, &r.LastSeen, &r.FinishedAt, &r.ReplyID}
}

const (
	runByToken = `SELECT ` + runColumns + ` FROM run WHERE token = $1 FOR UPDATE`
	openRunOf  = `SELECT ` + runColumns + ` FROM run WHERE p_id = $1 AND no = $2 AND email = $3 AND open FOR UPDATE`
	closeRun   = `UPDATE run SET open = false WHERE token = $1`
	resumeRun  = `
UPDATE run SET name = $2, sex = $3, age = $4, phone = $5,
       client = CASE WHEN $6::jsonb = '{}' THEN client ELSE $6::jsonb END,
       last_seen = greatest(last_seen, $7)
WHERE token = $1
RETURNING ` + runColumns
)

func (s *Store) startRunSlow(ctx context.Context, nr model.NewRun, now time.Time, resumeWithin time.Duration) (*model.Run, bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("start run: begin: %w", err)
	}
	defer tx.Rollback()
	var resume *model.Run
	if nr.Token != "" {
		r, err := scanRun(tx.QueryRowxContext(ctx, runByToken, nr.Token))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, false, fmt.Errorf("start run: read token: %w", err)
		case r.PackID == nr.Served.PackID && r.No == nr.No && r.Email == nr.Email && r.FinishedAt == nil:
			resume = r
		default:
			return nil, false, errTokenUsed
		}
	}
	if resume == nil {
		r, err := scanRun(tx.QueryRowxContext(ctx, openRunOf, nr.Served.PackID, nr.No, nr.Email))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, false, fmt.Errorf("start run: read open run: %w", err)
		case now.Sub(r.LastSeen) < resumeWithin:
			resume = r
		default:
			if _, err := tx.ExecContext(ctx, closeRun, r.Token); err != nil {
				return nil, false, fmt.Errorf("start run: close old run: %w", err)
			}
		}
	}
	run := &model.Run{}
	resumed := resume != nil
	if resumed {
		err = tx.QueryRowxContext(ctx, resumeRun, resume.Token, nr.Name, nr.Sex, nr.Age, nr.Phone, []byte(orEmpty(nr.Client)), now).
			Scan(runFields(run)...)
	} else {
		var token string
		err = tx.QueryRowxContext(ctx, newRun, newRunArgs(nr, now)...).Scan(&token)
		run = fresh(nr, now)
	}
	switch {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, errStartRaced
	case pqConstraint(err) == constraintRunToken:
		return nil, false, errTokenUsed
	case pqCode(err) == codeForeignKey:
		return nil, false, s.packGone(nr.Served.PackID)
	default:
		return nil, false, fmt.Errorf("start run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("start run: commit: %w", err)
	}
	if !resumed {
		s.remember(nr.Token, nr.Served)
	}
	return run, resumed, nil
}

func scanRun(row interface{ Scan(...any) error }) (*model.Run, error) {
	r := &model.Run{}
	if err := row.Scan(runFields(r)...); err != nil {
		return nil, err
	}
	return r, nil
}

// Run returns the run a token names; an unknown token is "Unknown Run".
func (s *Store) Run(ctx context.Context, token string) (*model.Run, error) {
	r, err := scanRun(s.db.QueryRowxContext(ctx, `SELECT `+runColumns+` FROM run WHERE token = $1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnknownRun
	}
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	return r, nil
}
