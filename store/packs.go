package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/psyx-lab/psyx/model"
)

// listPacks reads every pack with its counts, from the tallies: its cost
// grows with the packs, never with the replies or runs. $1 is the cut: an
// unfinished run last seen at or before it is abandoned. With the
// watermark w (migration 005; FoldSeen keeps it at the cut's minute) the
// abandoned runs are those last seen before w (gone: one count per pack),
// those of the minutes from w to the cut's minute (pack_seen: none once
// the fold has run), and those of the cut's own minute up to the cut,
// counted one by one on the index of unfinished runs by last_seen (a
// minute's worth at most); when w is past the cut (an instance with a
// shorter abandon_after folded) the runs between the cut and w are running,
// counted one by one too. Running is the unfinished runs less those.
const listPacks = `
SELECT p.p_id, p.pack_name, p.sex, p.age_min, p.age_max, p.size, p.created_at,
       coalesce(t.replies, 0) AS count,
       coalesce(t.unfinished, 0) - (coalesce(g.n, 0) + coalesce(b.n, 0) + coalesce(e.n, 0) - coalesce(x.n, 0)) AS running,
       coalesce(g.n, 0) + coalesce(b.n, 0) + coalesce(e.n, 0) - coalesce(x.n, 0) AS abandoned,
       t.last_reply
FROM pack p
LEFT JOIN (SELECT p_id, sum(replies) AS replies, sum(unfinished) AS unfinished, max(last_reply) AS last_reply
           FROM pack_tally GROUP BY p_id) t USING (p_id)
LEFT JOIN (SELECT p_id, sum(n) AS n FROM pack_gone GROUP BY p_id) g USING (p_id)
LEFT JOIN (SELECT p_id, sum(n) AS n FROM pack_seen
           WHERE minute >= (SELECT since FROM seen_watermark) AND minute < date_trunc('minute', $1::timestamptz)
           GROUP BY p_id) b USING (p_id)
LEFT JOIN (SELECT p_id, count(*) AS n FROM run
           WHERE finished_at IS NULL AND last_seen <= $1::timestamptz
             AND last_seen >= greatest((SELECT since FROM seen_watermark), date_trunc('minute', $1::timestamptz))
           GROUP BY p_id) e USING (p_id)
LEFT JOIN (SELECT p_id, count(*) AS n FROM run
           WHERE finished_at IS NULL AND last_seen > $1::timestamptz AND last_seen < (SELECT since FROM seen_watermark)
           GROUP BY p_id) x USING (p_id)`

// ListPacks returns every pack with its counts at now, ordered by p_id.
// Prepared once per connection: planning the query's five joins cost
// PostgreSQL about as much as running it.
func (s *Store) ListPacks(ctx context.Context, now time.Time, abandonAfter time.Duration) ([]model.PackSummary, error) {
	st, err := s.prepared(ctx, listPacks+` ORDER BY p.p_id`)
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	packs := []model.PackSummary{}
	stx := &sqlx.Stmt{Stmt: st, Mapper: s.db.Mapper}
	if err := stx.SelectContext(ctx, &packs, now.Add(-abandonAfter)); err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	return packs, nil
}

func packSummary(ctx context.Context, q sqlxGetter, id int, now time.Time, abandonAfter time.Duration) (*model.PackSummary, error) {
	var p model.PackSummary
	err := q.GetContext(ctx, &p, listPacks+` WHERE p.p_id = $2`, now.Add(-abandonAfter), id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPackNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read pack %d: %w", id, err)
	}
	return &p, nil
}

// sqlxGetter is a *sqlx.DB or a *sqlx.Tx.
type sqlxGetter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

func errPackNotFound(id int) error { return model.Fail(model.PackNotFound, id) }

const matchPack = `
SELECT p_id FROM pack
WHERE sex = $1 AND int4range(age_min, age_max, '[]') @> $2::integer`

// MatchPack finds the one pack for a participant's sex and age; the
// exclusion constraint guarantees there is at most one. A match found is
// kept: while its pack exists no other can cover that sex and age (ranges
// never overlap and packs never change), and a run inserted for a pack
// deleted meanwhile fails its foreign key, which drops the match (packGone).
func (s *Store) MatchPack(ctx context.Context, sex, age int) (*model.PackFiles, error) {
	s.packsMu.RLock()
	id, ok := s.matches[[2]int{sex, age}]
	s.packsMu.RUnlock()
	if ok {
		return s.PackFiles(ctx, id)
	}
	err := s.db.GetContext(ctx, &id, matchPack, sex, age)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Fail(model.NoSuitablePack)
	}
	if err != nil {
		return nil, fmt.Errorf("match pack: %w", err)
	}
	s.packsMu.Lock()
	s.matches[[2]int{sex, age}] = id
	s.packsMu.Unlock()
	return s.PackFiles(ctx, id)
}

// packGone is what inserting for a pack that no longer exists means: its
// cached files and matches go, and the participant is told there is no
// pack (the API matches again once).
func (s *Store) packGone(id int) error {
	s.forget(id)
	return model.Fail(model.NoSuitablePack)
}

const packByID = `
SELECT p_id, pack_name, sex, age_min, age_max, size, created_at, pairs
FROM pack WHERE p_id = $1`

// PackFiles returns a pack with its pairs, from the cache when it can.
// An unknown id is PackNotFound.
func (s *Store) PackFiles(ctx context.Context, id int) (*model.PackFiles, error) {
	s.packsMu.RLock()
	p, ok := s.packs[id]
	s.packsMu.RUnlock()
	if ok {
		return p, nil
	}
	var row struct {
		model.Pack
		PairsJSON []byte `db:"pairs"`
	}
	err := s.db.GetContext(ctx, &row, packByID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPackNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read pack %d: %w", id, err)
	}
	var pairs []model.Pair
	if err := json.Unmarshal(row.PairsJSON, &pairs); err != nil {
		return nil, fmt.Errorf("pack %d: decode pairs: %w", id, err)
	}
	p = model.NewPackFiles(row.Pack, pairs)
	s.packsMu.Lock()
	s.packs[id] = p
	s.packsMu.Unlock()
	return p, nil
}

func (s *Store) forget(id int) {
	s.packsMu.Lock()
	delete(s.packs, id)
	for k, v := range s.matches {
		if v == id {
			delete(s.matches, k)
		}
	}
	s.packsMu.Unlock()
}

const insertPack = `
INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING p_id`

// CreatePack inserts the pack row and publishes its folder before the
// commit. A name or range taken meanwhile is PackExisted or PackOverlapped.
func (s *Store) CreatePack(ctx context.Context, np model.NewPack, folder model.PackFolder) (int, error) {
	pairs, err := json.Marshal(np.Pairs)
	if err != nil {
		return 0, fmt.Errorf("encode pairs: %w", err)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("create pack: begin: %w", err)
	}
	defer tx.Rollback()
	// The folder lock is shared with deletes; the folder sweep takes it
	// exclusively. Creates queue behind each other: two racing inserts that
	// violate the exclusion constraint can otherwise deadlock, and creates
	// are rare enough that waiting costs nothing.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1, $2), pg_advisory_xact_lock($1, $3)`,
		lockSpace, lockPackFolders, lockPackCreate); err != nil {
		return 0, fmt.Errorf("create pack: lock: %w", err)
	}
	var id int
	err = tx.GetContext(ctx, &id, insertPack, np.Name, np.Sex, np.AgeMin, np.AgeMax, len(np.Pairs), pairs)
	switch pqCode(err) {
	case "":
	case codeUniqueViolation:
		return 0, model.Fail(model.PackExisted)
	case codeExclusionViolation:
		return 0, model.Fail(model.PackOverlapped)
	}
	if err != nil {
		return 0, fmt.Errorf("insert pack: %w", err)
	}
	if err := folder.Publish(np.Name); err != nil {
		return 0, fmt.Errorf("publish pack folder: %w", err)
	}
	switch res, err := s.commit(ctx, tx, s.packExists(id)); res {
	case committed:
		return id, nil
	case rolledBack:
		if werr := folder.Withdraw(np.Name); werr != nil {
			return 0, errors.Join(fmt.Errorf("create pack: %w", err), werr)
		}
		return 0, fmt.Errorf("create pack: %w", err)
	default:
		// The folder stays; the next start's sweep keeps it only if the row exists.
		return 0, fmt.Errorf("create pack: %w", err)
	}
}

func (s *Store) packExists(id int) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		var n int
		err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pack WHERE p_id = $1`, id)
		return n > 0, err
	}
}

// DeletePack removes the pack row (its replies, runs and tallies go by ON
// DELETE CASCADE) and its folder. The folder leaves the served tree before
// the commit and comes back if the commit fails, so a row never loses its
// folder. An unknown id is PackNotFound. It returns the pack's name.
func (s *Store) DeletePack(ctx context.Context, id int, folders model.FolderRetirer) (string, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("delete pack: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1, $2)`, lockSpace, lockPackFolders); err != nil {
		return "", fmt.Errorf("delete pack: lock: %w", err)
	}
	var name string
	err = tx.GetContext(ctx, &name, `DELETE FROM pack WHERE p_id = $1 RETURNING pack_name`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errPackNotFound(id)
	}
	if err != nil {
		return "", fmt.Errorf("delete pack %d: %w", id, err)
	}
	trash, err := folders.Retire(name)
	if err != nil {
		return "", fmt.Errorf("delete pack %d: retire folder: %w", id, err)
	}
	exists := s.packExists(id)
	gone := func(ctx context.Context) (bool, error) { yes, err := exists(ctx); return !yes, err }
	switch res, err := s.commit(ctx, tx, gone); res {
	case committed:
		s.forget(id)
		folders.Purge(trash)
		return name, nil
	case rolledBack:
		if rerr := folders.Restore(trash, name); rerr != nil {
			return "", errors.Join(fmt.Errorf("delete pack %d: %w", id, err), rerr)
		}
		return "", fmt.Errorf("delete pack %d: %w", id, err)
	default:
		return "", fmt.Errorf("delete pack %d: %w", id, err)
	}
}

// WithFoldersLocked runs fn while no pack is being created or deleted by any
// instance, with the packs that exist (id by name). The folder sweep at
// start uses it to tell leftovers from packs.
func (s *Store) WithFoldersLocked(ctx context.Context, fn func(packs map[string]int) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("folder lock: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockPackFolders); err != nil {
		return fmt.Errorf("folder lock: %w", err)
	}
	var rows []struct {
		ID   int    `db:"p_id"`
		Name string `db:"pack_name"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT p_id, pack_name FROM pack`); err != nil {
		return fmt.Errorf("folder lock: list names: %w", err)
	}
	packs := make(map[string]int, len(rows))
	for _, r := range rows {
		packs[r.Name] = r.ID
	}
	if err := fn(packs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("folder lock: commit: %w", err)
	}
	return nil
}

// PackNameTaken tells whether a pack has this name; an upload asks before
// receiving its files, the unique constraint decides in the end.
func (s *Store) PackNameTaken(ctx context.Context, name string) (bool, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pack WHERE pack_name = $1`, name); err != nil {
		return false, fmt.Errorf("check pack name: %w", err)
	}
	return n > 0, nil
}
