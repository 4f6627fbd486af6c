package main

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// Every value falls in a bucket whose bounds hold it, buckets follow each
// other without gaps, and each is at most 1/128 of its values wide.
func TestBuckets(t *testing.T) {
	prevHigh := int64(-1)
	for i := 0; i < histBuckets-1; i++ {
		high := int64(bucketHigh(i))
		low := prevHigh + 1
		if high < low {
			t.Fatalf("bucket %d: [%d, %d]", i, low, high)
		}
		for _, v := range []int64{low, high, (low + high) / 2} {
			if got := bucketOf(uint64(v)); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, i)
			}
		}
		if low >= 1<<histLinear && float64(high-low+1) > float64(low)/float64(histSub)+1e-9 {
			t.Fatalf("bucket %d [%d, %d] wider than 1/%d of its values", i, low, high, histSub)
		}
		prevHigh = high
	}
	if got := bucketOf(1 << 40); got != histBuckets-1 {
		t.Fatalf("a value past the range: bucket %d", got)
	}
}

// Quantiles of random latencies agree with the sorted values to within
// the buckets' precision, and never fall below them.
func TestQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var h histogram
	var all []time.Duration
	for range 100000 {
		// From 100 µs to 2 s, each power of two half as likely as the one
		// below: a latency's usual spread and tail.
		d := time.Duration(100*expRand(r, 20000)) * time.Microsecond
		all = append(all, d)
		h.Record(d)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if h.Count() != int64(len(all)) {
		t.Fatalf("count %d", h.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		want := all[int(q*float64(len(all)))-1]
		got := h.Quantile(q)
		if got < want.Truncate(time.Microsecond) || float64(got) > float64(want)*(1+1.0/histSub)+float64(time.Microsecond) {
			t.Errorf("q %v: %v, want %v (within 0.8%% above)", q, got, want)
		}
	}
	var empty histogram
	if empty.Quantile(0.99) != 0 {
		t.Error("an empty histogram has a quantile")
	}
}

// expRand is in [1, max): in [2^k, 2^(k+1)) with probability 2^-(k+1).
func expRand(r *rand.Rand, maxV float64) float64 {
	v := 1.0
	for v*2 < maxV && r.IntN(2) == 0 {
		v *= 2
	}
	return v * (1 + r.Float64())
}
