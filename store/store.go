// Package store owns every SQL statement of Psyx: packs, replies and the
// schema migrations, on PostgreSQL through sqlx and lib/pq.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

// Advisory lock keys (two-int form): 'PSYX' and a purpose.
const (
	lockSpace       = 0x50535958
	lockMigrations  = 1
	lockPackFolders = 2
	lockPackCreate  = 3
)

// Store is the database of packs and replies.
type Store struct {
	db *sqlx.DB

	// Packs never change once created and p_ids are never reused, so a pack
	// read once can be kept for the life of the process.
	cacheMu sync.RWMutex
	cache   map[int]*PackFiles

	stmtMu sync.Mutex
	insert *sql.Stmt // see insertStmt
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
	return &Store{db: db, cache: map[int]*PackFiles{}}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	if s.insert != nil {
		s.insert.Close()
	}
	s.stmtMu.Unlock()
	return s.db.Close()
}

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the handle for tests and tools in this module.
func (s *Store) DB() *sqlx.DB { return s.db }
