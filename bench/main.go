// Command bench measures Psyx beside its physical limits, in one run, on
// this machine, loopback only, in about eight minutes:
//
//   - a durable PostgreSQL cluster (tools/pgtest, fsync on, as in production)
//     and the stack the e2e tests use (tools/stack: psyx under
//     supervisord, Nginx with the production site), psyx built with go build
//   - setup: a 300-pair pack uploaded through the API, 97 one-pair packs and
//     two 300-pair packs by `psyx pack import`, 1,000 and 10,000 replies
//     (300 answers each) inserted with one SQL statement per pack
//   - the scenarios (scenarios.go): list with 100 packs, download of 1k and
//     10k replies vs psql printing the same JSON, a 300 MB upload through
//     Nginx and straight vs cat + fsync, a pack of 512² PNG stimuli (each
//     decoded by the service) vs cat + fsync, a pack of 300 pairs of 512²
//     generated from one face vs cat + fsync of its PNGs, the group CI,
//     reliability and comparison on it with 100 replies (studio.go), start
//     with wrk vs pgbench of its
//     INSERT and nginx serving a file of its size, a reload storm on one
//     run (resume), progress, submit of runs made first vs pgbench of the
//     same statements, list again, an open-loop step (openloop.go) at 50%
//     and 80% of each endpoint's rate, list at 1,000,000 replies and
//     100,000 running runs, idle RSS
//
// It prints a markdown report (figures beside their targets, CPU per
// request from /proc, the commands) and writes it to -out (default
// var/bench/bench-TIME.md); -update-doc also puts it between the bench
// markers of docs/PERFORMANCE.md. Everything it starts is stopped on exit.
//
//	go run ./bench [-duration 10s] [-conns 64] [-only list,start,...] [-out FILE] [-update-doc] [-keep]
//
// -only runs the setup and then only the named scenarios (their names are
// in scenarios.go), for quick checks while developing; the report of such a
// run says which ran.
//
// It needs wrk and PostgreSQL's pgbench and psql (apt-get install wrk
// postgresql); PSYX_DB_MAX_CONNS passes through to the service.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/stack"
)

type config struct {
	duration  time.Duration
	conns     int
	out       string
	updateDoc bool
	keep      bool
	only      map[string]bool // nil: every scenario
}

// wants tells whether the run includes the scenario.
func (c config) wants(name string) bool { return c.only == nil || c.only[name] }

func main() {
	var cfg config
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "length of each wrk and pgbench run")
	flag.IntVar(&cfg.conns, "conns", 64, "wrk connections (and pgbench clients)")
	flag.StringVar(&cfg.out, "out", "", "report file (default var/bench/bench-TIME.md)")
	flag.BoolVar(&cfg.updateDoc, "update-doc", false, "also replace the latest run in docs/PERFORMANCE.md")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work folder for inspection")
	only := flag.String("only", "", "comma-separated scenarios to run after the setup (default: all)")
	flag.Parse()
	if *only != "" {
		var err error
		if cfg.only, err = parseOnly(*only); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		if cfg.updateDoc {
			fmt.Fprintln(os.Stderr, "bench: -update-doc needs every scenario; drop -only")
			os.Exit(2)
		}
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseOnly reads -only: names of scenarios, each known.
func parseOnly(list string) (map[string]bool, error) {
	only := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(scenarios, func(s scenario) bool { return s.name == name }) {
			return nil, fmt.Errorf("-only: no scenario %q (have %s)", name, scenarioNames())
		}
		only[name] = true
	}
	return only, nil
}

func say(format string, args ...any) { fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...) }

func run(cfg config) (err error) {
	for _, tool := range []string{"wrk", "nginx", "supervisord", "htpasswd"} {
		if _, err := stack.LookTool(tool); err != nil {
			return fmt.Errorf("%w (apt-get install wrk nginx supervisor apache2-utils postgresql)", err)
		}
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "bench", "submit.lua")); err != nil {
		return fmt.Errorf("run me from the checkout's root: %w", err)
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(repo, "var", "bench", "bench-"+time.Now().Format("20060102-150405")+".md")
	}
	work, err := os.MkdirTemp("", "psyxbench")
	if err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			say("kept %s", work)
		} else {
			os.RemoveAll(work)
		}
	}()
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	b := &Bench{cfg: cfg, work: work, repo: repo, http: &http.Client{Timeout: 10 * time.Minute},
		capacity: map[string]float64{}}
	t0 := time.Now()
	loadStart := loadAvg()

	// Ctrl-C stops the run, and everything it started, cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		say("interrupted: stopping")
		b.stop()
		os.Exit(130)
	}()
	defer func() {
		if stopErr := b.stop(); err == nil {
			err = stopErr
		}
	}()
	if err := b.startStack(); err != nil {
		return err
	}
	if err := b.setup(); err != nil {
		return err
	}
	setupTook := time.Since(t0)
	b.setupRSS = rssKB(b.psyxPID)
	for _, s := range scenarios {
		if !cfg.wants(s.name) {
			continue
		}
		if err := s.run(b); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.idleAfter()
	report := b.report(loadStart, loadAvg(), time.Since(t0), setupTook)
	fmt.Print(report)
	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
		return err
	}
	say("report: %s", cfg.out)
	if cfg.updateDoc {
		doc := filepath.Join(repo, "docs", "PERFORMANCE.md")
		if err := updateDoc(doc, report); err != nil {
			return err
		}
		say("updated %s", doc)
	}
	return nil
}

// startStack builds psyx, starts a durable cluster and the stack on it.
func (b *Bench) startStack() error {
	say("building psyx")
	b.psyxBin = filepath.Join(b.work, "psyx")
	if out, err := exec.Command("go", "build", "-o", b.psyxBin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	b.note("go build -o psyx .")
	say("starting a durable PostgreSQL cluster (fsync on)")
	var err error
	if b.cluster, err = pgtest.Start(pgtest.Options{Durable: true}); err != nil {
		return err
	}
	dbURL, err := b.cluster.EnsureDatabase("psyx")
	if err != nil {
		return err
	}
	b.note("initdb -D DATA -U postgres --auth=trust -E UTF8 --locale=C; fsync=on synchronous_commit=on shared_buffers=128MB max_connections=200, unix socket only (tools/pgtest, Durable)")
	say("starting psyx under supervisord and Nginx")
	if b.st, err = stack.Start(stack.Options{Cluster: b.cluster, DatabaseURL: dbURL, PsyxBin: b.psyxBin,
		HTMLDir: filepath.Join(b.repo, "nginx", "html"), Root: filepath.Join(b.work, "stack")}); err != nil {
		return err
	}
	b.base = "http://" + b.st.APIAddrs[0]
	b.nginxPID = b.st.NginxPID()
	if b.psyxPID, err = b.st.ServicePID("psyx"); err != nil {
		return err
	}
	b.note("psyx serve under supervisord (PSYX_DATABASE_URL, PSYX_DATA_DIR, PSYX_ADDR=%s; defaults otherwise: 300 pairs per pack, db_max_conns 20), rendered by psyx render-config supervisor-program", b.st.APIAddrs[0])
	// The RSS of a service that has just started and answered its health
	// check, once the start-up garbage is collected.
	time.Sleep(2 * time.Second)
	b.idleRSS = rssKB(b.psyxPID)
	return nil
}

// stop stops the stack and the cluster; safe to call twice.
func (b *Bench) stop() error {
	var err error
	if b.st != nil {
		err = b.st.Close()
		b.st = nil
	}
	if b.cluster != nil {
		if cerr := b.cluster.Close(); err == nil {
			err = cerr
		}
		b.cluster = nil
	}
	return err
}
