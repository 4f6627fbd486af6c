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
       started_at, last_seen, finished_at, r_id, resume, clients, resumes`

func runFields(r *model.Run) []any {
	return []any{&r.Token, &r.PackID, &r.Name, &r.Email, &r.No, &r.Sex, &r.Age, &r.Phone, &r.Served,
		&r.Answers, &r.Answered, &r.Client, &r.Events, &r.StartedAt, &r.LastSeen, &r.FinishedAt, &r.ReplyID,
		&r.Resume, &r.Clients, &r.Resumes}
}

func scanRun(row interface{ Scan(...any) error }) (*model.Run, error) {
	r := &model.Run{}
	if err := row.Scan(runFields(r)...); err != nil {
		return nil, err
	}
	return r, nil
}

const createRun = `
INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, client, clients, resume, started_at, last_seen)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        CASE WHEN $10::jsonb = '{}' THEN '[]'::jsonb ELSE jsonb_build_array($10::jsonb) END, $11, $12, $12)`

// CreateRun stores a new run. A token taken meanwhile is TokenUsed (the
// caller looks again: it may be the person's own, from a racing start); a
// pack deleted meanwhile is NoSuitablePack.
func (s *Store) CreateRun(ctx context.Context, nr model.NewRun, now time.Time) (*model.Run, error) {
	st, err := s.prepared(ctx, createRun)
	if err != nil {
		return nil, fmt.Errorf("create run: %w", err)
	}
	client := orEmpty(nr.Client)
	_, err = st.ExecContext(ctx, nr.Token, nr.Served.PackID, nr.Name, nr.Email, nr.No, nr.Sex, nr.Age, nr.Phone,
		[]byte(nr.ServedJSON), []byte(client), nr.Resume, now)
	switch {
	case err == nil:
	case pqConstraint(err) == constraintRunToken:
		return nil, errTokenUsed
	case pqConstraint(err) == constraintRunResume:
		return nil, model.ErrResumeTaken
	case pqCode(err) == codeForeignKey:
		return nil, s.packGone(nr.Served.PackID)
	default:
		return nil, fmt.Errorf("create run: %w", err)
	}
	s.remember(nr.Token, nr.Served)
	clients := json.RawMessage(`[]`)
	if string(client) != "{}" {
		clients = append(append(json.RawMessage(`[`), client...), ']')
	}
	return &model.Run{Token: nr.Token, PackID: nr.Served.PackID, Person: nr.Person, Served: nr.ServedJSON,
		Answers: json.RawMessage(`[]`), Client: client, Clients: clients, Events: json.RawMessage(`{}`),
		StartedAt: now, LastSeen: now, Resume: &nr.Resume}, nil
}

// orEmpty is an absent JSON object as {}.
func orEmpty(obj json.RawMessage) json.RawMessage {
	if len(obj) == 0 {
		return json.RawMessage(`{}`)
	}
	return obj
}

const (
	runByToken = `SELECT ` + runColumns + ` FROM run WHERE token = $1`
	// A resume code is unique among unfinished runs; a finished run may
	// share its code with a newer one, which comes first.
	runByResume = `SELECT ` + runColumns + ` FROM run WHERE resume = $1
ORDER BY finished_at IS NULL DESC, started_at DESC LIMIT 1`
)

// Run returns the run a token names; an unknown token is UnknownRun.
func (s *Store) Run(ctx context.Context, token string) (*model.Run, error) {
	return s.findRun(ctx, runByToken, token)
}

// RunByResume returns the run a resume code names; none is UnknownRun.
func (s *Store) RunByResume(ctx context.Context, code string) (*model.Run, error) {
	return s.findRun(ctx, runByResume, code)
}

func (s *Store) findRun(ctx context.Context, query, key string) (*model.Run, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	r, err := scanRun(st.QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnknownRun
	}
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	return r, nil
}

// touchRun counts a resume and the machine it came from, unless the run
// was seen within $4 from a machine it knows: a reload storm is one write,
// not one row version per request.
const touchRun = `
UPDATE run SET last_seen = greatest(last_seen, $2::timestamptz), resumes = resumes + 1,
       client  = CASE WHEN $3::jsonb = '{}' THEN client ELSE $3::jsonb END,
       clients = CASE WHEN $3::jsonb = '{}' OR EXISTS (SELECT 1 FROM jsonb_array_elements(clients) c WHERE c = $3::jsonb)
                      THEN clients ELSE clients || jsonb_build_array($3::jsonb) END
WHERE token = $1 AND finished_at IS NULL
  AND (last_seen < $2::timestamptz - make_interval(secs => $4)
       OR ($3::jsonb <> '{}' AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(clients) c WHERE c = $3::jsonb)))`

// TouchRun records that a run was resumed at now from client (nil: the
// page sent none). It writes only when the run was last seen more than
// quiet ago or the machine is new to it.
func (s *Store) TouchRun(ctx context.Context, token string, now time.Time, client json.RawMessage, quiet time.Duration) error {
	st, err := s.prepared(ctx, touchRun)
	if err != nil {
		return fmt.Errorf("touch run: %w", err)
	}
	if _, err := st.ExecContext(ctx, token, now, []byte(orEmpty(client)), quiet.Seconds()); err != nil {
		return fmt.Errorf("touch run: %w", err)
	}
	return nil
}
