package api_test

// Benchmarks of the handlers, run only with -bench (plain `go test` runs
// none of them). Requests go straight to the Gin handler, no network, on a
// PostgreSQL of the package's throwaway cluster (fsync off). The figures
// under load and with a durable database come from scripts/bench.sh; see
// docs/PERFORMANCE.md for both and for the commands.
//
//	go test ./api -run '^$' -bench . -benchmem
//	go test ./api -run '^$' -bench 'Submit' -benchmem -cpuprofile cpu.out -memprofile mem.out

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// parallelConns mimics wrk's 64 connections: RunParallel starts
// parallelConns/GOMAXPROCS goroutines per P.
const parallelConns = 64

func setParallel(b *testing.B) {
	b.SetParallelism(max(1, parallelConns/runtime.GOMAXPROCS(0)))
}

// benchPack is the usual pack: 300 pairs, for women aged 20 to 29.
func benchPack(b *testing.B) (*benchEnv, int) {
	b.Helper()
	e := newBenchEnv(b, 300)
	return e, e.createPack(b, "female20s", 2, 20, 29)
}

// BenchmarkStart starts a new participant per request: each one matches
// the pack and stores a run.
func BenchmarkStart(b *testing.B) {
	e, _ := benchPack(b)
	var seq atomic.Int64
	next := func() []byte {
		return mustJSON(b, testkit.Person(int(seq.Add(1)), 2, 25))
	}
	run := func(b *testing.B, parallel bool) {
		var bytesOut int64
		b.ReportAllocs()
		cpu := cpuClock()
		if !parallel {
			for b.Loop() {
				w := e.serve(b, http.MethodPost, "/api/reply/start", jsonCT(), next())
				mustOK(b, w, "start")
				bytesOut = w.n
			}
		} else {
			setParallel(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := e.serve(b, http.MethodPost, "/api/reply/start", jsonCT(), next())
					if w.status != http.StatusOK {
						b.Errorf("start: %d %s", w.status, w.head.String())
						return
					}
				}
			})
		}
		reportCPU(b, cpu)
		if bytesOut > 0 {
			b.ReportMetric(float64(bytesOut), "resp-B")
		}
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel64", func(b *testing.B) { run(b, true) })
}

// submitBodyParts is a valid submit body split around its token, so each
// request can carry a new token without encoding the body again.
func submitBodyParts(b *testing.B, e *benchEnv, id int) (head, tail []byte) {
	b.Helper()
	const mark = "TOKENMARK0000"
	body := mustJSON(b, submitBody(person(), id, answersList(b, e, id), mark))
	i := bytes.Index(body, []byte(mark))
	return body[:i], body[i+len(mark):]
}

func answersList(b *testing.B, e *benchEnv, id int) []any {
	p, err := e.Store.PackFiles(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	pairs := make([][2]string, len(p.Pairs))
	for i, pr := range p.Pairs {
		pairs[i] = [2]string(pr)
	}
	return answersFor(pairs)
}

// BenchmarkSubmit submits a started run per request: runs made by SQL
// beforehand (untimed), each submitted once with its token, all 300
// answers: a reply stored and a run finished per request.
func BenchmarkSubmit(b *testing.B) {
	e, id := benchPack(b)
	head, tail := submitBodyParts(b, e, id)
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	var seq atomic.Int64
	submitOne := func(tb testing.TB) *sink {
		tok := tokenFor(runID, seq.Add(1))
		body := make([]byte, 0, len(head)+len(tok)+len(tail))
		body = append(append(append(body, head...), tok...), tail...)
		return e.serve(tb, http.MethodPost, "/api/reply/submit", jsonCT(), body)
	}
	run := func(b *testing.B, parallel bool) {
		// b.N is known before the loop (not so with b.Loop): one run each.
		from := seq.Load() + 1
		e.makeRuns(b, id, runID, from, from+int64(b.N)-1)
		before := e.countReplies(b)
		b.ReportAllocs()
		b.SetBytes(int64(len(head) + len(tail)))
		b.ResetTimer()
		cpu := cpuClock()
		if !parallel {
			for range b.N {
				mustOK(b, submitOne(b), "submit")
			}
		} else {
			setParallel(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if w := submitOne(b); w.status != http.StatusOK {
						b.Errorf("submit: %d %s", w.status, w.head.String())
						return
					}
				}
			})
		}
		b.StopTimer()
		reportCPU(b, cpu)
		b.ReportMetric(float64(len(head)+len(tail)), "req-B")
		if got := e.countReplies(b) - before; got != b.N {
			b.Fatalf("%d submits stored %d rows", b.N, got)
		}
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel64", func(b *testing.B) { run(b, true) })
}

// BenchmarkStartResume is a page reloaded over and over: one person's
// start naming their run by its token. It is answered from one read; the
// run is written at most once every few seconds (writes/op says how often).
func BenchmarkStartResume(b *testing.B) {
	e, _ := benchPack(b)
	who := testkit.Person(1, 2, 25)
	who["token"] = "bench-resume-token"
	body := mustJSON(b, who)
	mustOK(b, e.serve(b, http.MethodPost, "/api/reply/start", jsonCT(), body), "start")
	run := func(b *testing.B, parallel bool) {
		writes := e.resumes(b, "bench-resume-token")
		b.ReportAllocs()
		cpu := cpuClock()
		if !parallel {
			for b.Loop() {
				mustOK(b, e.serve(b, http.MethodPost, "/api/reply/start", jsonCT(), body), "resume")
			}
		} else {
			setParallel(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if w := e.serve(b, http.MethodPost, "/api/reply/start", jsonCT(), body); w.status != http.StatusOK {
						b.Errorf("resume: %d %s", w.status, w.head.String())
						return
					}
				}
			})
		}
		reportCPU(b, cpu)
		b.ReportMetric(float64(e.resumes(b, "bench-resume-token")-writes)/float64(b.N), "writes/op")
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel64", func(b *testing.B) { run(b, true) })
}

func (e *benchEnv) countReplies(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := e.Store.DB().Get(&n, `SELECT count(*) FROM reply`); err != nil {
		tb.Fatal(err)
	}
	return n
}

func BenchmarkList(b *testing.B) {
	for _, replies := range []int{0, 100} {
		b.Run(fmt.Sprintf("100packs_%dreplies_each", replies), func(b *testing.B) {
			e := newBenchEnv(b, 300)
			e.insertPacks(b, 100, 300)
			if replies > 0 {
				for id := 1; id <= 100; id++ {
					e.insertReplies(b, id, replies)
				}
			}
			var bytesOut int64
			b.ReportAllocs()
			cpu := cpuClock()
			for b.Loop() {
				w := e.serve(b, http.MethodGet, "/api/admin/list", "", nil)
				mustOK(b, w, "list")
				bytesOut = w.n
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(bytesOut), "resp-B")
		})
	}
}

func BenchmarkDownload1k(b *testing.B)  { benchDownload(b, 1000) }
func BenchmarkDownload10k(b *testing.B) { benchDownload(b, 10000) }

// benchDownload streams the JSON of a pack with n replies of 300 answers.
// live-heap-MB is how far the live heap rose during the run: it stays flat
// from 1k to 10k replies when the download streams.
func benchDownload(b *testing.B, n int) {
	e, id := benchPack(b)
	e.insertReplies(b, id, n)
	path := "/api/admin/download?id=" + strconv.Itoa(id)
	w := e.serve(b, http.MethodGet, path, "", nil) // warm the pool and find the size
	mustOK(b, w, "download")
	b.SetBytes(w.n)
	b.ReportAllocs()
	peak := startHeapPeak()
	cpu := cpuClock()
	for b.Loop() {
		w := e.serve(b, http.MethodGet, path, "", nil)
		mustOK(b, w, "download")
	}
	reportCPU(b, cpu)
	b.ReportMetric(peak.Stop(), "live-heap-MB")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "replies/s")
}

// BenchmarkCreate600Files uploads a 300-pair pack (600 files) through the
// handler: multipart parsing, the magic check, a write and an fsync per
// file, the rename into place and the row. The pack is removed (untimed)
// after each upload so the name and range are free again.
func BenchmarkCreate600Files(b *testing.B) {
	for _, size := range []int{len(jpeg), 64 << 10} {
		b.Run(fmt.Sprintf("file=%dB", size), func(b *testing.B) {
			e := newBenchEnv(b, 300)
			data := testkit.PaddedJPEG(size)
			files := packFiles("bench", 300)
			for i := range files {
				files[i].Data = data
			}
			ct, body := uploadBody(b, form{"bench", "1", "20", "29"}, files)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			peak := startHeapPeak()
			cpu := cpuClock() // includes the untimed removes
			for b.Loop() {
				w := e.serve(b, http.MethodPost, "/api/admin/create", ct, body)
				mustOK(b, w, "create")
				b.StopTimer()
				var id int
				if _, err := fmt.Sscanf(w.head.String(), "Pack %d Added.", &id); err != nil {
					b.Fatalf("create: body %q", w.head.String())
				}
				mustOK(b, e.serve(b, http.MethodGet, "/api/admin/remove?id="+strconv.Itoa(id), "", nil), "remove")
				b.StartTimer()
			}
			reportCPU(b, cpu)
			b.ReportMetric(peak.Stop(), "live-heap-MB")
		})
	}
}
