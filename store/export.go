package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/psyx-lab/psyx/model"
)

const exportReplies = `SELECT ` + replyColumns + ` FROM reply WHERE p_id = $1 ORDER BY r_id`

const exportRuns = `SELECT ` + runColumns + ` FROM run WHERE p_id = $1 AND finished_at IS NULL ORDER BY started_at, token`

// ExportPack reads a pack, then streams its replies (by r_id) and, when
// asked, its unfinished runs (by start), all in one read-only snapshot so
// the counts and the rows agree. Rows are read one at a time: memory does
// not grow with the reply count. An unknown id is "Pack <id> Not Found".
func (s *Store) ExportPack(ctx context.Context, id int, now time.Time, abandonAfter time.Duration, e model.Export) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export pack %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	p, err := packSummary(ctx, tx, id, now, abandonAfter)
	if err != nil {
		return err
	}
	if err := e.Head(p); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, exportReplies, id, func(rows *sqlx.Rows) error {
		var r model.Reply
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		return e.Reply(&r)
	}); err != nil {
		return fmt.Errorf("export pack %d: replies: %w", id, err)
	}
	if e.Unfinished != nil {
		if err := eachRow(ctx, tx, exportRuns, id, func(rows *sqlx.Rows) error {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			return e.Unfinished(r)
		}); err != nil {
			return fmt.Errorf("export pack %d: runs: %w", id, err)
		}
	}
	return tx.Commit()
}

func eachRow(ctx context.Context, tx *sqlx.Tx, query string, id int, fn func(*sqlx.Rows) error) error {
	rows, err := tx.QueryxContext(ctx, query, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
