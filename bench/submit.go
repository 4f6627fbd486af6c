package main

import (
	"fmt"
	"math"
	"time"
)

// runsFor is how many runs a load of rate requests a second needs for the
// configured duration, with room: a submit uses up its run.
func (b *Bench) runsFor(rate float64) int64 {
	return int64(math.Ceil(1.3*rate*b.cfg.duration.Seconds())) + 100
}

// submitRateBound is what the harness assumes a submit's rate cannot
// exceed on this machine when start, the lighter request, was not measured.
const submitRateBound = 4000

// submit: POST /api/reply/submit with wrk, each request submitting a run
// made by SQL beforehand (as a start stores it) once, with its token: a
// reply stored and a run finished per request. Against pgbench running the
// service's statements (submit_run.sql) on runs made the same way, at the
// same and at the pool's concurrency.
func (b *Bench) submit() error {
	bound := float64(submitRateBound)
	if start, ok := b.capacity["start"]; ok {
		bound = start
	}
	n := b.runsFor(bound)
	say("submit: %d runs to submit", n)
	if err := b.makeRuns(`'bench-sub-' || i`, 1, n); err != nil {
		return err
	}
	if _, err := b.st.DB.Exec(`ANALYZE run`); err != nil {
		return err
	}
	count := func() (n int64) {
		b.st.DB.QueryRow(`SELECT count(*) FROM reply WHERE p_id = $1`, b.mainID).Scan(&n)
		return n
	}
	before := count()
	r, err := b.wrk("submit", b.base, "-s", b.benchFile("submit.lua"), "--", b.submitBody, "2", "bench-sub-", fmt.Sprint(n))
	if err != nil {
		return err
	}
	b.capacity["submit"] = r.rps
	b.loadHWM = hwmKB(b.psyxPID) // peak since the reset before start: start, progress and submit
	// Requests wrk gave up on at its end may still commit.
	time.Sleep(time.Second)
	stored := count() - before
	b.note("psql: INSERT INTO run (...) SELECT 'bench-sub-' || i, ... FROM generate_series(1, N) i   (N = 1.3 × start's rate × the duration); wrk -t2 -c%d -d%v --latency -s bench/submit.lua %s -- submit.json 2 bench-sub- N   (each run submitted once, with its token)", b.cfg.conns, b.cfg.duration, b.base)
	b.row(fmt.Sprintf("submit p50 / p99 at %d conns", b.cfg.conns), fmt.Sprintf("%.2f / %.2f ms", r.p50, r.p99), "p99 < 50 ms", verdict(r.p99 < 50))
	b.row(fmt.Sprintf("submit rate (~%d KB bodies)", b.submitBytes/1024),
		fmt.Sprintf("%.0f req/s (%d non-2xx, socket errors: %s; %d replies stored for %d answered, of %d runs made)", r.rps, r.non2xx, r.socketErrors, stored, r.requests, n), "", "")
	return b.submitBaselines(r)
}

// submitBaselines: pgbench doing what a submit does in the database, at
// the service's connections and at its pool's size, each client on runs of
// its own made beforehand.
func (b *Bench) submitBaselines(r wrkResult) error {
	run := func(clients int, base float64, rate float64) (pgbenchResult, error) {
		per := b.runsFor(rate)/int64(clients) + 1
		say("pgbench submit: %d runs for each of %d clients", per, clients)
		tok := fmt.Sprintf(`(%.0f + (i / %d) * 1000000 + i %% %d + 1)::text`, base, per, per)
		if err := b.makeRuns(tok, 0, per*int64(clients)-1); err != nil {
			return pgbenchResult{}, err
		}
		if _, err := b.st.DB.Exec(`ANALYZE run`); err != nil {
			return pgbenchResult{}, err
		}
		res, err := b.pgbench("pgbench submit", clients, b.benchFile("submit_run.sql"),
			fmt.Sprintf("p_id=%d", b.mainID), "answers="+b.answers, "code=PGBN-0000", "n=0", fmt.Sprintf("base=%.0f", base))
		if err != nil {
			return res, err
		}
		// A transaction whose run does not exist changes nothing and would
		// count as one: the figure holds only if each one finished a run.
		var finished int64
		b.st.DB.QueryRow(`SELECT count(*) FROM run WHERE token ~ $1 AND finished_at IS NOT NULL`,
			fmt.Sprintf("^%.0f[0-9]{11}$", base/1e11)).Scan(&finished)
		if finished < res.processed {
			res.aborted += fmt.Sprintf("; only %d of %d transactions found a run: too high", finished, res.processed)
		}
		return res, nil
	}
	// Twice the service's rate covers pgbench's (it was 1.3–1.5× before);
	// the run at 20 clients is sized from the first.
	many, err := run(b.cfg.conns, baseSubmit64, 2*max(r.rps, 500))
	if err != nil {
		return err
	}
	pool, err := run(20, baseSubmit20, 1.5*max(many.tps, 500))
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("pgbench, the same statements, %d / 20 clients", b.cfg.conns),
		fmt.Sprintf("%.0f / %.0f tps (avg latency %s / %s ms)%s", many.tps, pool.tps, many.latency, pool.latency, many.aborted+pool.aborted), "", "")
	best := max(many.tps, pool.tps)
	b.row("submit rate / best pgbench rate", pct(r.rps, best), "≥ 70%", verdict(r.rps >= 0.7*best))
	b.note("psql: INSERT INTO run (...) the runs base + client × 1000000 + 1, 2, ... for each pgbench client; pgbench -n -M prepared -c %d -j 2 -T %d -f bench/submit_run.sql -D p_id=ID -D answers=THE_300_ANSWERS -D code=PGBN-0000 -D n=0 -D base=%.0f -h SOCK -U postgres psyx   (and -c 20, the service's pool size, base %.0f)",
		b.cfg.conns, int(b.cfg.duration.Seconds()), float64(baseSubmit64), float64(baseSubmit20))
	return nil
}
