package results

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The memory benchmark's pack: 300 pairs at the default max_image_pixels,
// 1024², the largest a service with default settings computes. Made once
// per process, on first use (a minute), and removed by TestMain.
const memPairs, memSize = 300, 1024

var memPack struct {
	once  sync.Once
	dir   string
	pairs []PairFiles
	err   error
}

func memFixture(b *testing.B) []PairFiles {
	b.Helper()
	memPack.once.Do(func() {
		start := time.Now()
		if memPack.dir, memPack.err = os.MkdirTemp("", "psyx-results-mem-"); memPack.err != nil {
			return
		}
		pack, err := testkit.WriteRCPack(memPack.dir, testkit.RCOptions{Size: memSize, Pairs: memPairs, Seed: 7, DropNoise: true})
		if err != nil {
			memPack.err = err
			return
		}
		memPack.pairs = pairFiles(pack)
		fmt.Fprintf(os.Stderr, "memory bench fixture: %d pairs of %d² in %v\n", memPairs, memSize, time.Since(start).Round(time.Millisecond))
	})
	if memPack.err != nil {
		b.Fatalf("memory bench fixture: %v", memPack.err)
	}
	return memPack.pairs
}

// computeHeapBound is what Compute may hold at once for n pairs of p
// pixels with procs decoders, counted from the code: the decoding phase
// (baseSum 4p, the noise row 2p, per decoder an image being decoded of at
// most 8p and its grey copy p, the 1 MB file buffer) or, later, the
// reference phase (Mᵀ 8nk, the responders' signs nk, a chunk of them as
// float64 8n·2048, G 8n², baseSum 4p), or between them the Gram block of
// at most 16 MB beside G and baseSum. Twice that: with GOGC=100 the heap
// grows to twice what is live before the collector runs.
func computeHeapBound(n, p, procs int) int64 {
	n64, p64, k := int64(n), int64(p), int64(Responders)
	decoding := 4*p64 + 2*p64 + int64(procs)*(8*p64+p64) + 1<<20
	reference := 8*n64*k + n64*k + 8*n64*refChunk + 8*n64*n64 + 4*p64
	gramming := gramBlockBytes + 8*n64*n64 + 4*p64
	return 2 * max(decoding, reference, gramming)
}

// BenchmarkComputeMemory: Compute of a 300-pair 1024² pack, with its peak
// heap (live and not yet collected objects, sampled every millisecond
// from runtime/metrics, above what was in use before) and peak RSS growth
// (as BenchmarkCompute), the worst of the iterations; it fails above
// computeHeapBound.
//
//	go test ./results -run '^$' -bench ComputeMemory -benchtime 1x
func BenchmarkComputeMemory(b *testing.B) {
	pairs := memFixture(b)
	bound := computeHeapBound(memPairs, memSize*memSize, runtime.GOMAXPROCS(0))
	var worstHeap, worstRSS float64
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(memPack.dir, "compute-"+strconv.Itoa(i)+".stats")
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		heapBefore := heapObjects()
		rssBefore := procStatusKB(b, "VmRSS")
		reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		stop, peak := make(chan struct{}), make(chan uint64)
		go sampleHeap(stop, peak)
		b.StartTimer()
		if err := Compute(context.Background(), pairs, 1, out, ComputeOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		close(stop)
		heap := float64(<-peak-heapBefore) / (1 << 20)
		worstHeap = max(worstHeap, heap)
		if reset {
			worstRSS = max(worstRSS, float64(procStatusKB(b, "VmHWM")-rssBefore)/1024)
		}
		os.Remove(out)
		b.StartTimer()
	}
	b.ReportMetric(worstHeap, "peak-heap-MB")
	b.ReportMetric(worstRSS, "peak-RSS-growth-MB")
	b.ReportMetric(float64(bound)/(1<<20), "bound-MB")
	if worstHeap > float64(bound)/(1<<20) {
		b.Fatalf("peak heap %.1f MB above the bound %.1f MB", worstHeap, float64(bound)/(1<<20))
	}
}

// heapObjects is the heap the program's objects occupy, garbage not yet
// collected included.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func sampleHeap(stop <-chan struct{}, out chan<- uint64) {
	var peak uint64
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		peak = max(peak, heapObjects())
		select {
		case <-stop:
			out <- max(peak, heapObjects())
			return
		case <-t.C:
		}
	}
}
