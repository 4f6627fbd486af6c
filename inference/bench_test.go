package inference

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The service's budget (SPEC, Analysis; this package's brief): 300 pairs of
// 512×512, reliability of 100 replies, and a comparison of 50 vs 50 replies
// with 1,000 permutations in at most 30 s cold on a 2-core machine, with at
// most 500 MB of RSS growth.
const (
	benchPairs = 300
	benchSide  = 512
)

// BenchmarkReliability300x512: NewMoments, 1,000 splits, ICC and
// leave-one-out of 100 replies. The Gram matrix is made with the design,
// outside the timing: the service keeps it per pack.
func BenchmarkReliability300x512(b *testing.B) {
	d := newSynthDesign(benchPairs, benchSide, benchSide, 1)
	w := synthReplies(d, 100, basisTemplate(), 2)
	measure(b, func() {
		mo, err := NewMoments(d, w)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := mo.SplitHalf(DefaultSplits, 3); err != nil {
			b.Fatal(err)
		}
		mo.ICC()
		if _, err := mo.LeaveOneOut(DefaultInfluenceThreshold); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCompare300x512: 50 vs 50 replies, 1,000 permutations, cold:
// the per-reply CIs are computed from the noise, which NoiseBlock generates
// (one Dgemm per block, about what reading the service's stats file costs).
func BenchmarkCompare300x512(b *testing.B) {
	d := newSynthDesign(benchPairs, benchSide, benchSide, 1)
	wa := synthReplies(d, 50, basisTemplate(), 4)
	wb := synthReplies(d, 50, nil, 5)
	var clusters int
	measure(b, func() {
		c, err := Compare(context.Background(), d, wa, wb, CompareOptions{Seed: 6}, nil)
		if err != nil {
			b.Fatal(err)
		}
		clusters = len(c.Clusters)
	})
	b.ReportMetric(float64(clusters), "clusters")
}

// basisTemplate: the observers of set a look for the low-frequency basis
// images (1, 1) and (2, 0).
func basisTemplate() []float64 {
	t := make([]float64, synthFreqs*synthFreqs)
	t[1*synthFreqs+1], t[2*synthFreqs] = 1, -0.5
	return t
}

// measure runs f per iteration and reports, over the iterations, the peak
// Go heap in use (runtime/metrics sampled every 2 ms) and the peak RSS
// growth (/proc/self/status VmHWM after f minus VmRSS before it, with VmHWM
// reset first by writing 5 to /proc/self/clear_refs; where that is not
// allowed, VmRSS sampled instead).
func measure(b *testing.B, f func()) {
	b.Helper()
	var peakHeap, peakRSS float64
	method := "VmHWM reset"
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		before := procStatusKB(b, "VmRSS")
		reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		stop, done := make(chan struct{}), make(chan [2]int64)
		go sampleMemory(stop, done, !reset)
		b.StartTimer()
		f()
		b.StopTimer()
		close(stop)
		peak := <-done
		rss := peak[1]
		if reset {
			rss = procStatusKB(b, "VmHWM")
		} else {
			method = "VmRSS sampling"
		}
		peakHeap = max(peakHeap, float64(peak[0])/(1<<20))
		peakRSS = max(peakRSS, float64(rss-before)/1024)
		b.StartTimer()
	}
	b.ReportMetric(peakHeap, "peak-heap-MB")
	b.ReportMetric(peakRSS, "peak-RSS-growth-MB")
	b.Logf("GOMAXPROCS %d; peak RSS growth by %s", runtime.GOMAXPROCS(0), method)
}

// sampleMemory reports the largest heap in use (bytes) and, if rss, VmRSS
// (kB) seen until stop is closed. Reading /proc costs a system call, so
// VmRSS is only sampled when VmHWM cannot be reset.
func sampleMemory(stop <-chan struct{}, done chan<- [2]int64, rss bool) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak [2]int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(sample)
		peak[0] = max(peak[0], int64(sample[0].Value.Uint64()))
		if rss {
			if kb, err := readStatusKB("VmRSS"); err == nil {
				peak[1] = max(peak[1], kb)
			}
		}
		select {
		case <-stop:
			done <- peak
			return
		case <-tick.C:
		}
	}
}

func procStatusKB(b *testing.B, name string) int64 {
	b.Helper()
	kb, err := readStatusKB(name)
	if err != nil {
		b.Fatal(err)
	}
	return kb
}

// readStatusKB reads one "Name: N kB" line of /proc/self/status.
func readStatusKB(name string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, os.ErrNotExist
}
