package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/psyx-lab/psyx/model"
)

// ReplyCount is how many replies a pack has, from its tally: replies are
// only ever added, so the count names the set of replies a result was
// computed from. An unknown pack is "Pack <id> Not Found".
func (s *Store) ReplyCount(ctx context.Context, id int) (int, error) {
	var n sql.NullInt64
	err := s.db.GetContext(ctx, &n, `
SELECT (SELECT sum(replies) FROM pack_tally t WHERE t.p_id = p.p_id) FROM pack p WHERE p.p_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errPackNotFound(id)
	}
	if err != nil {
		return 0, fmt.Errorf("count replies of pack %d: %w", id, err)
	}
	return int(n.Int64), nil
}

// packReplies reads a pack's replies, each with whether the same person
// (student number or e-mail) replied or started another run, in any pack:
// identity alone starts a new run, so a second run is worth a look.
const packReplies = `SELECT ` + replyColumns + `,
       EXISTS (SELECT 1 FROM reply o WHERE o.no = reply.no AND o.r_id <> reply.r_id)
    OR EXISTS (SELECT 1 FROM reply o WHERE o.email = reply.email AND o.r_id <> reply.r_id)
    OR EXISTS (SELECT 1 FROM run u WHERE u.no = reply.no AND u.token IS DISTINCT FROM reply.token)
    OR EXISTS (SELECT 1 FROM run u WHERE u.email = reply.email AND u.token IS DISTINCT FROM reply.token) AS repeat
FROM reply WHERE p_id = $1 ORDER BY r_id`

// PackReplies streams a pack's replies by r_id, in one snapshot, with
// whether their person replied or started a run more than once.
func (s *Store) PackReplies(ctx context.Context, id int, each func(r *model.Reply, repeat bool) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("replies of pack %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	err = eachRow(ctx, tx, packReplies, id, func(rows *sqlx.Rows) error {
		var row struct {
			model.Reply
			Repeat bool `db:"repeat"`
		}
		if err := rows.StructScan(&row); err != nil {
			return err
		}
		return each(&row.Reply, row.Repeat)
	})
	if err != nil {
		return fmt.Errorf("replies of pack %d: %w", id, err)
	}
	return tx.Commit()
}

// PackReply reads one reply of a pack; one that is not there, or of
// another pack, is UnknownReply.
func (s *Store) PackReply(ctx context.Context, id int, rid int64) (*model.Reply, error) {
	var r model.Reply
	err := s.db.GetContext(ctx, &r, `SELECT `+replyColumns+` FROM reply WHERE r_id = $1 AND p_id = $2`, rid, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Fail(model.UnknownReply, rid)
	}
	if err != nil {
		return nil, fmt.Errorf("read reply %d: %w", rid, err)
	}
	return &r, nil
}
