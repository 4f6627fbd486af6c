package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// An open-loop load: requests sent at a fixed rate whatever the answers
// do, as participants arrive, and each one's latency counted from the time
// it was due to be sent, not from when it was sent. wrk is closed-loop:
// each connection waits for its answer before the next request, so a stall
// delays the requests that would have come meanwhile and they are never
// measured (coordinated omission); its p99 then says how long the answered
// requests took, not how long a participant waited. wrk2 does this but is
// not packaged in Debian.

// openLoad is one open-loop run.
type openLoad struct {
	rate     float64       // requests a second
	duration time.Duration // how long requests are scheduled and measured
	// warmup is how long the same schedule runs before duration, measured
	// apart (openResult.warm): the first second at a new rate opens
	// connections through Nginx to the service and PostgreSQL and fills
	// caches, a cost a class's steady arrivals pay once, not each second.
	warmup time.Duration
	// request is the i-th request (0, 1, ...): method, URL and body
	// (nil: none). Called from the request's own goroutine.
	request func(i int) (method, url string, body []byte)
	// ok tells whether an answer counts as a success; nil: any 2xx.
	ok func(status int) bool
	// slow is the latency over which a request counts in openResult.slow.
	slow time.Duration
}

// openResult is what an open-loop run measured.
type openResult struct {
	sent, failed int64         // in duration; failed also counts the warm-up's
	latency      histogram     // from each request's scheduled time to the end of its answer
	warm         histogram     // latency in the warm-up
	lag          histogram     // how late the generator started each request
	elapsed      time.Duration // from the first measured request's scheduled time to the last answer
	firstErr     string
	// slow counts, per second of the schedule, the requests that took
	// longer than openLoad.slow: whether the tail is spread or a burst.
	slow []atomic.Int64
}

// openLoopClient is an HTTP client for open-loop runs: enough idle
// connections that a burst after a stall does not reconnect, a bound on
// connections so a stalled server cannot exhaust the loopback's ports (a
// request waiting for a connection waits on the clock it is measured by),
// and buffers that take a 15 KB body or a 13 KB answer in one system call
// rather than four (the generator's CPU is the service's loss).
func openLoopClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 4096,
			MaxConnsPerHost:     4096,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
			WriteBufferSize:     32 << 10,
			ReadBufferSize:      32 << 10,
		},
	}
}

// run sends the load and waits for every answer. Request i is due at
// t0 + i/rate, computed from i, never by adding intervals (no drift) nor
// from a ticker (which drops ticks when late); the generator sleeps until a
// request is due, then starts it in a goroutine of its own, so a slow
// answer never delays the next request. When the generator itself falls
// behind (the machine is busy), requests go out late but are measured from
// when they were due: the lag histogram says by how much.
func (l openLoad) run(ctx context.Context, client *http.Client) *openResult {
	warmN := int(l.rate * l.warmup.Seconds())
	total := warmN + int(l.rate*l.duration.Seconds())
	res := &openResult{slow: make([]atomic.Int64, int(l.duration.Seconds())+1)}
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr sync.Once
	t0 := time.Now().Add(20 * time.Millisecond) // the first request is not late for the setup above
	dueAt := func(i int) time.Time { return t0.Add(time.Duration(float64(i) / l.rate * float64(time.Second))) }
	for i := 0; i < total; i++ {
		due := dueAt(i)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		if ctx.Err() != nil {
			break
		}
		measured := i >= warmN
		if measured {
			res.lag.Record(time.Since(due))
			res.sent++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.send(ctx, client, i); err != nil {
				failed.Add(1)
				firstErr.Do(func() { res.firstErr = err.Error() })
			}
			took := time.Since(due)
			if !measured {
				res.warm.Record(took)
				return
			}
			res.latency.Record(took)
			if l.slow > 0 && took > l.slow {
				res.slow[int(float64(i-warmN)/l.rate)].Add(1)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(dueAt(warmN))
	res.failed = failed.Load()
	return res
}

// send makes request i and reads its answer to the end.
func (l openLoad) send(ctx context.Context, client *http.Client, i int) error {
	method, url, body := l.request(i)
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	head := make([]byte, 200)
	n, _ := io.ReadFull(resp.Body, head)
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	ok := l.ok
	if ok == nil {
		ok = func(status int) bool { return status >= 200 && status < 300 }
	}
	if !ok(resp.StatusCode) {
		return fmt.Errorf("%s %s: %d %q", method, url, resp.StatusCode, head[:n])
	}
	return nil
}
