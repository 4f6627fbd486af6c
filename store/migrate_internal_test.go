package store

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr string
	}{
		{"ordered by number", fstest.MapFS{"010_b.sql": sql, "002_a.sql": sql, "001_init.sql": sql}, []int{1, 2, 10}, ""},
		{"duplicate number", fstest.MapFS{"001_init.sql": sql, "002_a.sql": sql, "002_b.sql": sql}, nil, "share version 2"},
		{"same number written differently", fstest.MapFS{"2_a.sql": sql, "002_b.sql": sql}, nil, "share version 2"},
		{"no number", fstest.MapFS{"init.sql": sql}, nil, "must start with a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := loadMigrations(tc.files)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("versions %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("versions %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// The migrations that ship load: no duplicate number slipped in.
func TestShippedMigrationsLoad(t *testing.T) {
	if _, err := loadMigrations(mustSub(t)); err != nil {
		t.Fatal(err)
	}
}

func mustSub(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
