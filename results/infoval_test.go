package results

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The Gram shortcut against brute force: a random responder's CI norm over
// any answered set, computed through T, through S, by the quadratic form
// directly and from the streamed pixels, must agree; and InfoVal must equal
// a slow, sort-based implementation of its definition.
func TestInfoValShortcut(t *testing.T) {
	const npairs = 40
	_, s := openPack(t, testkit.RCOptions{Size: 32, Pairs: npairs, Seed: 2})
	resp := testkit.RandomObserver(npairs, 9)
	for _, tc := range []struct {
		name    string
		timeout func(i int) bool
	}{
		{"none", func(int) bool { return false }},
		{"one", func(i int) bool { return i == 17 }},
		{"every 10th", func(i int) bool { return i%10 == 3 }},
		{"half", func(i int) bool { return i%2 == 0 }},
		{"all but three", func(i int) bool { return i > 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := slices.Clone(resp)
			for i := range r {
				if tc.timeout(i) {
					r[i] = 0
				}
			}
			ts := trialsOf(r)
			sc := &ivScratch{}
			if err := s.split(ts, sc); err != nil {
				t.Fatal(err)
			}
			n := len(sc.in)
			slow := make([]float64, s.k)
			for k := range s.k {
				a := make([]float64, n)
				for j, i := range sc.in {
					a[j] = float64(s.signs[i*s.k+k])
				}
				slow[k] = math.Sqrt(s.quadForm(sc.in, a, &ivScratch{}))
			}
			if len(sc.out) > 0 {
				viaT := slices.Clone(s.refNorms(sc, true))
				viaS := s.refNorms(sc, false)
				if !slices.Equal(viaT, viaS) || !slices.Equal(viaT, slow) {
					t.Fatalf("norms differ: via T %v…, via S %v…, direct %v…", viaT[:3], viaS[:3], slow[:3])
				}
			}
			// Three responders' CIs from the pixels themselves.
			for k := range 3 {
				w := make([]float64, s.n)
				for _, i := range sc.in {
					w[i] = float64(s.signs[i*s.k+k]) / float64(n)
				}
				pix, err := s.weightedNoise(context.Background(), w)
				if err != nil {
					t.Fatal(err)
				}
				frob := 0.0
				for _, v := range pix {
					frob += v * v
				}
				got, want := math.Sqrt(frob), slow[k]*dScale/float64(n)
				if math.Abs(got-want) > 1e-12*want {
					t.Errorf("responder %d: pixel norm %.15g, Gram norm %.15g", k, got, want)
				}
			}
			// InfoVal against its definition with sorts.
			ref := slices.Clone(slow)
			slices.Sort(ref)
			med := sortedMedian(ref)
			dev := make([]float64, len(ref))
			for i, v := range ref {
				dev[i] = math.Abs(v - med)
			}
			slices.Sort(dev)
			mad := 1.4826 * sortedMedian(dev)
			own := math.Sqrt(s.quadForm(sc.in, sc.answered, &ivScratch{}))
			if got, want := infoVal(t, s, ts), (own-med)/mad; math.Abs(got-want) > 1e-9 {
				t.Errorf("InfoVal %.12g, definition %.12g", got, want)
			}
		})
	}
}

func sortedMedian(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// The same reply gives the same infoVal from a stats file computed again,
// and the random responders are the seed's: another seed, other values.
func TestInfoValStable(t *testing.T) {
	_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 30, Seed: 4})
	resp := testkit.RandomObserver(30, 1)
	resp[4], resp[9] = 0, 0
	ts := trialsOf(resp)
	a := infoVal(t, computeOpen(t, pairs, 1), ts)
	b := infoVal(t, computeOpen(t, pairs, 1), ts)
	c := infoVal(t, computeOpen(t, pairs, 2), ts)
	if a != b {
		t.Errorf("same seed, infoVal %v then %v", a, b)
	}
	if a == c {
		t.Errorf("seeds 1 and 2 gave the same infoVal %v", a)
	}
}

func TestMedianMAD(t *testing.T) {
	rng := testkit.RandomObserver(20000, 5)
	for _, n := range []int{1, 2, 3, 4, 5, 10, 11, 101, 10000} {
		for _, ties := range []bool{false, true} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(int(rng[i])*(i*7919%1000)) + float64(i%3)/10
				if ties {
					xs[i] = float64(i % 4)
				}
			}
			sorted := slices.Clone(xs)
			slices.Sort(sorted)
			med := sortedMedian(sorted)
			dev := make([]float64, n)
			for i, v := range sorted {
				dev[i] = math.Abs(v - med)
			}
			slices.Sort(dev)
			gotMed, gotMAD := medianMAD(xs)
			if gotMed != med || gotMAD != 1.4826*sortedMedian(dev) {
				t.Errorf("n=%d ties=%v: median %v MAD %v, want %v %v", n, ties, gotMed, gotMAD, med, 1.4826*sortedMedian(dev))
			}
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing should be NaN")
	}
}
