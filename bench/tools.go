package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what the report takes from wrk's output.
type wrkResult struct {
	rps, p50, p99 float64 // req/s, ms
	requests      int64
	non2xx        int64
	socketErrors  string // "none" or wrk's counts
}

// wrk runs wrk against url for the configured duration and connections,
// books its CPU under "NAME (wrk)" and keeps its raw output in the work
// folder. args go after the URL (-s script -- script args).
func (b *Bench) wrk(name, url string, args ...string) (wrkResult, error) {
	return b.wrkConns(name, b.cfg.conns, url, args...)
}

// wrkConns is wrk with this many connections (one thread for one).
func (b *Bench) wrkConns(name string, conns int, url string, args ...string) (wrkResult, error) {
	say("wrk %s: %d connections, %v", name, conns, b.cfg.duration)
	all := append([]string{fmt.Sprintf("-t%d", min(2, conns)), fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", int(b.cfg.duration.Seconds())),
		"--timeout", "10s", "--latency", url}, args...)
	cmd := exec.Command("wrk", all...)
	m := b.cpuBegin()
	out, err := cmd.CombinedOutput()
	_ = os.WriteFile(filepath.Join(b.work, "wrk-"+name+".txt"), out, 0o644)
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w\n%s", name, err, out)
	}
	r := parseWrk(string(out))
	b.cpuEnd(m, name+" (wrk)", r.requests, childCPU(cmd))
	return r, nil
}

var (
	wrkLatency  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)`)
	wrkRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: (.*)`)
	wrkRate     = regexp.MustCompile(`(?m)^Requests/sec:\s+(\S+)`)
)

func parseWrk(out string) wrkResult {
	r := wrkResult{socketErrors: "none"}
	for _, m := range wrkLatency.FindAllStringSubmatch(out, -1) {
		if m[1] == "50" {
			r.p50 = wrkMillis(m[2])
		} else {
			r.p99 = wrkMillis(m[2])
		}
	}
	if m := wrkRequests.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		r.socketErrors = strings.ReplaceAll(m[1], " ", "")
	}
	if m := wrkRate.FindStringSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	return r
}

// wrkMillis reads wrk's 812.00us / 9.21ms / 1.20s.
func wrkMillis(v string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			f, _ := strconv.ParseFloat(n, 64)
			return f * u.scale
		}
	}
	f, _ := strconv.ParseFloat(v, 64)
	return f
}

// pgbenchResult is what the report takes from pgbench's output.
type pgbenchResult struct {
	tps       float64
	latency   string // average, ms
	processed int64
	aborted   string // "" or "; N clients aborted (...)", for the report
}

var (
	pgbenchTPS       = regexp.MustCompile(`(?m)^tps = (\S+)`)
	pgbenchLatency   = regexp.MustCompile(`(?m)^latency average = (\S+)`)
	pgbenchProcessed = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	pgbenchFailed    = regexp.MustCompile(`(?m)^pgbench: error: client (\d+) (script \d+ )?aborted.*$`)
)

// pgbench runs script with clients connections (-M prepared) against the
// stack's database for the configured duration.
func (b *Bench) pgbench(name string, clients int, script string, defines ...string) (pgbenchResult, error) {
	say("pgbench: %s, %d clients", name, clients)
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(b.cfg.duration.Seconds())), "-f", script}
	for _, d := range defines {
		args = append(args, "-D", d)
	}
	args = append(args, "-h", b.cluster.SocketDir(), "-p", "5432", "-U", "postgres", "psyx")
	cmd := exec.Command(filepath.Join(b.cluster.BinDir(), "pgbench"), args...)
	m := b.cpuBegin()
	out, err := cmd.CombinedOutput()
	_ = os.WriteFile(filepath.Join(b.work, fmt.Sprintf("pgbench-%s-%d.txt", strings.ReplaceAll(name, " ", "-"), clients)), out, 0o644)
	// Exit status 2 is a run some of whose clients aborted (a statement
	// failed: a resume code one of the service's runs drew too, once in
	// about a thousand runs); the others' figures stand, and the report says so.
	if err != nil && !(cmd.ProcessState.ExitCode() == 2 && pgbenchTPS.Match(out)) {
		return pgbenchResult{}, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	var r pgbenchResult
	if failed := pgbenchFailed.FindAll(out, -1); len(failed) > 0 {
		r.aborted = fmt.Sprintf("; %d clients aborted (%s)", len(failed), failed[0])
	}
	if m := pgbenchTPS.FindSubmatch(out); m != nil {
		r.tps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := pgbenchLatency.FindSubmatch(out); m != nil {
		r.latency = string(m[1])
	}
	if m := pgbenchProcessed.FindSubmatch(out); m != nil {
		r.processed, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	b.cpuEnd(m, fmt.Sprintf("%s, %d clients", name, clients), r.processed, childCPU(cmd))
	return r, nil
}

// psql runs one query through psql on the stack's database, output
// discarded: the baseline for the service's own reading of the same rows.
func (b *Bench) psql(query string) (time.Duration, error) {
	cmd := exec.Command(filepath.Join(b.cluster.BinDir(), "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
		"-h", b.cluster.SocketDir(), "-p", "5432", "-U", "postgres", "-d", "psyx", "-c", query)
	cmd.Stdout = nil // /dev/null
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("psql: %w: %s", err, stderr.String())
	}
	return time.Since(t0), nil
}
