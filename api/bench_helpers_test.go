package api_test

// Helpers for bench_test.go only. They mirror newEnv and uploadBody of
// helpers_test.go, but take a testing.TB, keep the http.Handler so requests
// skip the network, and log like production (JSON lines, here to io.Discard)
// instead of into an in-memory observer that would grow with b.N.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/psyx-lab/psyx/store"
)

type benchEnv struct {
	H       http.Handler
	Store   *store.Store
	Pairs   int
	DataDir string
	log     *zap.Logger
}

// fresh is the same service with empty caches, as after a restart.
func (e *benchEnv) fresh(tb testing.TB) *benchEnv {
	f := *e
	f.H = handlerFor(tb, e.Store, e.DataDir, envOptions{pairs: e.Pairs}, e.log, 1<<30)
	return &f
}

// newBenchEnv is a service on a fresh database of the shared test cluster
// (fsync off: these benchmarks measure the service's own work; the durable
// figures come from scripts/bench.sh).
func newBenchEnv(tb testing.TB, pairs int) *benchEnv {
	tb.Helper()
	url, err := cluster.CreateDatabase()
	if err != nil {
		tb.Fatal(err)
	}
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "time"
	enc.EncodeDuration = zapcore.MillisDurationEncoder
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(io.Discard), zap.InfoLevel))
	svc := newService(tb, url, envOptions{pairs: pairs}, log, 1<<30)
	return &benchEnv{H: svc.Handler, Store: svc.Store, Pairs: pairs, DataDir: svc.DataDir, log: log}
}

// sink is a ResponseWriter that keeps only the status and the byte count,
// so a 150 MB download costs the benchmark no memory of its own.
type sink struct {
	hdr    http.Header
	status int
	n      int64
	head   bytes.Buffer // the first bytes, for error messages
}

func (s *sink) Header() http.Header {
	if s.hdr == nil {
		s.hdr = http.Header{}
	}
	return s.hdr
}

func (s *sink) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *sink) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	if s.head.Len() < 512 {
		s.head.Write(p[:min(len(p), 512-s.head.Len())])
	}
	s.n += int64(len(p))
	return len(p), nil
}

func (s *sink) Flush() {}

// serve runs one request through the handler. body is re-read from the start.
func (e *benchEnv) serve(tb testing.TB, method, path, contentType string, body []byte) *sink {
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := &sink{}
	e.H.ServeHTTP(w, req)
	return w
}

// mustOK fails the benchmark unless the response is a 200.
func mustOK(tb testing.TB, w *sink, what string) {
	if w.status != http.StatusOK {
		tb.Fatalf("%s: %d %s", what, w.status, w.head.String())
	}
}

// createPack uploads a pack of e.Pairs pairs through the handler.
func (e *benchEnv) createPack(tb testing.TB, name string, sex, lo, hi int) int {
	tb.Helper()
	ct, body := uploadBody(tb, form{name, fmt.Sprint(sex), fmt.Sprint(lo), fmt.Sprint(hi)}, packFiles(name, e.Pairs))
	w := e.serve(tb, http.MethodPost, "/api/admin/create", ct, body)
	mustOK(tb, w, "create "+name)
	var id int
	if _, err := fmt.Sscanf(w.head.String(), "Pack %d Added.", &id); err != nil {
		tb.Fatalf("create %s: body %q", name, w.head.String())
	}
	return id
}

// answersJSON is a complete, valid answers array for a pack.
func (e *benchEnv) answersJSON(tb testing.TB, id int) []byte {
	tb.Helper()
	p, err := e.Store.PackFiles(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	pairs := make([][2]string, len(p.Pairs))
	for i, pr := range p.Pairs {
		pairs[i] = [2]string(pr)
	}
	b, err := json.Marshal(answersFor(pairs))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// insertReplies adds n replies to a pack in one statement, all with the
// same answers, as fast setup for the download benchmarks.
func (e *benchEnv) insertReplies(tb testing.TB, id, n int) {
	tb.Helper()
	answers := e.answersJSON(tb, id)
	_, err := e.Store.DB().Exec(`
INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
SELECT $1, '홍길동', 'hong@example.com', '2020123', 2, 25, '010-1234-5678', $2::jsonb
FROM generate_series(1, $3)`, id, string(answers), n)
	if err != nil {
		tb.Fatal(err)
	}
}

// makeRuns adds the runs tokenFor(run, first..last) of a pack by SQL, as a
// start stores them for the person of submitBody (person()): the pairs in
// pack order, ori on the left, which answersList answers.
func (e *benchEnv) makeRuns(tb testing.TB, id int, run string, first, last int64) {
	tb.Helper()
	p, err := e.Store.PackFiles(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	served := mustJSON(tb, p.Pairs)
	who := person()
	_, err = e.Store.DB().Exec(`
INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, started_at, last_seen)
SELECT $1 || '-' || i, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, now(), now()
FROM generate_series($10::bigint, $11::bigint) i`,
		"bench-"+run, id, who["name"], who["email"], who["no"], who["sex"], who["age"], who["phone"], string(served), first, last)
	if err != nil {
		tb.Fatal(err)
	}
}

// resumes is how often a run was resumed: each resume that wrote counts.
func (e *benchEnv) resumes(tb testing.TB, token string) int {
	tb.Helper()
	var n int
	if err := e.Store.DB().Get(&n, `SELECT resumes FROM run WHERE token = $1`, token); err != nil {
		tb.Fatal(err)
	}
	return n
}

// insertPacks adds n pack rows (no folders: list does not read them) with
// one-year age ranges that cannot overlap, each of size pairs.
func (e *benchEnv) insertPacks(tb testing.TB, n, pairs int) {
	tb.Helper()
	if n > 242 {
		tb.Fatalf("at most 242 one-year packs, not %d", n)
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("p%03d", i)
		ps := make([][2]string, pairs)
		for j := range ps {
			ps[j] = [2]string{fmt.Sprintf("%s_%05d_ori.jpg", name, j+1), fmt.Sprintf("%s_%05d_inv.jpg", name, j+1)}
		}
		pj, _ := json.Marshal(ps)
		sex, age := 1+i%2, i/2
		_, err := e.Store.DB().Exec(`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs)
VALUES ($1, $2, $3, $3, $4, $5)`, name, sex, age, pairs, string(pj))
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// heapPeak samples the live heap (as marked by the latest GC) while a
// benchmark runs, without stopping the world, to show whether the memory a
// request holds follows the size of its data. Garbage not yet collected is
// not counted: it is GC pacing, not what the handler keeps.
type heapPeak struct {
	stop       chan struct{}
	wg         sync.WaitGroup
	base, peak uint64 // written by the sampler only, read after Stop
}

const heapMetric = "/gc/heap/live:bytes"

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	runtime.GC() // the base counts everything live now, the request body too
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	h.base = s[0].Value.Uint64()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		s := []metrics.Sample{{Name: heapMetric}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > h.peak {
				h.peak = v
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns, in MB, how far the live heap rose
// above where it was at the start.
func (h *heapPeak) Stop() float64 {
	close(h.stop)
	h.wg.Wait()
	if h.peak < h.base {
		return 0
	}
	return float64(h.peak-h.base) / (1 << 20)
}

func jsonCT() string { return "application/json" }

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// tokenFor is a unique submit token per benchmark run and iteration.
func tokenFor(run string, i int64) string {
	return strings.Join([]string{"bench", run, fmt.Sprint(i)}, "-")
}

// cpuClock is this process's user + system CPU time.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports this process's CPU time per operation since start: the
// service's own work (handlers, lib/pq, GC), not PostgreSQL's. Unlike ns/op
// it hardly moves when other work shares the machine.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuClock()-start)/float64(b.N)/1e3, "cpu-us/op")
}
