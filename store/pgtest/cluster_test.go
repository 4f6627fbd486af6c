package pgtest

import (
	"database/sql"
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
