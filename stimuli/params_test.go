package stimuli

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDrawParams: the draw is in [−1, 1], reproducible, seed-dependent, has
// mean ≈ 0 and variance ≈ 1/3, and is the documented PCG computation.
func TestDrawParams(t *testing.T) {
	const trials, nparams = 50, 4092
	a, err := DrawParams(7, trials, nparams)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DrawParams(7, trials, nparams)
	if err != nil {
		t.Fatal(err)
	}
	c, err := DrawParams(8, trials, nparams)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != trials*nparams {
		t.Fatalf("%d values, want %d", len(a), trials*nparams)
	}
	src := rand.NewPCG(7, paramStream)
	same := 0
	sum, sumsq := 0.0, 0.0
	for i, v := range a {
		if v < -1 || v > 1 {
			t.Fatalf("value %d = %g outside [−1, 1]", i, v)
		}
		if v != b[i] {
			t.Fatalf("value %d differs between two draws with seed 7", i)
		}
		if want := float64(src.Uint64()>>11)/(1<<53)*2 - 1; v != want {
			t.Fatalf("value %d = %g, the PCG(7, stream) formula gives %g", i, v, want)
		}
		if v == c[i] {
			same++
		}
		sum += v
		sumsq += v * v
	}
	n := float64(len(a))
	mean, variance := sum/n, sumsq/n-(sum/n)*(sum/n)
	// Uniform on [−1, 1]: mean 0, sd of the mean sqrt(1/3/n) ≈ 0.0013 here.
	if math.Abs(mean) > 0.01 || math.Abs(variance-1.0/3) > 0.01 {
		t.Fatalf("mean %.4f, variance %.4f; want ≈ 0 and ≈ 1/3", mean, variance)
	}
	if same > 0 {
		t.Fatalf("seeds 7 and 8 share %d values", same)
	}
}

// TestDrawParamsRejects: sizes out of bounds are errors, not allocations.
func TestDrawParamsRejects(t *testing.T) {
	cases := []struct {
		name            string
		trials, nparams int
		want            error
	}{
		{"no trials", 0, 4092, ErrShape},
		{"negative params", 3, -1, ErrShape},
		{"too many trials", MaxTrials + 1, 12, ErrTooLarge},
		{"too many params", 1, MaxParams + 1, ErrTooLarge},
		{"too many values", MaxTrials, MaxParams, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := DrawParams(1, c.trials, c.nparams); !errorsIs(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
