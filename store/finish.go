package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/psyx-lab/psyx/model"
)

var errNoRun = errors.New("the token names no run")

// runToFinish is the run a submit names, locked: its served order and
// saved answers are judged from this row, on this connection.
const runToFinish = `SELECT ` + runColumns + ` FROM run WHERE token = $1 FOR UPDATE`

// finishReply inserts the run's reply and closes the run, in one statement.
const finishReply = `
WITH reply AS (
    INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token, client, events, started_at)
    SELECT p_id, name, email, no, sex, age, phone, $2::jsonb, token, client, events, started_at
    FROM run WHERE token = $1
    ON CONFLICT (token) DO NOTHING
    RETURNING r_id
)
UPDATE run SET finished_at = $3, last_seen = greatest(last_seen, $3), open = false, answers = '[]',
       r_id = (SELECT r_id FROM reply)
WHERE token = $1 AND EXISTS (SELECT 1 FROM reply)
RETURNING r_id`

// sameFinished tells whether the reply of a finished run is this one.
const sameFinished = `
SELECT count(*) FROM reply
WHERE r_id = $1 AND p_id = $2 AND name = $3 AND email = $4 AND no = $5 AND sex = $6 AND age = $7
  AND phone = $8 AND answers = $9::jsonb`

// finishRun stores r as the reply of the run its token names and finishes
// the run, in one transaction. check judges the reply against the locked
// run (its served order, its saved answers) without touching the database:
// a second connection asked for inside this transaction would wait on a
// pool that every such submit holds. It is errNoRun when the token names
// none.
func (s *Store) finishRun(ctx context.Context, r *model.Reply, now time.Time, check func(*model.Run) error) (bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("finish run: begin: %w", err)
	}
	defer tx.Rollback()
	run, err := scanRun(tx.QueryRowxContext(ctx, runToFinish, r.Token))
	if errors.Is(err, sql.ErrNoRows) {
		return false, errNoRun
	}
	if err != nil {
		return false, fmt.Errorf("finish run: read: %w", err)
	}
	if run.FinishedAt != nil {
		var n int
		if err := tx.GetContext(ctx, &n, sameFinished, *run.ReplyID, r.PackID, r.Name, r.Email, r.No, r.Sex, r.Age,
			r.Phone, []byte(r.Answers)); err != nil {
			return false, fmt.Errorf("finish run: compare: %w", err)
		}
		if n == 0 {
			return false, errTokenUsed
		}
		return false, nil // a retry of the submit that finished it
	}
	if run.PackID != r.PackID || run.Person != r.Person {
		return false, errTokenUsed
	}
	if err := check(run); err != nil {
		return false, err
	}
	var id int64
	err = tx.QueryRowxContext(ctx, finishReply, r.Token, []byte(r.Answers), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errTokenUsed // a reply without a run took this token first
	}
	if err != nil {
		return false, fmt.Errorf("finish run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("finish run: commit: %w", err)
	}
	r.ID = id
	return true, nil
}
