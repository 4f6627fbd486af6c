package results

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/trials"
)

// rcicrStimuli is the stimuli package's copy of rcicr's generated case.
const rcicrStimuli = "../stimuli/testdata/rcicr"

// fixtureGenerated is rcicr's own parameters and base (sinusoid or gabor,
// 4 trials of 128×128) as a generated pack's stats, opened.
func fixtureGenerated(t *testing.T, noise string) (*Stats, *Generated) {
	t.Helper()
	nt, err := stimuli.ParseNoiseType(noise)
	if err != nil {
		t.Fatal(err)
	}
	basis, err := stimuli.NewBasis(128, 5, nt, 25)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(rcicrStimuli, noise, "params.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	params, n, _, err := stimuli.ReadParamsCSV(f, 10, 5000)
	if err != nil {
		t.Fatal(err)
	}
	g := &Generated{Basis: basis, Params: params, Trials: n}
	base := matrixCSV(t, filepath.Join(rcicrStimuli, noise, "base.csv"))
	path := filepath.Join(t.TempDir(), "pack.stats")
	if err := ComputeGenerated(context.Background(), g, base, testSeed, path); err != nil {
		t.Fatal(err)
	}
	s, err := OpenGenerated(path, g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, g
}

// matrixCSV reads one of rcicr's matrices written a row a line.
func matrixCSV(t *testing.T, path string) []float64 {
	t.Helper()
	var out []float64
	for _, row := range readCSV(t, path, false) {
		for _, cell := range row {
			v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			out = append(out, v)
		}
	}
	return out
}

// A generated pack's CI is rcicr's generateCI2IFC on the same parameters:
// the mean of response × rcicr's own noise of each trial (noise_0000t.csv),
// in float64, to 1e-12 — not to 8-bit rounding.
func TestGeneratedCIIsRcicrs(t *testing.T) {
	for _, noise := range []string{"sinusoid", "gabor"} {
		t.Run(noise, func(t *testing.T) {
			s, _ := fixtureGenerated(t, noise)
			n1 := matrixCSV(t, filepath.Join(rcicrStimuli, noise, "noise_00001.csv"))
			n2 := matrixCSV(t, filepath.Join(rcicrStimuli, noise, "noise_00002.csv"))
			ts := []trials.Trial{trialOf(0, 1, true, 1), trialOf(1, -1, false, 1), trialOf(2, 0, false, 3)}
			ci, err := s.ReplyCI(context.Background(), ts)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(n1))
			for p := range want {
				want[p] = (n1[p] - n2[p]) / 2
			}
			if d := maxAbsDiff(ci.Pix, want); d > 1e-12 {
				t.Fatalf("CI differs from rcicr's by %g", d)
			}
			// The Gram matrix and sums the reliability statistics use are the
			// same noise's.
			g, sums := s.Gram(), s.PixelSums()
			var g01, s1 float64
			for p := range n1 {
				g01 += n1[p] * n2[p]
				s1 += n1[p]
			}
			if math.Abs(g[1]-g01) > 1e-9*math.Abs(g01) || math.Abs(sums[0]-s1) > 1e-9*(1+math.Abs(s1)) {
				t.Fatalf("G01 %g, want %g; s0 %g, want %g", g[1], g01, sums[0], s1)
			}
			if b := s.Base(); maxAbsDiff(b, matrixCSV(t, filepath.Join(rcicrStimuli, noise, "base.csv"))) != 0 {
				t.Fatal("the base is not kept as used")
			}
		})
	}
}

// A generated pack's stats open only with its parameters, and an image
// pack's only without.
func TestGeneratedStatsOpenWithTheirParameters(t *testing.T) {
	s, g := fixtureGenerated(t, "sinusoid")
	path := s.f.Name()
	if _, err := Open(path); err == nil {
		t.Fatal("a generated pack's stats opened without parameters")
	}
	short := *g
	short.Trials, short.Params = 3, g.Params[:3*g.Basis.NParams()]
	if _, err := OpenGenerated(path, &short); err == nil {
		t.Fatal("opened with other parameters")
	}
}
