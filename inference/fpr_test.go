package inference

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFamilyWiseFalsePositiveRate: two sets drawn from one population (the
// same template, the same internal noise) are exchangeable, so a cluster
// with p < 0.05 anywhere in the map — p = (1+c)/(1+200) < 0.05 means c ≤ 9
// — happens in at most 10/201 ≈ 4.98 % of studies (Maris & Oostenveld
// 2007: the max-mass statistic controls the family-wise error rate).
// Over 200 independent studies the count is Binomial(200, ≤ 0.0498); the
// test allows the count whose upper tail has probability below 0.001
// (computed below: 21 studies, 10.5 %), i.e. about 3.6 binomial standard
// deviations of slack above the mean of 10.
func TestFamilyWiseFalsePositiveRate(t *testing.T) {
	const (
		studies = 200
		perms   = 200
		side    = 16
	)
	alpha := 10.0 / (1 + perms)
	limit := binomialUpper(studies, alpha, 0.001)
	rejected := 0
	for i := range studies {
		seed := uint64(10_000 + i)
		s := newStudy(t, side, side, 24, seed)
		rng := rand.New(rand.NewPCG(seed, 5))
		tmpl := blob(side, side, side/2, side/2, side/5)
		wa := s.observers(t, rng, 8, tmpl, 1)
		wb := s.observers(t, rng, 8, tmpl, 1)
		c, err := Compare(context.Background(), s.d, wa, wb, CompareOptions{Permutations: perms, Seed: seed, Workers: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Clusters) > 0 && c.Clusters[0].P < 0.05 {
			rejected++
		}
	}
	t.Logf("%d of %d null studies had a cluster with p < 0.05 (%.1f %%); nominal ≤ %.2f %%, allowed ≤ %d",
		rejected, studies, 100*float64(rejected)/studies, 100*alpha, limit)
	if rejected > limit {
		t.Errorf("%d of %d null studies rejected, more than the %d allowed", rejected, studies, limit)
	}
}

// binomialUpper returns the smallest c with P(X > c) < tail for X ~
// Binomial(n, p).
func binomialUpper(n int, p, tail float64) int {
	above := 1.0
	for c := 0; c <= n; c++ {
		lg, _ := math.Lgamma(float64(n + 1))
		lc, _ := math.Lgamma(float64(c + 1))
		lnc, _ := math.Lgamma(float64(n - c + 1))
		above -= math.Exp(lg - lc - lnc + float64(c)*math.Log(p) + float64(n-c)*math.Log1p(-p))
		if above < tail {
			return c
		}
	}
	return n
}

func TestBinomialUpper(t *testing.T) {
	// P(X > c) for Binomial(4, ½): c = 2 leaves 5/16, c = 3 leaves 1/16.
	cases := []struct {
		name string
		tail float64
		want int
	}{
		{name: "tail 0.4", tail: 0.4, want: 2},
		{name: "tail 0.1", tail: 0.1, want: 3},
		{name: "tail 0.01", tail: 0.01, want: 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := binomialUpper(4, 0.5, tc.tail); got != tc.want {
				t.Errorf("binomialUpper(4, ½, %v) = %d, want %d", tc.tail, got, tc.want)
			}
		})
	}
}
