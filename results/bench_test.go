package results

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

// The benchmarks share one generated pack (300 pairs of 512×512 grey PNGs),
// its stats file and 1,000 simulated replies: generating them takes tens of
// seconds, so they are made once per process, on first use, and removed by
// TestMain. This process-wide cache is test-only.
const (
	benchPairs   = 300
	benchSize    = 512
	benchReplies = 1000
)

type benchData struct {
	dir     string
	pairs   []PairFiles
	stats   string // the stats file
	replies []Reply
}

var bench struct {
	once sync.Once
	data *benchData
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.data != nil {
		os.RemoveAll(bench.data.dir)
	}
	if memPack.dir != "" {
		os.RemoveAll(memPack.dir)
	}
	os.Exit(code)
}

func benchFixture(b *testing.B) *benchData {
	b.Helper()
	bench.once.Do(func() {
		start := time.Now()
		d := &benchData{}
		if d.dir, bench.err = os.MkdirTemp("", "psyx-results-bench-"); bench.err != nil {
			return
		}
		bench.data = d
		pack, err := testkit.WriteRCPack(d.dir, testkit.RCOptions{Size: benchSize, Pairs: benchPairs, Seed: 1, DropNoise: true})
		if err != nil {
			bench.err = err
			return
		}
		d.pairs = pairFiles(pack)
		d.stats = filepath.Join(d.dir, "pack.stats")
		if bench.err = Compute(context.Background(), d.pairs, 1, d.stats, ComputeOptions{}); bench.err != nil {
			return
		}
		d.replies = simulatedReplies(benchReplies, benchPairs)
		fmt.Fprintf(os.Stderr, "bench fixture: %d pairs of %d², stats file, %d replies in %v\n",
			benchPairs, benchSize, benchReplies, time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatalf("bench fixture: %v", bench.err)
	}
	return bench.data
}

// simulatedReplies: random responders with a timeout rate drawn uniformly
// from 0–10 % per reply (the typical range), a third of them with none,
// timeouts at random pairs, rts of 0.3–2 s.
func simulatedReplies(n, npairs int) []Reply {
	rng := rand.New(rand.NewPCG(42, 43))
	replies := make([]Reply, n)
	for r := range replies {
		rate := 0.0
		if r%3 != 0 {
			rate = rng.Float64() * 0.10
		}
		ts := make([]trials.Trial, npairs)
		for i, p := range rng.Perm(npairs) {
			ts[i] = trialOf(p, int8(rng.IntN(2))*2-1, rng.IntN(2) == 0, 0.3+1.7*rng.Float64())
			if rng.Float64() < rate {
				ts[i].Key = trials.KeyTimeout
			}
		}
		replies[r] = Reply{Trials: ts}
	}
	return replies
}

func openBench(b *testing.B, d *benchData) *Stats {
	b.Helper()
	s, err := Open(d.stats)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkCompute: the stats of the 300-pair 512×512 pack, from the PNGs.
// Peak RSS growth: /proc/self/status VmHWM after the run minus VmRSS before
// it, with VmHWM reset to the current RSS first (echo 5 >
// /proc/self/clear_refs) and the heap returned to the OS; where the reset is
// not allowed, VmRSS sampled every 5 ms instead.
func BenchmarkCompute(b *testing.B) {
	d := benchFixture(b)
	var worst float64
	method := "VmHWM reset"
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(d.dir, "compute-"+strconv.Itoa(i)+".stats")
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		before := procStatusKB(b, "VmRSS")
		reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		stop := make(chan struct{})
		sampled := make(chan int64)
		if !reset {
			method = "VmRSS sampling"
			go sampleRSS(b, stop, sampled)
		}
		b.StartTimer()
		if err := Compute(context.Background(), d.pairs, 1, out, ComputeOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var peak int64
		if reset {
			peak = procStatusKB(b, "VmHWM")
		} else {
			close(stop)
			peak = <-sampled
		}
		worst = max(worst, float64(peak-before)/1024)
		os.Remove(out)
		b.StartTimer()
	}
	b.ReportMetric(worst, "peak-RSS-growth-MB")
	b.Logf("peak RSS growth measured by %s", method)
}

func sampleRSS(b *testing.B, stop <-chan struct{}, out chan<- int64) {
	var peak int64
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		peak = max(peak, procStatusKB(b, "VmRSS"))
		select {
		case <-stop:
			out <- peak
			return
		case <-t.C:
		}
	}
}

// procStatusKB reads one "Name: N kB" line of /proc/self/status.
func procStatusKB(b *testing.B, name string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatalf("%s not in /proc/self/status", name)
	return 0
}

// BenchmarkOpen: checking and loading the stats file (CRC of 183 MB, the
// reference drawn again).
func BenchmarkOpen(b *testing.B) {
	d := benchFixture(b)
	for b.Loop() {
		openBench(b, d).Close()
	}
}

// BenchmarkGroupCI: the group CI of 1,000 replies, cold: Open included.
func BenchmarkGroupCI(b *testing.B) {
	d := benchFixture(b)
	ts := make([][]trials.Trial, len(d.replies))
	for i, r := range d.replies {
		ts[i] = r.Trials
	}
	for b.Loop() {
		s := openBench(b, d)
		if _, err := s.GroupCI(context.Background(), ts); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkReplyCI: one participant's CI from an opened stats file, then
// the same as PNG and CSV.
func BenchmarkReplyCI(b *testing.B) {
	d := benchFixture(b)
	s := openBench(b, d)
	defer s.Close()
	b.Run("ci", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ReplyCI(context.Background(), d.replies[1].Trials); err != nil {
				b.Fatal(err)
			}
		}
	})
	ci, err := s.ReplyCI(context.Background(), d.replies[1].Trials)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("png", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.WritePNG(&bytes.Buffer{}, ci, Independent, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("csv", func(b *testing.B) {
		for b.Loop() {
			if err := WriteCSV(&bytes.Buffer{}, ci); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQualityTable: the quality table of 1,000 replies, each with its
// matched infoVal.
func BenchmarkQualityTable(b *testing.B) {
	d := benchFixture(b)
	s := openBench(b, d)
	defer s.Close()
	for b.Loop() {
		if _, err := s.QualityTable(context.Background(), d.replies, DefaultThresholds()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInfoVal: one reply's infoVal, with every pair answered (the
// cached full-set reference) and with 30 timeouts (a matched reference).
func BenchmarkInfoVal(b *testing.B) {
	d := benchFixture(b)
	s := openBench(b, d)
	defer s.Close()
	for _, timeouts := range []int{0, 30} {
		ts := make([]trials.Trial, benchPairs)
		for i := range ts {
			ts[i] = trialOf(i, int8(i%2)*2-1, false, 0)
			if i%10 == 0 && i/10 < timeouts {
				ts[i].Key = trials.KeyTimeout
			}
		}
		b.Run(strconv.Itoa(timeouts)+"-timeouts", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.InfoVal(ts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRcicrWay: rcicr's way to an infoVal reference, one random
// responder's CI image at a time from the noise (here streamed from the
// stats file, as ReplyCI does) and its Frobenius norm. A few are timed and
// extrapolated to 10,000 per reply × 1,000 replies, against one run of the
// quality table.
func BenchmarkRcicrWay(b *testing.B) {
	d := benchFixture(b)
	s := openBench(b, d)
	defer s.Close()
	const timed = 5
	rng := rand.New(rand.NewPCG(7, 8))
	var perCI time.Duration
	for b.Loop() {
		start := time.Now()
		for range timed {
			ts := make([]trials.Trial, benchPairs)
			for i := range ts {
				ts[i] = trialOf(i, int8(rng.IntN(2))*2-1, false, 0)
			}
			ci, err := s.ReplyCI(context.Background(), ts)
			if err != nil {
				b.Fatal(err)
			}
			norm := 0.0
			for _, v := range ci.Pix {
				norm += v * v
			}
			_ = norm
		}
		perCI = time.Since(start) / timed
	}
	b.StopTimer()
	quality := time.Duration(1<<63 - 1) // the fastest of three runs, as a benchmark would settle on
	for range 3 {
		start := time.Now()
		if _, err := s.QualityTable(context.Background(), d.replies, DefaultThresholds()); err != nil {
			b.Fatal(err)
		}
		quality = min(quality, time.Since(start))
	}
	extrapolated := perCI.Seconds() * Responders * benchReplies
	b.ReportMetric(perCI.Seconds()*1000, "ms/ref-CI")
	b.ReportMetric(extrapolated/3600, "extrapolated-h")
	b.ReportMetric(quality.Seconds(), "quality-table-s")
	b.ReportMetric(extrapolated/quality.Seconds(), "ratio")
}
