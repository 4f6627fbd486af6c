package pgtest

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

func TestClusterStopStart(t *testing.T) {
	c := New(t)
	url := c.NewDatabase(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("ping running cluster: %v", err)
	}
	if err := c.StopServer(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err == nil {
		t.Fatal("ping succeeded with the server stopped")
	}
	if err := c.StartServer(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("ping after restart: %v", err)
	}
}

// A cluster in Options.Dir survives Close and is reused, data and all, by
// the next Start (the local run's ./var/pg).
func TestClusterInDirIsKept(t *testing.T) {
	dir, err := os.MkdirTemp("", "psyxpgdir")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The postgres user (when we are root) must be able to enter it.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg := filepath.Join(dir, "pg")
	for round := 1; round <= 2; round++ {
		c, err := Start(Options{Dir: pg})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		url, err := c.EnsureDatabase("psyx")
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			_, err = db.Exec(`CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)`)
		} else {
			var n int
			if err = db.QueryRow(`SELECT n FROM kept`).Scan(&n); err == nil && n != 42 {
				t.Errorf("kept row: %d", n)
			}
		}
		db.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(pg, "data", "PG_VERSION")); err != nil {
		t.Errorf("data gone after Close: %v", err)
	}
}
