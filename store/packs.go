package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Pair is one stimulus pair: the ori file and the inv file.
type Pair [2]string

// Pack is a pack row with its reply count.
type Pack struct {
	ID        int       `db:"p_id"`
	Name      string    `db:"pack_name"`
	Sex       int       `db:"sex"`
	AgeMin    int       `db:"age_min"`
	AgeMax    int       `db:"age_max"`
	Size      int       `db:"size"`
	Count     int       `db:"count"`
	CreatedAt time.Time `db:"created_at"`
}

// PackFiles is a pack with its image pairs, as the participant API needs it.
type PackFiles struct {
	Pack
	Pairs []Pair
}

// NewPack is what creating a pack stores.
type NewPack struct {
	Name   string
	Sex    int
	AgeMin int
	AgeMax int
	Pairs  []Pair
}

// PackFolder is the pack's image folder, moved into place inside the
// transaction that inserts its row, so the two appear together.
type PackFolder interface {
	Publish(name string) error
	Withdraw(name string) error
}

// FolderRetirer moves a deleted pack's folder out of the served tree inside
// the deleting transaction, and puts it back if that transaction fails.
type FolderRetirer interface {
	Retire(name string) (trash string, err error)
	Restore(trash, name string) error
	Purge(trash string)
}

// selectPacks is a pack with its reply count; callers add WHERE / ORDER BY.
const selectPacks = `
SELECT p.p_id, p.pack_name, p.sex, p.age_min, p.age_max, p.size, p.created_at,
       (SELECT count(*) FROM reply r WHERE r.p_id = p.p_id) AS count
FROM pack p`

const listPacks = selectPacks + ` ORDER BY p.p_id`

// ListPacks returns every pack with its reply count, ordered by p_id.
func (s *Store) ListPacks(ctx context.Context) ([]Pack, error) {
	packs := []Pack{}
	if err := s.db.SelectContext(ctx, &packs, listPacks); err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	return packs, nil
}

const matchPack = `
SELECT p_id FROM pack
WHERE sex = $1 AND int4range(age_min, age_max, '[]') @> $2::integer`

// MatchPack finds the one pack for a participant's sex and age; the
// exclusion constraint guarantees there is at most one.
func (s *Store) MatchPack(ctx context.Context, sex, age int) (*PackFiles, error) {
	var id int
	err := s.db.GetContext(ctx, &id, matchPack, sex, age)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrPackNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("match pack: %w", err)
	}
	return s.PackFiles(ctx, id)
}

const packByID = `
SELECT p_id, pack_name, sex, age_min, age_max, size, created_at, pairs
FROM pack WHERE p_id = $1`

// PackFiles returns a pack with its pairs, from the cache when it can.
// The Count field is not filled.
func (s *Store) PackFiles(ctx context.Context, id int) (*PackFiles, error) {
	s.cacheMu.RLock()
	p, ok := s.cache[id]
	s.cacheMu.RUnlock()
	if ok {
		return p, nil
	}
	var row struct {
		Pack
		PairsJSON []byte `db:"pairs"`
	}
	err := s.db.GetContext(ctx, &row, packByID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrPackNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read pack %d: %w", id, err)
	}
	p = &PackFiles{Pack: row.Pack}
	if err := json.Unmarshal(row.PairsJSON, &p.Pairs); err != nil {
		return nil, fmt.Errorf("pack %d: decode pairs: %w", id, err)
	}
	s.cacheMu.Lock()
	s.cache[id] = p
	s.cacheMu.Unlock()
	return p, nil
}

const packWithCount = selectPacks + ` WHERE p.p_id = $1`

const insertPack = `
INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING p_id`

// CreatePack inserts the pack row and publishes its folder before the
// commit. A name or range taken meanwhile fails with ErrPackNameTaken or
// ErrPackOverlap.
func (s *Store) CreatePack(ctx context.Context, np NewPack, folder PackFolder) (int, error) {
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
		return 0, ErrPackNameTaken
	case codeExclusionViolation:
		return 0, ErrPackOverlap
	}
	if err != nil {
		return 0, fmt.Errorf("insert pack: %w", err)
	}
	if err := folder.Publish(np.Name); err != nil {
		return 0, fmt.Errorf("publish pack folder: %w", err)
	}
	if err := tx.Commit(); err != nil {
		// A failed COMMIT may still have committed (the connection died after
		// the server wrote it): ask again before taking the folder away.
		exists, qerr := s.packExists(ctx, id)
		if qerr == nil && exists {
			return id, nil
		}
		if qerr == nil {
			if werr := folder.Withdraw(np.Name); werr != nil {
				return 0, errors.Join(fmt.Errorf("create pack: commit: %w", err), werr)
			}
		}
		// Unknown outcome: the folder stays; the next start's sweep keeps it
		// only if the row exists.
		return 0, fmt.Errorf("create pack: commit: %w", err)
	}
	return id, nil
}

func (s *Store) packExists(ctx context.Context, id int) (bool, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pack WHERE p_id = $1`, id)
	return n > 0, err
}

// Pack returns one pack with its reply count.
func (s *Store) Pack(ctx context.Context, id int) (*Pack, error) {
	var p Pack
	err := s.db.GetContext(ctx, &p, packWithCount, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrPackNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read pack %d: %w", id, err)
	}
	return &p, nil
}

// DeletePack removes the pack row (its replies go by ON DELETE CASCADE) and
// its folder. The folder leaves the served tree before the commit and comes
// back if the commit fails, so a row never loses its folder.
func (s *Store) DeletePack(ctx context.Context, id int, folders FolderRetirer) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete pack: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1, $2)`, lockSpace, lockPackFolders); err != nil {
		return fmt.Errorf("delete pack: lock: %w", err)
	}
	var name string
	err = tx.GetContext(ctx, &name, `DELETE FROM pack WHERE p_id = $1 RETURNING pack_name`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrPackNotFound
	}
	if err != nil {
		return fmt.Errorf("delete pack %d: %w", id, err)
	}
	trash, err := folders.Retire(name)
	if err != nil {
		return fmt.Errorf("delete pack %d: retire folder: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		exists, qerr := s.packExists(ctx, id)
		if qerr == nil && !exists {
			folders.Purge(trash)
			s.forget(id)
			return nil
		}
		if qerr == nil {
			if rerr := folders.Restore(trash, name); rerr != nil {
				return errors.Join(fmt.Errorf("delete pack %d: commit: %w", id, err), rerr)
			}
		}
		return fmt.Errorf("delete pack %d: commit: %w", id, err)
	}
	s.forget(id)
	folders.Purge(trash)
	return nil
}

func (s *Store) forget(id int) {
	s.cacheMu.Lock()
	delete(s.cache, id)
	s.cacheMu.Unlock()
}

// WithFoldersLocked runs fn while no pack is being created or deleted by any
// instance, with the set of pack names that exist. The folder sweep at start
// uses it to tell leftovers from packs.
func (s *Store) WithFoldersLocked(ctx context.Context, fn func(names map[string]bool) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("folder lock: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockPackFolders); err != nil {
		return fmt.Errorf("folder lock: %w", err)
	}
	var list []string
	if err := tx.SelectContext(ctx, &list, `SELECT pack_name FROM pack`); err != nil {
		return fmt.Errorf("folder lock: list names: %w", err)
	}
	names := make(map[string]bool, len(list))
	for _, n := range list {
		names[n] = true
	}
	if err := fn(names); err != nil {
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
