package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// errTokenUsed refuses a token that already belongs to another person,
// pack or set of answers.
var errTokenUsed = model.Fail(model.TokenUsed)

// replyColumns are a reply row's columns, as model.Reply reads them.
const replyColumns = `r_id, p_id, name, email, no, sex, age, phone, answers, token, client, events, created_at, started_at,
       clients, resumes, completion`

// runToFinish is the run a submit names, locked: its served order and
// saved answers are judged from this row, on this connection.
const runToFinish = `SELECT ` + runColumns + ` FROM run WHERE token = $1 FOR UPDATE`

// finishReply inserts the run's reply, as the person the run started with,
// and closes the run, in one statement.
const finishReply = `
WITH reply AS (
    INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token, client, events, started_at,
                       clients, resumes, completion, created_at)
    SELECT p_id, name, email, no, sex, age, phone, $2::jsonb, token, client, events, started_at,
           clients, resumes, $4, $3
    FROM run WHERE token = $1
    RETURNING r_id
)
UPDATE run SET finished_at = $3, last_seen = greatest(last_seen, $3), answers = '[]', answered = jsonb_array_length($2::jsonb),
       r_id = (SELECT r_id FROM reply)
WHERE token = $1
RETURNING r_id`

// sameFinished tells whether the reply of a finished run is this one.
const sameFinished = `
SELECT count(*) FROM reply WHERE r_id = $1 AND p_id = $2 AND no = $3 AND email = $4 AND answers = $5::jsonb`

// SubmitReply stores r as the reply of the run its token names and
// finishes the run, in one transaction; r.Completion is the code the
// participant is shown. check judges the reply against the locked run (its
// served order, its saved answers) without touching the database: a second
// connection asked for inside this transaction would wait on a pool that
// every such submit holds. The run must be this person's (student number
// and e-mail) in this pack; the reply keeps the name, phone, sex and age
// the run started with. A token of no run is UnknownRun; a finished run
// with the same reply is a retry (nothing stored, created false), with any
// other one TokenUsed.
func (s *Store) SubmitReply(ctx context.Context, r *model.Reply, now time.Time, check func(*model.Run) error) (created bool, err error) {
	// Prepared once per connection, as pgbench's -M prepared: unprepared,
	// each statement was parsed and planned per submit and cost lib/pq a
	// round trip more.
	lock, err := s.prepared(ctx, runToFinish)
	if err != nil {
		return false, fmt.Errorf("submit: %w", err)
	}
	finish, err := s.prepared(ctx, finishReply)
	if err != nil {
		return false, fmt.Errorf("submit: %w", err)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("submit: begin: %w", err)
	}
	defer tx.Rollback()
	run, err := scanRun(tx.StmtContext(ctx, lock).QueryRowContext(ctx, r.Token.String))
	if errors.Is(err, sql.ErrNoRows) {
		return false, errUnknownRun
	}
	if err != nil {
		return false, fmt.Errorf("submit: read run: %w", err)
	}
	if run.PackID != r.PackID || run.No != r.No || run.Email != r.Email {
		return false, errTokenUsed
	}
	if run.FinishedAt != nil {
		var n int
		if err := tx.GetContext(ctx, &n, sameFinished, *run.ReplyID, r.PackID, r.No, r.Email, []byte(r.Answers)); err != nil {
			return false, fmt.Errorf("submit: compare: %w", err)
		}
		if n == 0 {
			return false, errTokenUsed
		}
		return false, nil // a retry of the submit that finished it
	}
	if err := check(run); err != nil {
		return false, err
	}
	var id int64
	err = tx.StmtContext(ctx, finish).QueryRowContext(ctx, r.Token.String, []byte(r.Answers), now, r.Completion).Scan(&id)
	if err != nil {
		return false, fmt.Errorf("submit: finish run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("submit: commit: %w", err)
	}
	r.ID = id
	return true, nil
}
