package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A server that answers in 2 ms: the open loop sends at the rate asked,
// every request once, and measures about 2 ms.
func TestOpenLoopRate(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		time.Sleep(2 * time.Millisecond)
	}))
	defer srv.Close()
	load := openLoad{rate: 200, duration: 500 * time.Millisecond,
		request: func(int) (string, string, []byte) { return http.MethodGet, srv.URL, nil }}
	t0 := time.Now()
	res := load.run(context.Background(), openLoopClient())
	if res.sent != 100 || got.Load() != 100 || res.failed != 0 || res.latency.Count() != 100 {
		t.Fatalf("sent %d, served %d, failed %d (%s), measured %d", res.sent, got.Load(), res.failed, res.firstErr, res.latency.Count())
	}
	if took := time.Since(t0); took < 490*time.Millisecond || took > 3*time.Second {
		t.Errorf("100 requests at 200/s took %v", took)
	}
	if p50 := res.latency.Quantile(0.5); p50 < 2*time.Millisecond || p50 > 200*time.Millisecond {
		t.Errorf("p50 %v for a 2 ms answer", p50)
	}
}

// The warm-up runs the same schedule first and is measured apart: a server
// slow only for its first requests shows in the warm-up's figures, not in
// the measured ones.
func TestOpenLoopWarmupApart(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) <= 10 {
			time.Sleep(150 * time.Millisecond)
		}
	}))
	defer srv.Close()
	load := openLoad{rate: 100, warmup: 500 * time.Millisecond, duration: 500 * time.Millisecond,
		request: func(int) (string, string, []byte) { return http.MethodGet, srv.URL, nil }}
	res := load.run(context.Background(), openLoopClient())
	if got.Load() != 100 || res.sent != 50 || res.latency.Count() != 50 || res.warm.Count() != 50 || res.failed != 0 {
		t.Fatalf("served %d, sent %d, measured %d, warm-up %d, failed %d (%s)", got.Load(), res.sent, res.latency.Count(), res.warm.Count(), res.failed, res.firstErr)
	}
	if p := res.warm.Quantile(0.99); p < 150*time.Millisecond {
		t.Errorf("warm-up p99 %v: the slow first requests are not in it", p)
	}
	if p := res.latency.Quantile(0.99); p >= 150*time.Millisecond {
		t.Errorf("measured p99 %v: the warm-up's slow requests leaked into it", p)
	}
}

// No coordinated omission: when the server stalls for 300 ms, the requests
// due during the stall are measured from when they were due, so about a
// third of a second's worth of them wait 100 ms or more. A closed loop
// would have sent none of them during the stall and seen one slow request.
func TestOpenLoopCountsAStall(t *testing.T) {
	var mu sync.Mutex
	var first atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock() // one request at a time, as a server with one worker
		defer mu.Unlock()
		if !first.Swap(true) {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	load := openLoad{rate: 100, duration: time.Second,
		request: func(int) (string, string, []byte) { return http.MethodGet, srv.URL, nil }}
	res := load.run(context.Background(), openLoopClient())
	if res.failed != 0 {
		t.Fatalf("%d failed: %s", res.failed, res.firstErr)
	}
	// 30 requests were due during the stall; the first 20 of them waited
	// at least 100 ms, so the 15th slowest of the 100 (p85) did too.
	if p := res.latency.Quantile(0.85); p < 100*time.Millisecond {
		t.Errorf("p80 %v: the stall's requests were measured from when they were sent", p)
	}
	if p := res.latency.Quantile(0.5); p > 100*time.Millisecond {
		t.Errorf("p50 %v: more than the stall's requests were slow", p)
	}
}

// A status the load does not accept counts as failed, with its answer.
func TestOpenLoopFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unknown Run", http.StatusBadRequest)
	}))
	defer srv.Close()
	load := openLoad{rate: 100, duration: 100 * time.Millisecond,
		request: func(int) (string, string, []byte) { return http.MethodPost, srv.URL, []byte(`{}`) }}
	res := load.run(context.Background(), openLoopClient())
	if res.sent != 10 || res.failed != 10 || res.firstErr == "" {
		t.Fatalf("sent %d failed %d %q", res.sent, res.failed, res.firstErr)
	}
}
