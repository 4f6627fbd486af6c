package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clientFrom sends from a loopback address of its own: Linux lets a client
// bind any 127.x address, so Nginx sees (and limits) a different client.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 400},
		Timeout:   time.Minute,
	}
}

// The security finding: one client stored 3,000 fake replies a second. A
// flood from one address (127.0.0.2) gets 429s and stores far fewer rows
// than it sent, while a class of 300 behind ONE NAT address (127.0.0.3),
// paced like a real class at the same time, starts and submits with no 429
// and no error.
func TestFloodLimitedClassServed(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 10})
	s.CreatePack(t, "limits", 1, 18, 40, 10)
	t0 := time.Now()

	var flood struct{ sent, ok, limited, other atomic.Int64 }
	floodDone := make(chan struct{})
	go func() {
		defer close(floodDone)
		floodReplies(s, t0.Add(20*time.Second), &flood.sent, &flood.ok, &flood.limited, &flood.other)
	}()

	const class = 300
	errs := runClass(s, class, t0)
	<-floodDone

	for _, err := range errs {
		t.Error(err)
	}
	var classRows, floodRows int
	if err := s.DB.QueryRow(`SELECT count(*) FILTER (WHERE no LIKE 'S%'), count(*) FILTER (WHERE no LIKE 'F%') FROM reply`).Scan(&classRows, &floodRows); err != nil {
		t.Fatal(err)
	}
	t.Logf("class: %d rows in %v; flood: %d sent, %d stored (200), %d refused (429), %d other, %d rows",
		classRows, time.Since(t0).Round(time.Second), flood.sent.Load(), flood.ok.Load(), flood.limited.Load(), flood.other.Load(), floodRows)
	if classRows != class {
		t.Errorf("class: %d rows, want %d", classRows, class)
	}
	if flood.limited.Load() == 0 {
		t.Error("the flood got no 429: no limit on /api/reply/submit")
	}
	if sent := flood.sent.Load(); int64(floodRows)*4 > sent {
		t.Errorf("the flood stored %d rows of %d sent: want far fewer", floodRows, sent)
	}
}

// floodReplies posts valid submits, each with a new token, as fast as 8
// connections from 127.0.0.2 go, until the deadline (or 20,000 requests).
func floodReplies(s *Stack, until time.Time, sent, ok, limited, other *atomic.Int64) {
	c := clientFrom("127.0.0.2")
	defer c.CloseIdleConnections()
	p := NewPerson(0, 1, 30)
	a, err := startOnce(s, s.Client(), p) // from 127.0.0.1: not the flood's quota
	if err != nil {
		other.Add(1)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; time.Now().Before(until) && sent.Load() < 20000; n++ {
				sent.Add(1)
				q := p
				q.No = fmt.Sprintf("F%d%06d", w, n)
				r, err := trySend(c, mustJSON(s.URL("/api/reply/submit"), NewSubmission(q, a, fmt.Sprintf("flood-%d-%d", w, n))))
				switch {
				case err == nil && r.Status == http.StatusOK:
					ok.Add(1)
				case err == nil && r.Status == http.StatusTooManyRequests:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
}

// runClass is a class of n from 127.0.0.3: every start within the first
// 10 s, each participant's submit 20–40 s after their start (the trials
// take that long). It returns every request that did not answer 200.
func runClass(s *Stack, n int, t0 time.Time) []error {
	c := clientFrom("127.0.0.3")
	defer c.CloseIdleConnections()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		startAt := t0.Add(time.Duration(i) * 10 * time.Second / time.Duration(n))
		submitAt := startAt.Add(20*time.Second + time.Duration(rng.Int64N(int64(20*time.Second))))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := NewPerson(i+1, 1, 18+i%20)
			<-time.After(time.Until(startAt)) // pacing, not synchronisation
			a, err := startOnce(s, c, p)
			if err != nil {
				fail(fmt.Errorf("participant %d start: %w", i, err))
				return
			}
			// PROGRESS (for the lead, once /api/reply/progress exists): save
			// progress every 10 trials and once when the page is hidden,
			// spread between start and submit, from this same client c, and
			// fail() on anything but 200.
			<-time.After(time.Until(submitAt))
			r, err := trySend(c, mustJSON(s.URL("/api/reply/submit"), NewSubmission(p, a, fmt.Sprintf("class-%04d-token", i))))
			if err != nil || r.Status != http.StatusOK {
				fail(fmt.Errorf("participant %d submit: %v %v", i, r, err))
			}
		}(i)
	}
	wg.Wait()
	return errs
}

func startOnce(s *Stack, c *http.Client, p Person) (Assignment, error) {
	var a Assignment
	r, err := trySend(c, mustJSON(s.URL("/api/reply/start"), p))
	if err != nil {
		return a, err
	}
	if r.Status != http.StatusOK {
		return a, fmt.Errorf("%v", r)
	}
	return a, json.Unmarshal(r.Body, &a)
}

// Start, submit and progress bodies carry personal data: Nginx must keep
// them in memory. It logs (at warn) every body it spools to a temporary
// file; a 25 KB submit must leave no such line, while the same body to a
// path that may spool (/api/health, Nginx's default 8 KB buffer) does, so
// the check can fail.
func TestReplyBodiesNeverSpooled(t *testing.T) {
	s := StartStack(t, StackOptions{})
	const spooled = "a client request body is buffered to a temporary file"
	body := `{"name":"홍길동","pad":"` + strings.Repeat("x", 25<<10) + `"}`
	for _, path := range []string{"/api/reply/start", "/api/reply/submit", "/api/reply/progress"} {
		req, err := http.NewRequest(http.MethodPost, s.URL(path), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if r := send(t, s.Client(), req); r.Status == http.StatusRequestEntityTooLarge || r.Status == http.StatusTooManyRequests {
			t.Fatalf("%s: %v", path, r)
		}
	}
	// The response came after Nginx read the whole body: any warning is in
	// the log by now.
	if log := readFile(t, s.NginxErrorLog()); strings.Contains(log, spooled) {
		t.Fatalf("a participant body went to a temporary file:\n%s", log)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL("/api/health"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	send(t, s.Client(), req)
	if log := readFile(t, s.NginxErrorLog()); !strings.Contains(log, spooled) {
		t.Fatalf("the control body was not spooled either: the check cannot see spooling\n%s", log)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
