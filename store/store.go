// Package store owns every SQL statement of Psyx: packs, replies, runs and
// the schema migrations, on PostgreSQL through sqlx and lib/pq. Failures
// the client caused come back as *model.Error with the message to show.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver

	"github.com/psyx-lab/psyx/model"
)

// Advisory lock keys (two-int form): 'PSYX' and a purpose.
const (
	lockSpace       = 0x50535958
	lockMigrations  = 1
	lockPackFolders = 2
	lockPackCreate  = 3
	lockSeenFold    = 4 // migration 005's triggers take it shared
)

// Store is the database of packs, replies and runs.
type Store struct {
	db *sqlx.DB

	// Packs never change once created and p_ids are never reused, so a pack
	// read once is kept for the life of the process (and dropped when this
	// process deletes it).
	packsMu sync.RWMutex
	packs   map[int]*model.PackFiles
	matches map[[2]int]int // (sex, age) -> p_id; see MatchPack

	servedMu sync.Mutex
	served   map[string]*model.Served // token -> what the run showed; see RunServed

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // see prepared
}

// Open connects and checks the connection.
func Open(ctx context.Context, url string, maxConns int) (*Store, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &Store{db: db, packs: map[int]*model.PackFiles{}, matches: map[[2]int]int{}, served: map[string]*model.Served{}, stmts: map[string]*sql.Stmt{}}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmtMu.Unlock()
	return s.db.Close()
}

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the handle for tests and tools in this module.
func (s *Store) DB() *sqlx.DB { return s.db }

// prepared is query prepared once (database/sql prepares it again on each
// new connection by itself): PostgreSQL plans the hot statements once per
// connection instead of once per request, and lib/pq sends each in one
// round trip, not two. Prepared on first use, since the tables exist only
// after Migrate.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.stmts[query] = st
	return st, nil
}
