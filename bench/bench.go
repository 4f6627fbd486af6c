package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/stack"
)

// Bench is one run: the stack under test, what setup made, and the report
// the scenarios fill.
type Bench struct {
	cfg      config
	work     string // temp folder for bodies, stimuli, the baselines' files
	repo     string
	psyxBin  string
	cluster  *pgtest.Cluster
	st       *stack.Stack
	base     string // the service itself, bypassing Nginx
	psyxPID  int
	nginxPID int // the nginx whose CPU is booked: the stack's, or the static baseline while it runs
	http     *http.Client

	// Made by setup.
	mainID, dl1kID, dl10kID int
	genID                   int    // the generate scenario's pack, for analysis
	genRSS                  int64  // the service's RSS before the generate, kB
	answers                 string // 300 answers as JSON, ~15 KB
	served                  string // the main pack's 300 pairs as a start stores them
	startBody, submitBody   string // files; the submit body has TOKENMARK
	submitBytes             int

	// What the scenarios measured that later ones compare with: the rate
	// of each endpoint at the configured connections (start, progress,
	// submit, list: the latest), the first list's, start's.
	capacity map[string]float64
	list0    *wrkResult
	startWrk wrkResult

	rows     [][4]string // what | measured | target | verdict
	cpuRows  []string
	commands []string
	idleRSS  int64
	setupRSS int64
	loadHWM  int64
}

// row adds a line to the figures table.
func (b *Bench) row(what, measured, target, verdict string) {
	b.rows = append(b.rows, [4]string{what, measured, target, verdict})
}

// note adds a command to the "how it was made" list.
func (b *Bench) note(format string, args ...any) {
	b.commands = append(b.commands, fmt.Sprintf(format, args...))
}

// cpuMark is the CPU counters at the start of a measured run.
type cpuMark struct{ psyx, pg, nginx, busy, total int64 }

func (b *Bench) cpuBegin() cpuMark {
	m := cpuMark{psyx: procTicks(b.psyxPID), pg: settledTicks(b.pgPID()), nginx: treeTicks(b.nginxPID)}
	m.busy, m.total = systemTicks()
	return m
}

func (b *Bench) pgPID() int { return postmasterPID(b.cluster.DataDir()) }

// cpuEnd books the run's CPU per request: the service, PostgreSQL
// (postmaster and backends, including those that exited), Nginx, the load
// generator (client), and everything else on the machine ("others").
func (b *Bench) cpuEnd(m cpuMark, name string, requests int64, client time.Duration) {
	psyx := procTicks(b.psyxPID) - m.psyx
	pg := settledTicks(b.pgPID()) - m.pg
	ngx := treeTicks(b.nginxPID) - m.nginx
	busy, total := systemTicks()
	busy, total = busy-m.busy, total-m.total
	clientTicks := int64(client.Seconds() * clockTicks)
	other := max(busy-psyx-pg-ngx-clientTicks, 0)
	us := func(t int64) string {
		if requests <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.0f", float64(t)/clockTicks*1e6/float64(requests))
	}
	nginxUS := "–"
	if ngx > 0 {
		nginxUS = us(ngx)
	}
	pct := func(t int64) string {
		if total <= 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(t)/float64(total))
	}
	b.cpuRows = append(b.cpuRows, fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s |",
		name, requests, us(psyx), us(pg), nginxUS, us(clientTicks), pct(busy), pct(other)))
}

// childCPU is the CPU a finished command used (user + system).
func childCPU(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// clientCPU is the CPU this process and its finished children used so far:
// the client side of in-process requests (downloads, uploads) and of psql.
func clientCPU() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// timed runs fn runs times, books their CPU under name and returns the
// fastest run's duration and fn's value for it.
func (b *Bench) timed(runs int, name string, fn func() (int64, error)) (best time.Duration, value int64, err error) {
	m := b.cpuBegin()
	c0 := clientCPU()
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		v, err := fn()
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if d := time.Since(t0); i == 0 || d < best {
			best, value = d, v
		}
	}
	b.cpuEnd(m, name, int64(runs), clientCPU()-c0)
	return best, value, nil
}

// benchFile is a file shipped with the harness (wrk scripts, pgbench SQL).
func (b *Bench) benchFile(name string) string { return filepath.Join(b.repo, "bench", name) }
