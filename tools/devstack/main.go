// Command devstack is the one-command local run behind scripts/run.sh: a
// PostgreSQL cluster in ./var/pg, the psyx service under a private
// supervisord and Nginx in front of it with the production configs
// (tools/stack), an admin login printed. Ctrl-C (or SIGTERM) stops
// everything it started, newest first; the next run reuses ./var.
//
//	PSYX_HTTP_PORT       Nginx port (8080)
//	PSYX_API_PORT        psyx port on 127.0.0.1 (5000)
//	PSYX_ADMIN_PASSWORD  password of "admin" (else generated once, kept in
//	                     var/admin-password)
//	PSYX_PAIRS_PER_PACK, PSYX_TIME_ZONE, ... pass through to the service.
//
// Run it from the checkout's root: go run ./tools/devstack.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func say(format string, args ...any) { fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...) }

func run() error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("run me from the checkout's root (scripts/run.sh does): %w", err)
	}
	varDir := filepath.Join(root, "var")
	httpAddr := "127.0.0.1:" + envOr("PSYX_HTTP_PORT", "8080")
	apiAddr := "127.0.0.1:" + envOr("PSYX_API_PORT", "5000")
	if err := os.MkdirAll(filepath.Join(varDir, "bin"), 0o755); err != nil {
		return err
	}

	pgDir, err := clusterDir(root, varDir)
	if err != nil {
		return err
	}
	say("PostgreSQL in %s", pgDir)
	cluster, err := pgtest.Start(pgtest.Options{Dir: pgDir, Durable: true})
	if err != nil {
		return err
	}
	defer func() {
		if err := cluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "warning: stopping PostgreSQL:", err)
		}
	}()
	dbURL, err := cluster.EnsureDatabase("psyx")
	if err != nil {
		return err
	}

	say("building psyx")
	bin := filepath.Join(varDir, "bin", "psyx")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	password, note, err := adminPassword(filepath.Join(varDir, "admin-password"))
	if err != nil {
		return err
	}

	say("starting psyx under supervisord, and Nginx on http://%s", httpAddr)
	s, err := stack.Start(stack.Options{
		Cluster: cluster, DatabaseURL: dbURL, PsyxBin: bin, HTMLDir: filepath.Join(root, "nginx", "html"),
		Root: varDir, HTTPAddr: httpAddr, APIAddrs: []string{apiAddr}, AdminPassword: password,
		StartTimeout: time.Minute,
	})
	if err != nil {
		return fmt.Errorf("%w\n(set PSYX_HTTP_PORT / PSYX_API_PORT if a port is taken; logs in %s)", err, filepath.Join(varDir, "run"))
	}
	defer func() {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
		say("stopped")
	}()
	fmt.Printf(`
Psyx is running.
  Participant page  %[1]s/
  Admin page        %[1]s/admin/
  API (via Nginx)   %[1]s/api/health
  Admin login       %[2]s / %[3]s %[4]s
  Data              %[5]s (packs/, logs/api.log)
  PostgreSQL        %[6]s
  Logs              %[7]s (nginx-error.log, nginx-access.log, supervisord.log)
  Supervisor        supervisorctl -c %[7]s/supervisord.conf status
Ctrl-C stops everything.
`, s.BaseURL, s.AdminUser, password, note, s.DataDir, pgDir, s.RunDir)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case got := <-sig:
		say("%v: stopping Nginx, psyx (it finishes its requests), PostgreSQL", got)
		return nil
	case <-s.Exited():
		return errors.New("nginx or supervisord exited; stopping the rest (see " + s.RunDir + ")")
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// clusterDir is var/pg. As root, PostgreSQL runs as the postgres user, who
// must be able to enter it: a checkout under /root (mode 0700) is out of
// its reach, so the cluster then lives under /var/lib/psyx-dev/ and var/pg
// links to it.
func clusterDir(root, varDir string) (string, error) {
	pg := filepath.Join(varDir, "pg")
	if target, err := filepath.EvalSymlinks(pg); err == nil {
		return target, nil
	}
	if os.Geteuid() != 0 || othersCanEnter(varDir) {
		return pg, nil
	}
	alt := filepath.Join("/var/lib/psyx-dev", shortHash(root), "pg")
	if err := os.MkdirAll(alt, 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(alt, pg); err != nil {
		return "", err
	}
	say("the postgres user cannot enter %s; the cluster lives in %s (linked from var/pg)", varDir, alt)
	return alt, nil
}

// othersCanEnter: every folder from / down to dir has o+x.
func othersCanEnter(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func shortHash(s string) string {
	var h uint64 = 14695981039346656037 // FNV-1a: a stable name per checkout
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return fmt.Sprintf("%012x", h)[:12]
}

// adminPassword is PSYX_ADMIN_PASSWORD, else the one kept in file from an
// earlier run, else a new one kept there (readable by its owner only).
func adminPassword(file string) (password, note string, err error) {
	if p := os.Getenv("PSYX_ADMIN_PASSWORD"); p != "" {
		return p, "(from PSYX_ADMIN_PASSWORD)", nil
	}
	if b, err := os.ReadFile(file); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), "(kept in var/admin-password)", nil
	}
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	password = hex.EncodeToString(b)
	if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
		return "", "", err
	}
	return password, "(generated, kept in var/admin-password)", nil
}
