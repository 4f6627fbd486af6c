package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// progressRuns is how many runs progress saves into: more than wrk sends
// in one run at this machine's rate, fewer than the service keeps the
// served order of in memory.
const progressRuns = 15000

// makeServed sets b.served: the main pack's 300 pairs in pack order, ori on
// the left, as a start stores them; b.answers answers them in that order.
func (b *Bench) makeServed() {
	var s strings.Builder
	s.WriteString("[")
	for i := 1; i <= 300; i++ {
		if i > 1 {
			s.WriteString(",")
		}
		fmt.Fprintf(&s, `["face_%05d_ori.jpg","face_%05d_inv.jpg"]`, i, i)
	}
	s.WriteString("]")
	b.served = s.String()
}

// makeRuns inserts runs of the main pack by SQL, as a start stores them:
// for i from first to last, the token tokenSQL (an SQL expression of i),
// the person of the submit body (so each run can be submitted), the served
// order b.served (what b.answers answers), seen now. In batches: one
// transaction bumping a pack's tally rows thousands of times makes
// PostgreSQL walk ever longer version chains of those rows.
func (b *Bench) makeRuns(tokenSQL string, first, last int64) error {
	for from := first; from <= last; from += 5000 {
		to := min(from+4999, last)
		if _, err := b.st.DB.Exec(`INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, started_at, last_seen)
			SELECT `+tokenSQL+`, $1, '홍길동', 'hong@example.com', '2020123', 2, 25, '010-1234-5678', $2::jsonb, now(), now()
			FROM generate_series($3::bigint, $4::bigint) i`, b.mainID, b.served, from, to); err != nil {
			return fmt.Errorf("make runs: %w", err)
		}
	}
	return nil
}

// progress: POST /api/reply/progress. First 150 answers into runs made by
// SQL, whose served order the service has not seen yet (it reads and
// decodes it: what the first save after a restart costs); then 10 more
// answers into each of them, its order now in memory: what a page's save
// every 10 trials costs.
func (b *Bench) progress() error {
	say("progress: %d runs to save into", progressRuns)
	if err := b.makeRuns(`'bench-run-' || i`, 1, progressRuns); err != nil {
		return err
	}
	if _, err := b.st.DB.Exec(`ANALYZE run`); err != nil {
		return err
	}
	for _, pass := range []struct {
		name, what string
		n          int
	}{
		{"progress", "first save after a restart (order read from the database)", 150},
		{"progress-next", "a page's next save (+10 answers, order in memory)", 160},
	} {
		body := b.progressBody(pass.n)
		path, err := b.writeWorkFile(pass.name+".json", []byte(body))
		if err != nil {
			return err
		}
		r, err := b.wrk(pass.name, b.base, "-s", b.benchFile("progress.lua"), "--", path, "2", fmt.Sprint(progressRuns))
		if err != nil {
			return err
		}
		var saved int64
		b.st.DB.QueryRow(`SELECT count(*) FROM run WHERE token LIKE 'bench-run-%' AND answered = $1`, pass.n).Scan(&saved)
		b.row(fmt.Sprintf("progress, %d answers (%d KB), %s: p50 / p99 at %d conns", pass.n, len(body)>>10, pass.what, b.cfg.conns),
			fmt.Sprintf("%.2f / %.2f ms", r.p50, r.p99), "p99 < 50 ms", verdict(r.p99 < 50))
		b.row(pass.name+" rate", fmt.Sprintf("%.0f req/s (%d non-2xx; %d runs hold %d answers)", r.rps, r.non2xx, saved, pass.n), "", "")
		// The open loop sends a page's next save: its capacity is the second pass's.
		b.capacity["progress"] = r.rps
	}
	b.note("psql: INSERT INTO run (...) SELECT 'bench-run-' || i, ... FROM generate_series(1, %d) i; wrk -t2 -c%d -d%v --latency -s bench/progress.lua %s -- progress.json 2 %d   (150 answers per run, then 160)", progressRuns, b.cfg.conns, b.cfg.duration, b.base, progressRuns)
	return nil
}

// progressBody is a save of the first n of b.answers, with TOKENMARK
// where the run's token goes.
func (b *Bench) progressBody(n int) string {
	items := strings.SplitAfter(strings.TrimSuffix(strings.TrimPrefix(b.answers, "["), "]"), "],")
	return fmt.Sprintf(`{"token":"TOKENMARK","answers":[%s],"events":{"blur":1,"hidden_ms":0,"resized":0}}`,
		strings.TrimSuffix(strings.Join(items[:n], ""), ","))
}

// Scale of the list's third measurement: as many replies, and as many
// runs seen within the abandon window (running), as a lab would never have.
const (
	scaleReplies = 1_000_000
	scaleRunning = 100_000
)

// listAtScale: the list with 100 packs at 1,000,000 replies and 100,000
// running runs (last seen within the last 30 minutes, spread over them, so
// the window's edge minute always holds some), made by SQL, the tallies
// kept by the same triggers as always; its rate against the first list's.
func (b *Bench) listAtScale() error {
	var replies, runs int64
	b.st.DB.QueryRow(`SELECT (SELECT count(*) FROM reply), (SELECT count(*) FROM run WHERE finished_at IS NULL)`).Scan(&replies, &runs)
	say("list at scale: adding %d replies and %d unfinished runs", max(0, scaleReplies-replies), max(0, scaleRunning-runs))
	t0 := time.Now()
	// In batches, as submits come: one transaction updating a pack's tally
	// row thousands of times makes PostgreSQL walk ever longer version
	// chains of that row.
	for from := int64(1); from <= scaleReplies-replies; from += 10_000 {
		to := min(from+9_999, scaleReplies-replies)
		if _, err := b.st.DB.Exec(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
			SELECT (SELECT array_agg(p_id ORDER BY p_id) FROM pack)[1 + i % 100], '홍길동', 'm' || i || '@example.com', 'm' || i,
			       1, 30, '010-1234-5678', '[]'
			FROM generate_series($1::bigint, $2::bigint) i`, from, to); err != nil {
			return fmt.Errorf("add replies: %w", err)
		}
	}
	for from := int64(1); from <= scaleRunning-runs; from += 10_000 {
		to := min(from+9_999, scaleRunning-runs)
		if _, err := b.st.DB.Exec(`INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, started_at, last_seen)
			SELECT 'scale-run-' || i, (SELECT array_agg(p_id ORDER BY p_id) FROM pack)[1 + i % 100], '홍길동',
			       's' || i || '@example.com', 's' || i, 1, 30, '010-1234-5678', '[]',
			       now() - interval '2 hours', now() - interval '1 hour'
			FROM generate_series($1::bigint, $2::bigint) i`, from, to); err != nil {
			return fmt.Errorf("add runs: %w", err)
		}
	}
	if _, err := b.st.DB.Exec(`VACUUM ANALYZE`); err != nil {
		return err
	}
	// Then the runs' last_seen, and a vacuum of what that changed, as
	// autovacuum would: the spread must still be fresh when the list runs.
	if err := b.spreadRunning(); err != nil {
		return err
	}
	if _, err := b.st.DB.Exec(`VACUUM ANALYZE run, pack_seen, pack_tally`); err != nil {
		return err
	}
	say("made in %v", time.Since(t0).Round(time.Second))
	b.note("psql: INSERT INTO reply (...) SELECT ... FROM generate_series(1, N) up to 1,000,000 replies over the 100 packs; INSERT INTO run (...) up to 100,000 unfinished runs; 100,000 of them last seen within the last 29 minutes, one every 17.4 ms, the rest an hour ago (20 UPDATEs, each of every 20th run, from 16 connections at once); VACUUM ANALYZE (%v)", time.Since(t0).Round(time.Second))
	r, err := b.list("list3", " (1,000,000 replies, 100,000 running runs)", 3)
	if err != nil {
		return err
	}
	if b.list0 != nil {
		b.row(fmt.Sprintf("that list's rate at %d conns / the first list's (%.0f req/s)", b.cfg.conns, b.list0.rps),
			pct(r.rps, b.list0.rps), "≥ 50%", verdict(r.rps >= 0.5*b.list0.rps))
	}
	return nil
}

// spreadRunning makes the first scaleRunning unfinished runs (by token)
// running, last seen one every 17.4 ms over the last 29 minutes (so they
// stay running while the list is measured), and the rest abandoned. The
// updates come from 16 connections at once, each batch every 20th run, as
// a pool's saves do: the triggers' per-minute counts (migration 004) fill
// the 16 slots of every minute as in production.
func (b *Bench) spreadRunning() error {
	if _, err := b.st.DB.Exec(`DROP TABLE IF EXISTS bench_spread;
		CREATE UNLOGGED TABLE bench_spread AS
		SELECT token, row_number() OVER (ORDER BY token) AS n FROM run WHERE finished_at IS NULL`); err != nil {
		return fmt.Errorf("spread runs: %w", err)
	}
	defer b.st.DB.Exec(`DROP TABLE IF EXISTS bench_spread`)
	now := time.Now()
	batches := make(chan int)
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			var err error
			for k := range batches {
				if err == nil {
					_, err = b.st.DB.Exec(`UPDATE run r SET last_seen = CASE WHEN s.n <= $2
						THEN $3::timestamptz - s.n * interval '17.4 milliseconds' ELSE $3::timestamptz - interval '1 hour' END
						FROM bench_spread s WHERE r.token = s.token AND s.n % 20 = $1`, k, scaleRunning, now)
				}
			}
			errs <- err
		}()
	}
	for k := range 20 {
		batches <- k
	}
	close(batches)
	var err error
	for range 16 {
		err = errors.Join(err, <-errs)
	}
	if err != nil {
		return fmt.Errorf("spread runs: %w", err)
	}
	return nil
}
