package stimuli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
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

// heapInUse is the bytes of live and not yet collected heap objects.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkGenerate300x512: every pair's noise rendered and both PNGs
// encoded to bytes, on GOMAXPROCS workers. Reports ns/pair, the PNG bytes
// per pair, and the peak heap growth over the run (sampled per pair).
func BenchmarkGenerate300x512(b *testing.B) {
	basis, params, base := benchSetup(b)
	gen, err := NewGenerator(basis, base, params, benchTrials)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	before := heapInUse()
	var peak, total atomic.Uint64
	b.ResetTimer()
	for range b.N {
		err := gen.Each(context.Background(), 0, func(t int, ori, inv []byte) error {
			total.Add(uint64(len(ori) + len(inv)))
			if h := heapInUse(); h > peak.Load() {
				peak.Store(h)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	pairs := float64(b.N * benchTrials)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pairs, "ns/pair")
	b.ReportMetric(float64(total.Load())/pairs/1e3, "kB-png/pair")
	b.ReportMetric(float64(peak.Load()-min(before, peak.Load()))/1e6, "MB-heap-growth")
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
