package pgtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// BinDir finds initdb/pg_ctl: $PSYX_PG_BIN, then the newest of Debian's
// versioned folders (/usr/lib/postgresql/<version>/bin), then PATH. It is
// the project's one PostgreSQL lookup: the scripts, the local run and the
// benchmarks all come through here.
func BinDir() (string, error) {
	if d := os.Getenv("PSYX_PG_BIN"); d != "" {
		return d, nil
	}
	if d := newestVersionDir(globVersionDirs()); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql (scripts/test.sh does) or set PSYX_PG_BIN")
}

func globVersionDirs() []string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	dirs := make([]string, len(matches))
	for i, m := range matches {
		dirs[i] = filepath.Dir(m)
	}
	return dirs
}

// newestVersionDir picks the bin folder of the highest version, compared
// as numbers: a lexical sort would put 9.6 after 16.
func newestVersionDir(dirs []string) string {
	if len(dirs) == 0 {
		return ""
	}
	sorted := append([]string(nil), dirs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return versionLess(versionOf(sorted[i]), versionOf(sorted[j]))
	})
	return sorted[len(sorted)-1]
}

// versionOf reads "16" or "9.6" from /usr/lib/postgresql/<version>/bin;
// a folder name that is not a version sorts first.
func versionOf(binDir string) []int {
	name := filepath.Base(filepath.Dir(binDir))
	var v []int
	for _, part := range strings.Split(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil
		}
		v = append(v, n)
	}
	return v
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}
