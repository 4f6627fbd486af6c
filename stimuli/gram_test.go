package stimuli

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"
)

// directGram is G and s from rendered noise images: the definition.
func directGram(t *testing.T, b *Basis, params []float64, n int) (g, sums []float64) {
	t.Helper()
	px := b.Size() * b.Size()
	noise := make([][]float64, n)
	for i := range noise {
		noise[i] = make([]float64, px)
		if err := b.Noise(params[i*b.NParams():(i+1)*b.NParams()], noise[i]); err != nil {
			t.Fatal(err)
		}
	}
	g = make([]float64, n*n)
	sums = make([]float64, n)
	for i := range n {
		for _, v := range noise[i] {
			sums[i] += v
		}
		for j := range n {
			s := 0.0
			for p := range px {
				s += noise[i][p] * noise[j][p]
			}
			g[i*n+j] = s
		}
	}
	return g, sums
}

// TestGramMatchesDirect: Gram from the parameters equals the Gram of the
// rendered noise images, for rcicr's parameters and for drawn ones, at
// several sizes and scale counts.
func TestGramMatchesDirect(t *testing.T) {
	cases := []struct {
		name    string
		size    int
		nscales int
		noise   NoiseType
		trials  int
	}{
		{"sinusoid-128-5", 128, 5, Sinusoid, 37},
		{"gabor-128-5", 128, 5, Gabor, 5},
		{"sinusoid-64-1", 64, 1, Sinusoid, 3},
		{"gabor-96-3", 96, 3, Gabor, 40},
		{"sinusoid-64-7", 64, 7, Sinusoid, 2},
		// Finest tiles larger than gramBand pixels, cut into bands: 16
		// bands of 16 rows; 42 + 42 + 12 rows.
		{"gabor-256-1", 256, 1, Gabor, 3},
		{"sinusoid-192-2", 192, 2, Sinusoid, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := NewBasis(c.size, c.nscales, c.noise, 25)
			if err != nil {
				t.Fatal(err)
			}
			params, err := DrawParams(int64(c.trials), c.trials, b.NParams())
			if err != nil {
				t.Fatal(err)
			}
			g, sums, err := b.Gram(context.Background(), params, c.trials)
			if err != nil {
				t.Fatal(err)
			}
			wantG, wantS := directGram(t, b, params, c.trials)
			checkGram(t, c.trials, c.size*c.size, g, sums, wantG, wantS)
		})
	}
}

// TestGramFixtureParams: the same with rcicr's own four parameter rows.
func TestGramFixtureParams(t *testing.T) {
	for _, nt := range fixtureTypes {
		t.Run(nt.String(), func(t *testing.T) {
			b := fixtureBasis(t, nt)
			params := fixtureParams(t, nt)
			g, sums, err := b.Gram(context.Background(), params, fixtureTrials)
			if err != nil {
				t.Fatal(err)
			}
			wantG, wantS := directGram(t, b, params, fixtureTrials)
			checkGram(t, fixtureTrials, fixtureSize*fixtureSize, g, sums, wantG, wantS)
		})
	}
}

// checkGram compares G entry by entry relative to sqrt(G_ii·G_jj) (the
// scale of entry ij: |G_ij| ≤ it by Cauchy-Schwarz) and the sums relative
// to sqrt(G_ii·pixels), both to 1e-12, and checks G is exactly symmetric.
func checkGram(t *testing.T, n, pixels int, g, sums, wantG, wantS []float64) {
	t.Helper()
	worst := 0.0
	for i := range n {
		for j := range n {
			if g[i*n+j] != g[j*n+i] {
				t.Fatalf("G not symmetric at %d,%d", i, j)
			}
			scale := math.Sqrt(wantG[i*n+i] * wantG[j*n+j])
			worst = max(worst, math.Abs(g[i*n+j]-wantG[i*n+j])/scale)
		}
	}
	worstS := 0.0
	for i := range n {
		worstS = max(worstS, math.Abs(sums[i]-wantS[i])/math.Sqrt(wantG[i*n+i]*float64(pixels)))
	}
	t.Logf("max relative error: G %.3g, sums %.3g", worst, worstS)
	if worst > 1e-12 || worstS > 1e-12 {
		t.Fatalf("relative error G %.3g, sums %.3g > 1e-12", worst, worstS)
	}
}

// TestGramCancelled: a cancelled context stops Gram with its error.
func TestGramCancelled(t *testing.T) {
	b := fixtureBasis(t, Sinusoid)
	params, err := DrawParams(1, 10, b.NParams())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := b.Gram(ctx, params, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestGramSameBitsAnyProcs: G and s do not depend on the number of
// goroutines (each entry is accumulated by one goroutine, in tile order).
func TestGramSameBitsAnyProcs(t *testing.T) {
	b := fixtureBasis(t, Gabor)
	params, err := DrawParams(5, 70, b.NParams())
	if err != nil {
		t.Fatal(err)
	}
	gram := func(procs int) (g, sums []float64) {
		t.Helper()
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g, sums, err := b.Gram(context.Background(), params, 70)
		if err != nil {
			t.Fatal(err)
		}
		return g, sums
	}
	g1, s1 := gram(1)
	g4, s4 := gram(4)
	if !slices.Equal(g1, g4) || !slices.Equal(s1, s4) {
		t.Fatal("Gram differs between GOMAXPROCS 1 and 4")
	}
}
