package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Reply is one participant's submission.
type Reply struct {
	ID        int64           `db:"r_id"`
	PackID    int             `db:"p_id"`
	Name      string          `db:"name"`
	Email     string          `db:"email"`
	No        string          `db:"no"`
	Sex       int             `db:"sex"`
	Age       int             `db:"age"`
	Phone     string          `db:"phone"`
	Answers   json.RawMessage `db:"answers"`
	Token     sql.NullString  `db:"token"`
	CreatedAt time.Time       `db:"created_at"`
}

const insertReply = `
INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (token) DO NOTHING
RETURNING r_id`

// insertStmt is insertReply prepared once (database/sql prepares it again on
// each new connection by itself): PostgreSQL plans it once per connection
// instead of once per submit, and lib/pq sends it in one round trip, not two.
// Prepared on first use, since the table exists only after Migrate.
func (s *Store) insertStmt(ctx context.Context) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.insert == nil {
		st, err := s.db.PrepareContext(ctx, insertReply)
		if err != nil {
			return nil, err
		}
		s.insert = st
	}
	return s.insert, nil
}

// InsertReply stores a reply. A reply whose token is already stored is not
// stored again; created tells which happened. A pack deleted meanwhile gives
// ErrPackNotFound.
func (s *Store) InsertReply(ctx context.Context, r *Reply) (created bool, err error) {
	st, err := s.insertStmt(ctx)
	if err != nil {
		return false, fmt.Errorf("insert reply: prepare: %w", err)
	}
	var id int64
	err = st.QueryRowContext(ctx, r.PackID, r.Name, r.Email, r.No, r.Sex, r.Age, r.Phone, []byte(r.Answers), r.Token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // same token stored before: a retry
	}
	if pqCode(err) == codeForeignKey {
		return false, ErrPackNotFound
	}
	if err != nil {
		return false, fmt.Errorf("insert reply: %w", err)
	}
	r.ID = id
	return true, nil
}

const repliesOfPack = `
SELECT r_id, p_id, name, email, no, sex, age, phone, answers, token, created_at
FROM reply WHERE p_id = $1 ORDER BY r_id`

// ExportPack reads a pack and streams its replies, ordered by r_id, to each
// in one read-only snapshot, so the pack's count and its replies agree.
// Rows are read one at a time: memory does not grow with the reply count.
func (s *Store) ExportPack(ctx context.Context, id int, head func(*Pack) error, each func(*Reply) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export pack %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	var p Pack
	err = tx.GetContext(ctx, &p, packWithCount, id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrPackNotFound
	}
	if err != nil {
		return fmt.Errorf("export pack %d: %w", id, err)
	}
	if err := head(&p); err != nil {
		return err
	}
	rows, err := tx.QueryxContext(ctx, repliesOfPack, id)
	if err != nil {
		return fmt.Errorf("export pack %d: query replies: %w", id, err)
	}
	defer rows.Close()
	var r Reply
	for rows.Next() {
		r = Reply{}
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("export pack %d: scan reply: %w", id, err)
		}
		if err := each(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export pack %d: read replies: %w", id, err)
	}
	return tx.Commit()
}
