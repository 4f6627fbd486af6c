package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// kill -9 while uploads are half-way: no pack row, no served folder; the
// next start removes the half-written staging folders.
func TestKillDuringUploads(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	dataDir := t.TempDir()
	svc := startChild(t, childSettings(t, dbURL, dataDir, 20))
	db := openDB(t, dbURL)

	var writers []*io.PipeWriter
	results := make(chan string, 3)
	for i := range 3 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		var head bytes.Buffer
		ct, _ := packUpload(&head, fmt.Sprintf("half%d", i), 1, 10*i, 10*i+9, 20, 4096)
		go func() {
			status, body := post(svc.Base+"/api/admin/create", ct, pr)
			results <- fmt.Sprint(status, body)
		}()
		// Half the pack now; the rest never comes.
		go pw.Write(head.Bytes()[:head.Len()/2])
	}
	staging := filepath.Join(dataDir, ".staging")
	waitFor(t, time.Minute, "three uploads in flight", func() bool { return len(entries(t, staging)) == 3 })

	svc.kill(t)
	for _, pw := range writers {
		pw.CloseWithError(io.ErrClosedPipe)
	}
	for range 3 {
		if r := <-results; strings.HasPrefix(r, "200") {
			t.Fatalf("an upload killed half-way succeeded: %s", r)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM pack`); n != 0 {
		t.Fatalf("%d pack rows after the kill", n)
	}
	if got := entries(t, filepath.Join(dataDir, "packs")); len(got) != 0 {
		t.Fatalf("served folders after the kill: %v", got)
	}

	svc.start(t)
	if got := entries(t, staging); len(got) != 0 {
		t.Fatalf("staging after restart: %v", got)
	}
	createPack(t, svc.Base, "half0", 1, 0, 9, 20) // the name and range are free
	if got := entries(t, filepath.Join(dataDir, "packs", "half0")); len(got) != 40 {
		t.Fatalf("new pack has %d files", len(got))
	}
}

// submitter runs participants, each under the page's own token: a start
// and a submit, each retried until it gets a 200, as the experiment page
// does.
type submitter struct {
	base    string
	acked   atomic.Int64
	mu      sync.Mutex
	tokens  []string
	retries atomic.Int64
}

func (s *submitter) run(worker, replies int, deadline time.Time) error {
	for i := range replies {
		token := fmt.Sprintf("w%02d-reply-%04d", worker, i)
		start := participant()
		start["token"] = token
		text, err := s.until200("/api/reply/start", start, deadline)
		if err != nil {
			return fmt.Errorf("token %s: start: %w", token, err)
		}
		sub, err := answerAll([]byte(text))
		if err != nil {
			return fmt.Errorf("token %s: %w", token, err)
		}
		sub["token"] = token
		if _, err := s.until200("/api/reply/submit", sub, deadline); err != nil {
			return fmt.Errorf("token %s: submit: %w", token, err)
		}
		s.mu.Lock()
		s.tokens = append(s.tokens, token)
		s.mu.Unlock()
		s.acked.Add(1)
	}
	return nil
}

// until200 posts body until the service answers 200 (a 400 is a test bug).
func (s *submitter) until200(path string, body map[string]any, deadline time.Time) (string, error) {
	raw, _ := json.Marshal(body)
	for {
		status, text := post(s.base+path, "application/json", bytes.NewReader(raw))
		switch {
		case status == 200:
			return text, nil
		case status == 400:
			return "", fmt.Errorf("400 %s", text)
		case time.Now().After(deadline):
			return "", fmt.Errorf("still %d %s at the deadline", status, text)
		}
		s.retries.Add(1)
		time.Sleep(20 * time.Millisecond) // the page's retry backoff, not synchronisation
	}
}

// kill -9 in a stream of submits: every reply that got a 200 is stored, and
// clients retrying with their token end with exactly one row each.
func TestKillDuringSubmits(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	svc := startChild(t, childSettings(t, dbURL, t.TempDir(), 30))
	db := openDB(t, dbURL)
	createPack(t, svc.Base, "female20s", 2, 20, 29, 30)
	s := &submitter{base: svc.Base}

	const workers, each = 8, 40
	deadline := time.Now().Add(2 * time.Minute)
	errs := make(chan error, workers)
	for w := range workers {
		go func() { errs <- s.run(w, each, deadline) }()
	}
	waitFor(t, time.Minute, "a quarter of the replies", func() bool { return s.acked.Load() >= workers*each/4 })
	svc.kill(t)
	atKill := s.acked.Load()
	svc.start(t)
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d acknowledged before the kill, %d retries", atKill, s.retries.Load())
	if s.retries.Load() == 0 {
		t.Fatal("no request failed: the kill did not land in the stream")
	}
	if n := count(t, db, `SELECT count(*) FROM reply`); n != workers*each {
		t.Fatalf("%d rows for %d replies", n, workers*each)
	}
	for _, token := range s.tokens {
		if n := count(t, db, `SELECT count(*) FROM reply WHERE token = $1`, token); n != 1 {
			t.Fatalf("token %s has %d rows", token, n)
		}
	}
}

// PostgreSQL stops under load: requests fail fast with 500 (none hangs),
// and the same process serves again once it is back.
func TestDatabaseStopsUnderLoad(t *testing.T) {
	own := pgtest.New(t)
	dbURL := own.NewDatabase(t)
	svc := startChild(t, childSettings(t, dbURL, t.TempDir(), 10))
	createPack(t, svc.Base, "female20s", 2, 20, 29, 10)
	s := &submitter{base: svc.Base}
	pid := svc.pid()

	// Requests that began after pg_ctl stop returned, until it restarts.
	var downSince, upAgain atomic.Int64
	var failed, slow, okWhileDown atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := json.Marshal(participant())
			for {
				select {
				case <-stop:
					return
				default:
				}
				began := time.Now()
				status, _ := post(svc.Base+"/api/reply/start", "application/json", bytes.NewReader(raw))
				since, until := downSince.Load(), upAgain.Load()
				if since == 0 || began.UnixNano() < since || (until != 0 && began.UnixNano() > until) {
					continue
				}
				if time.Since(began) > 3*time.Second {
					slow.Add(1)
				}
				switch {
				case status >= 500:
					failed.Add(1)
				case status == 200:
					okWhileDown.Add(1)
				}
			}
		}()
	}
	if err := own.StopServer(); err != nil {
		t.Fatal(err)
	}
	downSince.Store(time.Now().UnixNano())
	waitFor(t, time.Minute, "500 failed requests", func() bool { return failed.Load() >= 500 })
	upAgain.Store(time.Now().UnixNano())
	if err := own.StartServer(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if slow.Load() > 0 {
		t.Errorf("%d requests took over 3 s with the database down", slow.Load())
	}
	if okWhileDown.Load() > 0 {
		t.Errorf("%d requests succeeded with the database down", okWhileDown.Load())
	}
	if err := s.run(0, 5, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if svc.pid() != pid {
		t.Fatal("the service was restarted")
	}
	if n := count(t, openDB(t, dbURL), `SELECT count(*) FROM reply`); n != 5 {
		t.Fatalf("%d replies after recovery", n)
	}
}

// The packs disk fills up during an upload: a 500, nothing left behind, and
// the service goes on serving.
func TestDiskFullDuringUpload(t *testing.T) {
	dataDir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "psyxfull", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("mount a 3 MB tmpfs (the tests run as root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dataDir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v %s", err, out)
		}
	})
	dbURL := cluster.NewDatabase(t)
	svc := startChild(t, childSettings(t, dbURL, dataDir, 20))
	var buf bytes.Buffer
	ct, err := packUpload(&buf, "big", 1, 20, 29, 20, 100<<10) // 4 MB of images
	if err != nil {
		t.Fatal(err)
	}
	status, body := post(svc.Base+"/api/admin/create", ct, &buf)
	if status != 500 || !strings.HasPrefix(body, "< SERVER ERROR >") {
		t.Fatalf("full disk: %d %q", status, body)
	}
	if n := count(t, openDB(t, dbURL), `SELECT count(*) FROM pack`); n != 0 {
		t.Fatalf("%d pack rows", n)
	}
	if got := entries(t, filepath.Join(dataDir, ".staging")); len(got) != 0 {
		t.Fatalf("staging holds %v", got)
	}
	if got := entries(t, filepath.Join(dataDir, "packs")); len(got) != 0 {
		t.Fatalf("packs holds %v", got)
	}
	createPack(t, svc.Base, "small", 1, 20, 29, 20)
	if _, err := os.Stat(filepath.Join(dataDir, "packs", "small", "small_00020_inv.jpg")); err != nil {
		t.Fatal(err)
	}
}

// kill -9 in a stream of progress saves: every save that got a 200 is
// there after the restart.
func TestKillDuringProgress(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	svc := startChild(t, childSettings(t, dbURL, t.TempDir(), 40))
	db := openDB(t, dbURL)
	createPack(t, svc.Base, "female20s", 2, 20, 29, 40)

	const workers = 8
	type worker struct {
		token string
		acked atomic.Int64 // answers the server acknowledged
	}
	ws := make([]*worker, workers)
	var stop atomic.Bool
	var total atomic.Int64
	done := make(chan struct{}, workers)
	for i := range ws {
		b, _ := json.Marshal(testkit.Person(i, 2, 25))
		status, body := post(svc.Base+"/api/reply/start", "application/json", bytes.NewReader(b))
		if status != 200 {
			t.Fatalf("start: %d %s", status, body)
		}
		var s struct {
			Token string      `json:"token"`
			Pairs [][2]string `json:"pic_pairs"`
		}
		json.Unmarshal([]byte(body), &s)
		ws[i] = &worker{token: s.Token}
		answers := testkit.Answers(s.Pairs, testkit.Cycle)
		go func(w *worker) {
			defer func() { done <- struct{}{} }()
			for n := 1; n <= len(answers) && !stop.Load(); n++ {
				raw, _ := json.Marshal(map[string]any{"token": w.token, "answers": answers[:n]})
				if status, _ := post(svc.Base+"/api/reply/progress", "application/json", bytes.NewReader(raw)); status == 200 {
					w.acked.Store(int64(n))
					total.Add(1)
				}
			}
		}(ws[i])
	}
	waitFor(t, time.Minute, "a quarter of the saves", func() bool { return total.Load() >= workers*40/4 })
	svc.kill(t)
	stop.Store(true)
	for range workers {
		<-done
	}
	svc.start(t)
	for i, w := range ws {
		var answered int64
		if err := db.Get(&answered, `SELECT answered FROM run WHERE token = $1`, w.token); err != nil {
			t.Fatal(err)
		}
		if answered < w.acked.Load() {
			t.Errorf("worker %d: %d answers acknowledged, %d stored", i, w.acked.Load(), answered)
		}
	}
}
