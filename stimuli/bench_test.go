package stimuli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The pack the benchmarks make: 300 pairs of 512×512 sinusoid noise over 5
// scales, rcicr's defaults but for the number of trials.
const (
	benchTrials = 300
	benchSize   = 512
	benchScales = 5
)

// benchSetup builds the benchmark pack's basis, parameters and a base.
func benchSetup(b *testing.B) (*Basis, []float64, []float64) {
	b.Helper()
	basis, err := NewBasis(benchSize, benchScales, Sinusoid, 25)
	if err != nil {
		b.Fatal(err)
	}
	params, err := DrawParams(42, benchTrials, basis.NParams())
	if err != nil {
		b.Fatal(err)
	}
	base := make([]float64, benchSize*benchSize)
	for i := range base {
		base[i] = float64(i%benchSize) / benchSize
	}
	return basis, params, base
}

// The brief's bounds on BenchmarkGenerate300x512: the 300 pairs in well
// under genMaxSeconds on two cores, and the process growing by at most
// genMaxGrowthMB, which rules out holding every noise image (300 × 2 MB).
const (
	genMaxSeconds  = 20
	genMaxGrowthMB = 300
)

// heapInUse is the bytes of live and not yet collected heap objects.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peak keeps the largest value stored in it, from any goroutine.
type peak struct{ v atomic.Uint64 }

func (p *peak) see(x uint64) {
	for {
		old := p.v.Load()
		if x <= old || p.v.CompareAndSwap(old, x) {
			return
		}
	}
}

// growthMB is how far a peak rose above a starting value, in MB.
func growthMB(p *peak, before uint64) float64 {
	return float64(p.v.Load()-min(before, p.v.Load())) / 1e6
}

// BenchmarkGenerate300x512: every pair's noise rendered and both PNGs
// encoded to bytes, on GOMAXPROCS workers, as a caller writing a pack does.
// Reports ns/pair, the PNG bytes per pair and the peak growth of the heap
// and of the resident set over the run (sampled after every pair), and
// fails past the brief's bounds.
func BenchmarkGenerate300x512(b *testing.B) {
	basis, params, base := benchSetup(b)
	gen, err := NewGenerator(basis, base, params, benchTrials)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	heapBefore, rssBefore := heapInUse(), testkit.ResidentBytes()
	var heapPeak, rssPeak peak
	var total atomic.Uint64
	b.ResetTimer()
	for range b.N {
		err := gen.Each(context.Background(), 0, func(t int, ori, inv []byte) error {
			total.Add(uint64(len(ori) + len(inv)))
			heapPeak.see(heapInUse())
			rssPeak.see(testkit.ResidentBytes())
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	pairs := float64(b.N * benchTrials)
	perPack := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pairs, "ns/pair")
	b.ReportMetric(float64(total.Load())/pairs/1e3, "kB-png/pair")
	b.ReportMetric(growthMB(&heapPeak, heapBefore), "MB-heap-growth")
	b.ReportMetric(growthMB(&rssPeak, rssBefore), "MB-rss-growth")
	b.Logf("heap %.0f → peak %.0f MB, RSS %.0f → peak %.0f MB", float64(heapBefore)/1e6,
		float64(heapPeak.v.Load())/1e6, float64(rssBefore)/1e6, float64(rssPeak.v.Load())/1e6)
	if perPack > genMaxSeconds {
		b.Errorf("%d pairs took %.1f s, bound %d s", benchTrials, perPack, genMaxSeconds)
	}
	if g := max(growthMB(&heapPeak, heapBefore), growthMB(&rssPeak, rssBefore)); g > genMaxGrowthMB {
		b.Errorf("memory grew by %.0f MB, bound %d MB", g, genMaxGrowthMB)
	}
}

// BenchmarkGram300x512: the Gram matrix and sums of the 300 pairs from their
// parameters.
func BenchmarkGram300x512(b *testing.B) {
	basis, params, _ := benchSetup(b)
	b.ResetTimer()
	for range b.N {
		if _, _, err := basis.Gram(context.Background(), params, benchTrials); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoise512: one trial's noise image (the inner loop of Generate).
func BenchmarkNoise512(b *testing.B) {
	basis, params, _ := benchSetup(b)
	out := make([]float64, benchSize*benchSize)
	b.ResetTimer()
	for i := range b.N {
		t := i % benchTrials
		if err := basis.Noise(params[t*basis.NParams():(t+1)*basis.NParams()], out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodePNG512: the floor of Generate's PNG work, one 512×512
// stimulus encoded, single-threaded.
func BenchmarkEncodePNG512(b *testing.B) {
	basis, params, base := benchSetup(b)
	gen, err := NewGenerator(basis, base, params, benchTrials)
	if err != nil {
		b.Fatal(err)
	}
	ori, _, err := gen.Pair(0)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ResetTimer()
	for range b.N {
		buf.Reset()
		if err := gen.EncodePNG(&buf, ori); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e3, "kB")
}
