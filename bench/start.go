package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// pgbench runs number their tokens from base = k × 10^11 (see
// insert_run.sql and submit_run.sql); each run has its own k, so no two
// share a token or a resume code.
const (
	baseStart64 = 1e11 * (iota + 1)
	baseStart20
	baseSubmit64
	baseSubmit20
)

// start: POST /api/reply/start with wrk, every request a new participant
// (so each stores a run), against pgbench running the service's INSERT of a
// run, and against nginx serving a static file the size of start's answer
// (the cheapest answer an HTTP server on this machine can give).
func (b *Bench) start() error {
	say("start")
	if err := resetHWM(b.psyxPID); err != nil {
		return err
	}
	runs := func() (n int64) {
		b.st.DB.QueryRow(`SELECT count(*) FROM run`).Scan(&n)
		return n
	}
	before := runs()
	r, err := b.wrk("start", b.base, "-s", b.benchFile("start.lua"), "--", b.startBody, fmt.Sprint(time.Now().Unix()))
	if err != nil {
		return err
	}
	stored := runs() - before
	b.capacity["start"] = r.rps
	b.startWrk = r
	b.note("wrk -t2 -c%d -d%v --latency -s bench/start.lua %s -- start.json RUNID   (a new participant per request: each stores a run)", b.cfg.conns, b.cfg.duration, b.base)
	resp, err := b.http.Post(b.base+"/api/reply/start", "application/json",
		strings.NewReader(strings.ReplaceAll(b.readWork(b.startBody), "PERSONMARK", "benchsize")))
	if err != nil {
		return err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("start p50 / p99 at %d conns", b.cfg.conns), fmt.Sprintf("%.2f / %.2f ms", r.p50, r.p99), "p99 < 50 ms", verdict(r.p99 < 50))
	b.row("start rate", fmt.Sprintf("%.0f req/s (%d non-2xx, socket errors: %s; %d runs stored)", r.rps, r.non2xx, r.socketErrors, stored), "", "")
	if err := b.startBaselines(r); err != nil {
		return err
	}

	say("nginx: a static file of the start response's size (%d bytes)", len(answer))
	static, err := b.staticNginx(answer)
	if err != nil {
		return err
	}
	b.nginxPID = static.cmd.Process.Pid
	n, err := b.wrk("nginx", static.url+"/start.json")
	b.nginxPID = b.st.NginxPID()
	static.stop()
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("nginx, static file of %d B", len(answer)), fmt.Sprintf("%.0f req/s (p99 %.2f ms)", n.rps, n.p99), "", "")
	b.row("start rate / nginx rate", pct(r.rps, n.rps), "≥ 40%", verdict(r.rps >= 0.4*n.rps))
	b.note("nginx (worker_processes auto, access_log off) serving a %d-byte file; wrk -t2 -c%d -d%v --latency %s/start.json", len(answer), b.cfg.conns, b.cfg.duration, static.url)
	return nil
}

// startBaselines: pgbench running start's INSERT (insert_run.sql: the
// service's statement, its triggers firing) at the service's connections
// and at its pool's size, and start's rate against the better of the two.
func (b *Bench) startBaselines(r wrkResult) error {
	run := func(clients int, base float64) (pgbenchResult, error) {
		return b.pgbench("pgbench insert run", clients, b.benchFile("insert_run.sql"),
			fmt.Sprintf("p_id=%d", b.mainID), "served="+b.served, "client={}", "n=0", fmt.Sprintf("base=%.0f", base))
	}
	many, err := run(b.cfg.conns, baseStart64)
	if err != nil {
		return err
	}
	pool, err := run(20, baseStart20)
	if err != nil {
		return err
	}
	best := max(many.tps, pool.tps)
	b.row(fmt.Sprintf("pgbench, start's INSERT of a run, %d / 20 clients", b.cfg.conns),
		fmt.Sprintf("%.0f / %.0f tps (avg latency %s / %s ms)%s", many.tps, pool.tps, many.latency, pool.latency, many.aborted+pool.aborted), "", "")
	b.row("start rate / best pgbench rate", pct(r.rps, best), "≥ 70%", verdict(r.rps >= 0.7*best))
	b.note("pgbench -n -M prepared -c %d -j 2 -T %d -f bench/insert_run.sql -D p_id=ID -D served=THE_300_PAIRS -D client={} -D n=0 -D base=%.0f -h SOCK -U postgres psyx   (and -c 20, base %.0f)",
		b.cfg.conns, int(b.cfg.duration.Seconds()), float64(baseStart64), float64(baseStart20))
	return nil
}
