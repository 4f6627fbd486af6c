package results

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

// testSeed is the random responders' seed of every test pack.
const testSeed = 20260302

// writePack generates an rcicr-style pack into a temp folder.
func writePack(t *testing.T, o testkit.RCOptions) (*testkit.RCPack, []PairFiles) {
	t.Helper()
	pack, err := testkit.WriteRCPack(t.TempDir(), o)
	if err != nil {
		t.Fatalf("generate pack: %v", err)
	}
	return pack, pairFiles(pack)
}

// openPack is writePack, then its statistics computed with testSeed and
// opened.
func openPack(t *testing.T, o testkit.RCOptions) (*testkit.RCPack, *Stats) {
	t.Helper()
	pack, pairs := writePack(t, o)
	return pack, computeOpen(t, pairs, testSeed)
}

func pairFiles(pack *testkit.RCPack) []PairFiles {
	pairs := make([]PairFiles, len(pack.Pairs))
	for i, p := range pack.Pairs {
		pairs[i] = PairFiles{Ori: p.Ori, Inv: p.Inv}
	}
	return pairs
}

// computeOpen computes a pack's stats file into a temp folder and opens it;
// the test closes it at cleanup.
func computeOpen(t *testing.T, pairs []PairFiles, seed uint64) *Stats {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pack.stats")
	if err := Compute(context.Background(), pairs, seed, path, ComputeOptions{}); err != nil {
		t.Fatalf("Compute: %v", err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// trialsOf turns responses per pair (0 = timeout) into trials in pair order.
func trialsOf(resp []int8) []trials.Trial {
	ts := make([]trials.Trial, len(resp))
	for i, r := range resp {
		ts[i] = trialOf(i, r, i%2 == 0, 0.8)
	}
	return ts
}

// trialOf is a trial of pair (0-based) with rcicr's response r (+1 ori
// chosen, −1 inv, 0 timeout), the left key pressed when left (the chosen
// file then shown on the left), and rt seconds.
func trialOf(pair int, r int8, left bool, rt float64) trials.Trial {
	ori := model.FileRef{Pair: pair, Side: model.Ori}
	inv := model.FileRef{Pair: pair, Side: model.Inv}
	t := trials.Trial{Key: trials.KeyTimeout, RTms: int64(math.Round(rt * 1000)), Left: ori, Right: inv}
	switch {
	case r == 0:
	case left:
		t.Key = trials.KeyLeft
		if r < 0 {
			t.Left, t.Right = inv, ori
		}
	default:
		t.Key = trials.KeyRight
		if r > 0 {
			t.Left, t.Right = inv, ori
		}
	}
	return t
}

// replyCI is ReplyCI that fails the test on an error.
func replyCI(t *testing.T, s *Stats, ts []trials.Trial) CI {
	t.Helper()
	ci, err := s.ReplyCI(context.Background(), ts)
	if err != nil {
		t.Fatalf("ReplyCI: %v", err)
	}
	return ci
}

func infoVal(t *testing.T, s *Stats, ts []trials.Trial) float64 {
	t.Helper()
	v, err := s.InfoVal(ts)
	if err != nil {
		t.Fatalf("InfoVal: %v", err)
	}
	return v
}

// maxAbsDiff is the largest |a_i − b_i|.
func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// directCI is (1/n) Σ response_i·noise_i from the true (unrounded) noise.
func directCI(noise [][]float64, resp []int8) []float64 {
	out := make([]float64, len(noise[0]))
	n := 0
	for i, r := range resp {
		if r == 0 {
			continue
		}
		n++
		for p, v := range noise[i] {
			out[p] += float64(r) * v
		}
	}
	for p := range out {
		out[p] /= float64(n)
	}
	return out
}
