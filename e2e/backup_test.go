package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The backup and restore commands of README.md (Deploy), on a live stack:
// pg_dump + tar of packs and htpasswd, then drop everything, restore, and
// the site is back with its packs, replies, images and admin password.
func TestBackupAndRestore(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 3})
	id := s.CreatePack(t, "backup", 1, 20, 29, 3)
	p := NewPerson(7, 1, 21)
	a := s.StartReply(t, "/api/reply/start", p)
	if r := s.PostJSON(t, s.Client(), "/api/reply/submit", NewSubmission(p, a, a.Token)); r.Status != http.StatusOK {
		t.Fatalf("submit: %v", r)
	}
	image := a.PackPath + "/" + a.PicPairs[0][0]
	before := s.Get(t, s.Client(), image).Body

	dir := t.TempDir()
	dump, files := filepath.Join(dir, "psyx.dump"), filepath.Join(dir, "psyx-files.tar.gz")
	pg := func(prog string, args ...string) {
		t.Helper()
		run(t, filepath.Join(s.Cluster.BinDir(), prog), args...)
	}
	pg("pg_dump", "-Fc", "-d", s.DatabaseURL, "-f", dump)
	run(t, "tar", "-C", s.DataDir, "-czf", files, "packs", "psyx.htpasswd")

	// Disaster: database and files gone.
	s.Supervisorctl(t, "stop", "psyx")
	db := dbName(t, s.DatabaseURL)
	host := []string{"-h", s.Cluster.SocketDir(), "-U", "postgres"}
	// --force only because this test's own pool may still hold connections.
	pg("dropdb", append(host, "--force", db)...)
	pg("createdb", append(host, db)...)
	if err := os.RemoveAll(filepath.Join(s.DataDir, "packs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.DataDir, "psyx.htpasswd")); err != nil {
		t.Fatal(err)
	}

	pg("pg_restore", "--no-owner", "-d", s.DatabaseURL, dump)
	run(t, "tar", "-C", s.DataDir, "-xpzf", files)
	s.Supervisorctl(t, "start", "psyx")
	waitHealthy(t, s.URL("/api/health"))

	packs := s.ListPacks(t) // needs the restored htpasswd too
	if len(packs) != 1 || packs[0].PID != id || packs[0].Count != 1 {
		t.Fatalf("after restore: %+v", packs)
	}
	if replies := s.Download(t, id); len(replies) != 1 || replies[0].No != p.No || len(replies[0].Answers) != 3 {
		t.Fatalf("replies after restore: %+v", replies)
	}
	if after := s.Get(t, s.Client(), image); after.Status != http.StatusOK || !bytes.Equal(after.Body, before) {
		t.Fatalf("image after restore: %v", after.Status)
	}
	// The restored database still enforces its rules and takes new replies.
	p2 := NewPerson(8, 1, 22)
	a2 := s.StartReply(t, "/api/reply/start", p2)
	if r := s.PostJSON(t, s.Client(), "/api/reply/submit", NewSubmission(p2, a2, a2.Token)); r.Status != http.StatusOK {
		t.Fatalf("submit after restore: %v", r)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// dbName is the dbname of a key=value connection string.
func dbName(t *testing.T, url string) string {
	t.Helper()
	for _, f := range strings.Fields(url) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			return v
		}
	}
	t.Fatalf("no dbname in %q", url)
	return ""
}
