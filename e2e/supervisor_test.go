package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// `supervisorctl restart psyx` while participants submit: every 200 is a
// stored reply, and browsers that retry with their token end with exactly
// one row each.
func TestRestartDuringSubmits(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 20})
	id := s.CreatePack(t, "restart", 1, 18, 40, 20)

	const workers = 8
	var (
		ok       atomic.Int64 // submissions answered 200
		retries  atomic.Int64 // attempts that failed and were retried
		stop     atomic.Bool
		mu       sync.Mutex
		accepted = map[string]string{} // token -> student number
		errs     = make(chan error, workers)
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				p := NewPerson(w*100000+n, 1, 18+n%20)
				token := fmt.Sprintf("w%d-n%d-%s", w, n, strings.Repeat("x", 8))
				if err := submitUntilAccepted(s, p, token, &retries); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				mu.Lock()
				accepted[token] = p.No
				mu.Unlock()
				ok.Add(1)
			}
		}(w)
	}
	waitOK := func(n int64) {
		waitFor(t, 2*time.Minute, fmt.Sprintf("%d accepted submits", n), func() bool {
			return ok.Load() >= n || len(errs) > 0
		})
	}
	waitOK(20)
	pidBefore := strings.TrimSpace(s.Supervisorctl(t, "pid", "psyx"))
	out := s.Supervisorctl(t, "restart", "psyx")
	if !strings.Contains(out, "psyx: started") {
		t.Errorf("restart said %q", out)
	}
	waitOK(ok.Load() + 40) // the stream goes on after the restart
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if pid := strings.TrimSpace(s.Supervisorctl(t, "pid", "psyx")); pid == pidBefore {
		t.Errorf("pid %s unchanged: psyx was not restarted", pid)
	}
	t.Logf("%d submits accepted, %d failed attempts retried", ok.Load(), retries.Load())

	replies := s.Download(t, id)
	rows := map[string]int{}
	for _, r := range replies {
		rows[r.No]++
	}
	for token, no := range accepted {
		if rows[no] != 1 {
			t.Errorf("token %s (no %s): %d rows, want exactly 1", token, no, rows[no])
		}
	}
	if len(replies) != len(accepted) {
		t.Errorf("%d rows stored for %d accepted submits", len(replies), len(accepted))
	}
	var total, tokens int
	if err := s.DB.QueryRow(`SELECT count(*), count(DISTINCT token) FROM reply`).Scan(&total, &tokens); err != nil {
		t.Fatal(err)
	}
	if total != len(accepted) || tokens != len(accepted) {
		t.Errorf("database: %d rows, %d tokens; want %d of each", total, tokens, len(accepted))
	}
}

// submitUntilAccepted is what the experiment page does: start under its
// own token, then submit with it until the server says 200, then one more
// resend (a reply whose 200 got lost on the way back).
func submitUntilAccepted(s *Stack, p Person, token string, retries *atomic.Int64) error {
	deadline := time.Now().Add(90 * time.Second)
	var a Assignment
	err := retry(deadline, retries, func() (Response, error) {
		return trySend(s.client, mustJSON(s.URL("/api/reply/start"), struct {
			Person
			Token string `json:"token"`
		}{p, token}))
	}, func(r Response) error { return json.Unmarshal(r.Body, &a) })
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	sub := NewSubmission(p, a, token)
	for i := 0; i < 2; i++ {
		err := retry(deadline, retries, func() (Response, error) {
			return trySend(s.client, mustJSON(s.URL("/api/reply/submit"), sub))
		}, func(r Response) error {
			if string(r.Body) != "Reply Submitted." {
				return fmt.Errorf("submit answered %q", r.Body)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("submit %s: %w", token, err)
		}
	}
	return nil
}

// retry repeats send until it answers 200, pacing attempts 50 ms apart.
// Only our own outage may fail an attempt: a 400 is a test bug.
func retry(deadline time.Time, retries *atomic.Int64, send func() (Response, error), accept func(Response) error) error {
	for {
		r, err := send()
		switch {
		case err == nil && r.Status == http.StatusOK:
			return accept(r)
		case err == nil && r.Status == http.StatusBadRequest:
			return fmt.Errorf("400 %q", r.Body)
		}
		retries.Add(1)
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 before the deadline; last: %v %v", r, err)
		}
		<-time.After(50 * time.Millisecond)
	}
}

func mustGet(url string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		panic(err)
	}
	return req
}

func mustJSON(url string, v any) *http.Request {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// `supervisorctl stop psyx` while a pack upload is streaming into the
// service: the service stops listening at once but finishes the upload,
// answers 200, then exits 0 within Supervisor's stopwaitsecs.
func TestStopFinishesInFlightUpload(t *testing.T) {
	s := StartStack(t, StackOptions{})
	dir := filepath.Join(t.TempDir(), "inflight")
	WritePackFiles(t, dir, "fly", 300)
	files, err := sortedNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	up, err := s.BeginUpload(s.AdminClient(), "/api/admin/create", PackForm{"inflight", 2, 30, 39}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sendFiles := func(names []string) {
		for _, f := range names {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := up.File("inflight/"+f, bytes.NewReader(b)); err != nil {
				r, ferr := up.Finish()
				t.Fatalf("upload cut off at %s: %v (answer %v, %v)", f, err, r, ferr)
			}
		}
	}
	sendFiles(files[:20])
	// The service is inside the handler, writing our files into its staging
	// folder: the request is genuinely in flight.
	staging := filepath.Join(s.DataDir, ".staging")
	waitFor(t, time.Minute, "upload files in "+staging, func() bool {
		m, _ := filepath.Glob(filepath.Join(staging, "*", "fly_*"))
		return len(m) > 0
	})

	stopped := make(chan string, 1)
	go func() {
		out, err := s.supervisorctl("stop", "psyx")
		stopped <- fmt.Sprintf("%s (err %v)", out, err)
	}()
	// Supervisor has sent TERM and the service has closed its listener.
	waitFor(t, time.Minute, "psyx STOPPING and its port closed", func() bool {
		if s.ProgramState("psyx") != "STOPPING" {
			return false
		}
		c, err := net.DialTimeout("tcp", s.APIAddrs[0], time.Second)
		if err == nil {
			c.Close()
			return false
		}
		return true
	}, func() string { return s.ProgramState("psyx") })

	sendFiles(files[20:])
	r, err := up.Finish()
	if err != nil {
		t.Fatalf("in-flight upload: %v", err)
	}
	id := packID(t, r)

	var out string
	select {
	case out = <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("supervisorctl stop psyx did not return")
	}
	if !strings.Contains(out, "psyx: stopped") {
		t.Errorf("supervisorctl stop said %q", out)
	}
	if st := s.ProgramState("psyx"); st != "STOPPED" {
		t.Errorf("state after stop: %s", st)
	}
	log, err := os.ReadFile(filepath.Join(s.RunDir, "supervisord.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`stopped: psyx \(exit status 0\)`).Match(log) {
		t.Errorf("psyx did not exit 0 on TERM; supervisord.log:\n%s", log)
	}

	// Back up: the pack is whole.
	s.Supervisorctl(t, "start", "psyx")
	waitHealthy(t, s.URL("/api/health"))
	packs := s.ListPacks(t)
	if len(packs) != 1 || packs[0].PID != id || packs[0].Size != 300 {
		t.Fatalf("after restart: %+v", packs)
	}
	if names, _ := sortedNames(filepath.Join(s.DataDir, "packs", "inflight")); len(names) != 600 {
		t.Fatalf("pack folder has %d files, want 600", len(names))
	}
}

// The log files are where the README says: api.log links to today's dated
// file, Supervisor's stdout/stderr logs sit next to them.
func TestLogFiles(t *testing.T) {
	s := StartStack(t, StackOptions{})
	s.Get(t, s.Client(), "/api/health")
	logs := filepath.Join(s.DataDir, "logs")
	link := filepath.Join(logs, "api.log")
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("api.log is %v, want a symlink", fi.Mode())
	}
	target, err := os.Readlink(link)
	if err != nil {
		t.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	// Either side of a midnight that passed during the test.
	now := time.Now().In(seoul)
	want := map[string]bool{}
	for _, d := range []time.Duration{-time.Minute, 0} {
		want["api."+now.Add(d).Format("20060102")+".log"] = true
	}
	if !want[filepath.Base(target)] {
		t.Errorf("api.log -> %s, want today's %v", target, want)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(logs, target)
	}
	if filepath.Dir(target) != logs {
		t.Errorf("api.log points outside logs/: %s", target)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("api.log target: %v", err)
	}
	s.WaitLogLine(t, "/api/health")
	for _, f := range []string{"psyx_supervisord_stdout.log", "psyx_supervisord_stderr.log"} {
		if _, err := os.Stat(filepath.Join(logs, f)); err != nil {
			t.Errorf("Supervisor log: %v", err)
		}
	}
}
