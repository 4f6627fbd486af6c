package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// openLoopShares are the loads of the open-loop step, as shares of the
// rate wrk measured, each with the p99 the participant endpoints must keep.
var openLoopShares = []struct {
	pct   int
	p99ms float64
}{{50, 25}, {80, 50}}

// openLoopWarmup is how long each open-loop run sends at its rate before
// it measures (openLoad.warmup); the warm-up's p99 is reported beside.
const openLoopWarmup = 3 * time.Second

// openEndpoint is one endpoint of the open-loop step: its capacity (the
// rate its closed-loop scenario measured) and, per share, its load.
type openEndpoint struct {
	name     string
	target   bool // a participant endpoint, held to the p99 targets
	prepare  func(pct int, rate float64) (openLoad, error)
	describe string
}

// openLoop: start, progress, submit and list at 50% and 80% of the rate
// their wrk runs just measured, sent open-loop (openloop.go) from this
// process; latency from each request's scheduled time: p50, p99, p99.9.
// Progress goes first: the starts fill the service's cache of served
// orders, which holds the progress runs'. The generator's CPU is booked as
// the client's.
func (b *Bench) openLoop() error {
	client := openLoopClient()
	defer client.CloseIdleConnections()
	for _, ep := range b.openEndpoints() {
		capacity, ok := b.capacity[ep.name]
		if !ok {
			say("open loop: %s skipped (its capacity was not measured in this run)", ep.name)
			b.row("open loop, "+ep.name, "not run: its closed-loop scenario did not run", "", "")
			continue
		}
		for _, share := range openLoopShares {
			rate := capacity * float64(share.pct) / 100
			load, err := ep.prepare(share.pct, rate)
			if err != nil {
				return fmt.Errorf("open loop %s: %w", ep.name, err)
			}
			load.rate, load.duration, load.warmup = rate, b.cfg.duration, openLoopWarmup
			load.slow = time.Duration(share.p99ms * float64(time.Millisecond))
			say("open loop: %s at %d%% of %.0f = %.0f req/s for %v", ep.name, share.pct, capacity, rate, b.cfg.duration)
			m := b.cpuBegin()
			c0 := clientCPU()
			res := load.run(context.Background(), client)
			gen := clientCPU() - c0
			b.cpuEnd(m, fmt.Sprintf("open loop %s %d%%", ep.name, share.pct), res.sent+res.warm.Count(), gen) // the warm-up's CPU too
			p99 := ms(res.latency.Quantile(0.99))
			var bySecond []string
			for i := range res.slow {
				bySecond = append(bySecond, strconv.FormatInt(res.slow[i].Load(), 10))
			}
			say("open loop: %s at %d%%: over %.0f ms by second from %s: %s", ep.name, share.pct, share.p99ms,
				time.Now().Add(-res.elapsed).Format("15:04:05.000"), strings.Join(bySecond, " "))
			target, met := "", ""
			if ep.target {
				target, met = fmt.Sprintf("p99 ≤ %.0f ms", share.p99ms), verdict(p99 <= share.p99ms && res.failed == 0)
			}
			failed := ""
			if res.failed > 0 {
				failed = fmt.Sprintf(", first: %.80s", res.firstErr)
			}
			b.row(fmt.Sprintf("open loop, %s at %d%% of %.0f req/s = %.0f req/s: p50 / p99 / p99.9", ep.name, share.pct, capacity, rate),
				fmt.Sprintf("%.2f / %.2f / %.2f ms (%d sent, %d failed%s; %.0f answered/s; generator late p99 %.2f ms, its CPU %.0f%% of a core; the %v warm-up before: p99 %.2f ms)",
					ms(res.latency.Quantile(0.5)), p99, ms(res.latency.Quantile(0.999)), res.sent, res.failed, failed,
					float64(res.sent-res.failed)/res.elapsed.Seconds(), ms(res.lag.Quantile(0.99)), 100*gen.Seconds()/(res.elapsed+openLoopWarmup).Seconds(),
					openLoopWarmup, ms(res.warm.Quantile(0.99))),
				target, met)
		}
		b.note("open loop (bench/openloop.go, in the harness's process): %s at 50%% and 80%% of its wrk rate for %v each after %v at that rate not counted (connections and caches warm up), request i due at t0 + i/rate, latency from then to the answer's end", ep.describe, b.cfg.duration, openLoopWarmup)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// openEndpoints are the open loop's endpoints, in the order they run.
func (b *Bench) openEndpoints() []openEndpoint {
	post := func(path string, body func(i int) []byte) func(int) (string, string, []byte) {
		return func(i int) (string, string, []byte) { return http.MethodPost, b.base + path, body(i) }
	}
	split := func(body string) (head, tail string) {
		head, tail, _ = strings.Cut(body, "TOKENMARK")
		return head, tail
	}
	// join is head + token + tail, built in one allocation (the bodies
	// are 8-15 KB; fmt would copy them twice).
	join := func(head, tail, prefix string, n int) []byte {
		b := make([]byte, 0, len(head)+len(prefix)+20+len(tail))
		b = append(b, head...)
		b = append(b, prefix...)
		b = strconv.AppendInt(b, int64(n), 10)
		return append(b, tail...)
	}
	return []openEndpoint{
		{name: "progress", target: true, describe: "progress: a page's next save (+10 answers: 170 at 50%, 180 at 80%) into the progress scenario's runs, one after another",
			prepare: func(pct int, rate float64) (openLoad, error) {
				head, tail := split(b.progressBody(map[int]int{50: 170, 80: 180}[pct]))
				return openLoad{request: post("/api/reply/progress", func(i int) []byte {
					return join(head, tail, "bench-run-", i%progressRuns+1)
				})}, nil
			}},
		{name: "submit", target: true, describe: "submit: runs made by SQL first (as the submit scenario's), each submitted once with its token",
			prepare: func(pct int, rate float64) (openLoad, error) {
				prefix := fmt.Sprintf("bench-open%d-", pct)
				runs := int64(math.Ceil(rate*(openLoopWarmup+b.cfg.duration).Seconds())) + 100
				if err := b.makeRuns(fmt.Sprintf("'%s' || i", prefix), 1, runs); err != nil {
					return openLoad{}, err
				}
				if _, err := b.st.DB.Exec(`ANALYZE run`); err != nil {
					return openLoad{}, err
				}
				head, tail := split(b.readWork(b.submitBody))
				return openLoad{request: post("/api/reply/submit", func(i int) []byte {
					return join(head, tail, prefix, i+1)
				})}, nil
			}},
		{name: "list", describe: "list: GET /api/admin/list",
			prepare: func(int, float64) (openLoad, error) {
				return openLoad{request: func(int) (string, string, []byte) { return http.MethodGet, b.base + "/api/admin/list", nil }}, nil
			}},
		{name: "start", target: true, describe: "start: a new participant per request",
			prepare: func(pct int, rate float64) (openLoad, error) {
				body := b.readWork(b.startBody)
				run := time.Now().Unix() % 1e6 // the student number stays under 20 characters
				return openLoad{request: post("/api/reply/start", func(i int) []byte {
					return []byte(strings.ReplaceAll(body, "PERSONMARK", fmt.Sprintf("o%dp%dn%d", run, pct, i)))
				})}, nil
			}},
	}
}
