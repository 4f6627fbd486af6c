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
const replyColumns = `r_id, p_id, name, email, no, sex, age, phone, answers, token, client, events, created_at, started_at`

// insertReply stores a reply without a run, unless its token names a run
// (that submit finishes the run instead) or is stored already (a retry, or
// a reuse: SubmitReply tells which).
const insertReply = `
INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token)
SELECT $1::integer, $2::text, $3::text, $4::text, $5::smallint, $6::integer, $7::text, $8::jsonb, $9::text
WHERE $9::text IS NULL OR NOT EXISTS (SELECT 1 FROM run WHERE token = $9)
ON CONFLICT (token) DO NOTHING
RETURNING r_id`

// sameReply tells whether the reply stored under a token is this one.
const sameReply = `
SELECT count(*) FROM reply
WHERE token = $9 AND p_id = $1 AND name = $2 AND email = $3 AND no = $4 AND sex = $5 AND age = $6
  AND phone = $7 AND answers = $8::jsonb`

// SubmitReply stores a finished reply. With a token that names a run,
// finishing the run and storing the reply are one transaction, and check
// (the caller's judgement of the reply against the run) must pass first.
// A token stored before with the same reply is a retry: nothing new is
// stored and created is false; with anything else it is TokenUsed. A pack deleted meanwhile is PackNotFound.
func (s *Store) SubmitReply(ctx context.Context, r *model.Reply, now time.Time, check func(*model.Run) error) (created bool, err error) {
	st, err := s.prepared(ctx, insertReply)
	if err != nil {
		return false, fmt.Errorf("insert reply: %w", err)
	}
	args := []any{r.PackID, r.Name, r.Email, r.No, r.Sex, r.Age, r.Phone, []byte(r.Answers), r.Token}
	var id int64
	err = st.QueryRowContext(ctx, args...).Scan(&id)
	switch {
	case err == nil:
		r.ID = id
		return true, nil
	case pqCode(err) == codeForeignKey:
		return false, model.Fail(model.PackNotFound, r.PackID)
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("insert reply: %w", err)
	}
	// No row: the token names a run, or a reply has it already.
	finished, err := s.finishRun(ctx, r, now, check)
	if !errors.Is(err, errNoRun) {
		return finished, err
	}
	var n int
	if err := s.db.GetContext(ctx, &n, sameReply, args...); err != nil {
		return false, fmt.Errorf("compare reply with its token: %w", err)
	}
	if n == 0 {
		return false, errTokenUsed
	}
	return false, nil
}
