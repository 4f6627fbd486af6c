package inference

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// compareCase is a simulated two-set study.
type compareCase struct {
	name         string
	w, h, n      int
	ka, kb       int
	shiftB       bool // set b's observers use a template moved to the other side
	threshold    float64
	permutations int
}

var compareCases = []compareCase{
	{name: "16x16, 6 vs 5, same template", w: 16, h: 16, n: 24, ka: 6, kb: 5, threshold: 2, permutations: 199},
	{name: "32x32, 10 vs 10, templates apart", w: 32, h: 32, n: 24, ka: 10, kb: 10, shiftB: true, threshold: 2, permutations: 199},
	{name: "24x20, 4 vs 9, threshold 1.5", w: 24, h: 20, n: 24, ka: 4, kb: 9, shiftB: true, threshold: 1.5, permutations: 99},
	{name: "20x12, 2 vs 2, smallest sets", w: 20, h: 12, n: 24, ka: 2, kb: 2, shiftB: true, threshold: 2, permutations: 50},
}

// simulate returns the design, both sets' weights and their explicit CIs.
func (c compareCase) simulate(t *testing.T, seed uint64) (*study, [][]float64, [][]float64) {
	t.Helper()
	s := newStudy(t, c.w, c.h, c.n, seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	ta := blob(c.w, c.h, float64(c.w)/3, float64(c.h)/2, float64(c.w)/8)
	tb := ta
	if c.shiftB {
		tb = blob(c.w, c.h, 2*float64(c.w)/3, float64(c.h)/2, float64(c.w)/8)
	}
	return s, s.observers(t, rng, c.ka, ta, 1), s.observers(t, rng, c.kb, tb, 1)
}

// checkClusters compares clusters field by field: sign, size and box
// exactly, mass and peak within tol, p exactly when withP.
func checkClusters(t *testing.T, got, want []Cluster, tol float64, withP bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d clusters, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Sign != w.Sign || g.Pixels != w.Pixels || g.BBox != w.BBox {
			t.Errorf("cluster %d: %+v, want %+v", i, g, w)
		}
		closeTo(t, "mass", g.Mass, w.Mass, tol)
		closeTo(t, "peak t", g.PeakT, w.PeakT, tol)
		if withP && g.P != w.P {
			t.Errorf("cluster %d: p = %v, want %v", i, g.P, w.P)
		}
	}
}

// TestCompareMatchesExplicitCIs: the t map, the clusters and their
// p-values against the whole test done naively in float64 from explicit CIs
// with the same relabellings. p-values must be identical: the float32
// permutation maxima never cross an observed mass.
func TestCompareMatchesExplicitCIs(t *testing.T) {
	for i, c := range compareCases {
		t.Run(c.name, func(t *testing.T) {
			seed := uint64(500 + i)
			s, wa, wb := c.simulate(t, seed)
			opts := CompareOptions{Threshold: c.threshold, Permutations: c.permutations, Seed: seed}
			got, err := Compare(context.Background(), s.d, wa, wb, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			tmap, clusters := naiveCompare(s.cis(wa), s.cis(wb), c.w, c.h, c.threshold, c.permutations, seed)
			for p := range tmap {
				closeTo(t, "t", got.TMap[p], tmap[p], 1e-9)
			}
			if len(clusters) == 0 {
				t.Fatal("the simulation made no cluster: nothing to compare")
			}
			checkClusters(t, got.Clusters, clusters, 1e-9, true)
			if got.AReplies != c.ka || got.BReplies != c.kb || got.Width != c.w || got.Height != c.h ||
				got.Threshold != c.threshold || got.Permutations != c.permutations {
				t.Errorf("header %+v", got)
			}
		})
	}
}

// TestFloat32MaximaCloseToFloat64: how far the float32 permutation maxima
// are from float64 ones, and that no observed cluster mass lies within that
// distance of a maximum — which is why the p-values are unaffected.
func TestFloat32MaximaCloseToFloat64(t *testing.T) {
	c := compareCases[1]
	s, wa, wb := c.simulate(t, 77)
	sh, err := checkDesign(s.d, false)
	if err != nil {
		t.Fatal(err)
	}
	k := len(wa) + len(wb)
	wall := make([]float64, k*sh.n)
	flatten(append(slices.Clone(wa), wb...), sh.n, wall)
	rc, tObs, err := computeReplyCIs(context.Background(), s.d, sh, wall, len(wa), len(wb))
	if err != nil {
		t.Fatal(err)
	}
	const nperm = 300
	comps, _ := components(tObs, c.w, c.h, c.threshold)
	got, err := permutationMaxima(context.Background(), rc, c.w, c.h, c.threshold, comps[0].mass, nperm, 77, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := naiveMaxima(append(s.cis(wa), s.cis(wb)...), len(wa), c.w, c.h, c.threshold, nperm, 77)
	worst := 0.0
	for i := range want {
		worst = max(worst, math.Abs(got[i]-want[i])/max(want[i], 1))
	}
	t.Logf("largest relative difference of a float32 maximum from float64: %.2g", worst)
	if worst > 1e-5 {
		t.Errorf("float32 maxima differ from float64 by up to %.2g", worst)
	}
	for _, cp := range comps {
		for _, m := range want {
			if math.Abs(m-cp.mass) <= 2*worst*max(m, 1) {
				t.Errorf("a maximum %v is within rounding of observed mass %v", m, cp.mass)
			}
		}
	}
}

// TestCompareDoesNotDependOnWorkers: 1, 2 or 3 goroutines, same result.
func TestCompareDoesNotDependOnWorkers(t *testing.T) {
	c := compareCases[1]
	s, wa, wb := c.simulate(t, 21)
	var first *Comparison
	for _, workers := range []int{1, 2, 3} {
		got, err := Compare(context.Background(), s.d, wa, wb, CompareOptions{Permutations: 150, Seed: 5, Workers: workers}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("%d workers: %+v, 1 worker: %+v", workers, got.Clusters, first.Clusters)
		}
	}
}

func TestCompareDefaultsAndProgress(t *testing.T) {
	c := compareCases[1]
	s, wa, wb := c.simulate(t, 23)
	var calls [][2]int
	got, err := Compare(context.Background(), s.d, wa, wb, CompareOptions{Seed: 1}, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Threshold != DefaultThreshold || got.Permutations != DefaultPermutations {
		t.Errorf("defaults: threshold %v, permutations %d", got.Threshold, got.Permutations)
	}
	if len(got.Clusters) == 0 {
		t.Fatal("no cluster: the permutations did not run")
	}
	if len(calls) < 3 || calls[0][0] != 0 || calls[len(calls)-1][0] != DefaultPermutations {
		t.Errorf("progress calls %v: want 0 first, %d last, and some between", calls, DefaultPermutations)
	}
	for i, call := range calls {
		if call[1] != DefaultPermutations || (i > 0 && call[0] <= calls[i-1][0]) {
			t.Errorf("progress calls %v: not increasing towards %d", calls, DefaultPermutations)
			break
		}
	}
	for _, cl := range got.Clusters {
		if cl.P <= 0 || cl.P > 1 || math.Mod(cl.P*float64(1+DefaultPermutations), 1) > 1e-9 {
			t.Errorf("p %v is not a count over %d", cl.P, 1+DefaultPermutations)
		}
	}
}

func TestCompareCancel(t *testing.T) {
	c := compareCases[1]
	s, wa, wb := c.simulate(t, 25)
	cases := []struct {
		name  string
		after int // cancel at this progress call (−1: before Compare)
	}{
		{name: "cancelled before", after: -1},
		{name: "cancelled at the first progress call", after: 0},
		{name: "cancelled after one batch", after: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.after < 0 {
				cancel()
			}
			calls := 0
			lastDone := -1
			_, err := Compare(ctx, s.d, wa, wb, CompareOptions{Permutations: 1000, Workers: 2}, func(done, total int) {
				if calls == tc.after {
					cancel()
				}
				calls++
				lastDone = done
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if lastDone >= 1000 {
				t.Errorf("all permutations ran (%d) although cancelled", lastDone)
			}
		})
	}
}

// TestCompareNoCluster: identical sets have t = 0 everywhere, no cluster,
// and JSON with an empty list.
func TestCompareNoCluster(t *testing.T) {
	c := compareCases[0]
	s, wa, _ := c.simulate(t, 27)
	got, err := Compare(context.Background(), s.d, wa, wa, CompareOptions{Permutations: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, v := range got.TMap {
		if v != 0 {
			t.Fatalf("t[%d] = %v for identical sets", p, v)
		}
	}
	js, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a_replies":6,"b_replies":6,"width":16,"height":16,"threshold":2,"permutations":10,"clusters":[]}`
	if string(js) != want {
		t.Errorf("JSON %s\nwant %s", js, want)
	}
}

func TestClusterJSON(t *testing.T) {
	cl := Cluster{Sign: -1, P: 0.25, Mass: 12.5, Pixels: 4, BBox: [4]int{1, 2, 3, 4}, PeakT: -3.5}
	js, err := json.Marshal(cl)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sign":-1,"p":0.25,"mass":12.5,"pixels":4,"bbox":[1,2,3,4],"peak_t":-3.5}`
	if string(js) != want {
		t.Errorf("JSON %s\nwant %s", js, want)
	}
}

// imageDesign is a MemDesign that also draws weighted noise whole, as a
// generated pack does: Compare then takes the direct path.
type imageDesign struct{ *MemDesign }

func (d imageDesign) WeightedNoise(_ context.Context, w []float64, out []float64) error {
	clear(out)
	p := d.s.pixels
	for i, wi := range w {
		for j, v := range d.noise[i*p : (i+1)*p] {
			out[j] += wi * v
		}
	}
	return nil
}

// A design that draws CIs whole gives the same t map, clusters and
// p-values as one read block by block: the same naive reference holds.
func TestCompareImageDesign(t *testing.T) {
	for i, c := range compareCases {
		t.Run(c.name, func(t *testing.T) {
			seed := uint64(500 + i)
			s, wa, wb := c.simulate(t, seed)
			opts := CompareOptions{Threshold: c.threshold, Permutations: c.permutations, Seed: seed}
			got, err := Compare(context.Background(), imageDesign{s.d}, wa, wb, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			tmap, clusters := naiveCompare(s.cis(wa), s.cis(wb), c.w, c.h, c.threshold, c.permutations, seed)
			for p := range tmap {
				closeTo(t, "t", got.TMap[p], tmap[p], 1e-9)
			}
			checkClusters(t, got.Clusters, clusters, 1e-9, true)
		})
	}
}
