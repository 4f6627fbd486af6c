package results

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

// The reference case made by R's rcicr (testdata/rcicr/README.md): 60 pairs
// of 64×64, three participants. Psyx, from the PNGs alone, must give rcicr's
// CIs up to 8-bit rounding and its matched infoVals up to Monte Carlo error.
const rcicrDir = "testdata/rcicr"

func TestRcicrFixture(t *testing.T) {
	stim, err := filepath.Glob(filepath.Join(rcicrDir, "stim", "*_ori.png"))
	if err != nil || len(stim) == 0 {
		t.Fatalf("no stimuli in %s: %v", rcicrDir, err)
	}
	pairs := make([]PairFiles, len(stim)) // Glob sorts: file 00001 is pair 0
	for i, ori := range stim {
		pairs[i] = PairFiles{Ori: ori, Inv: strings.TrimSuffix(ori, "_ori.png") + "_inv.png"}
	}
	s := computeOpen(t, pairs, testSeed)
	replies := readRcicrResponses(t, len(pairs))
	infovals := readCSV(t, filepath.Join(rcicrDir, "infoval.csv"), true)

	// 8-bit rounding of ori and inv moves c by at most 0.6·(0.5 + 0.5)/255.
	const maxDiff = 0.6 / 255
	check := func(t *testing.T, got CI, wantFile string) {
		t.Helper()
		want := flatten(readCSV(t, filepath.Join(rcicrDir, wantFile), false))
		if len(want) != len(got.Pix) {
			t.Fatalf("%s has %d values, CI %d", wantFile, len(want), len(got.Pix))
		}
		if r := testkit.Correlation(got.Pix, want); r < 0.999 {
			t.Errorf("correlation with rcicr %.6f, want ≥ 0.999", r)
		}
		if d := maxAbsDiff(got.Pix, want); d > maxDiff {
			t.Errorf("max |Δ| per pixel %.3g, want ≤ %.3g", d, maxDiff)
		}
	}
	for p, ts := range replies {
		t.Run(fmt.Sprintf("participant %d", p+1), func(t *testing.T) {
			check(t, replyCI(t, s, ts), fmt.Sprintf("ci_p%02d.csv", p+1))
			row := infovals[p]
			if n, _ := strconv.Atoi(row[1]); n != answeredCount(ts) {
				t.Errorf("answered %d, rcicr says %d", answeredCount(ts), n)
			}
			want := parseFloat(t, row[3]) // infoval_matched
			if got := infoVal(t, s, ts); got < want-0.25 || got > want+0.25 {
				t.Errorf("infoVal %.4f, rcicr's matched %.4f (±0.25)", got, want)
			} else {
				t.Logf("infoVal %.4f, rcicr's matched %.4f", got, want)
			}
		})
	}
	t.Run("group", func(t *testing.T) {
		ci, err := s.GroupCI(context.Background(), replies)
		if err != nil {
			t.Fatal(err)
		}
		if ci.Replies != len(replies) {
			t.Errorf("Replies %d, want %d", ci.Replies, len(replies))
		}
		check(t, ci, "ci_group.csv")
	})
}

// readRcicrResponses reads responses.csv (participant, 1-based pair, 1/-1 or
// empty for a timeout) into one trial list per participant.
func readRcicrResponses(t *testing.T, npairs int) [][]trials.Trial {
	t.Helper()
	var out [][]trials.Trial
	for _, row := range readCSV(t, filepath.Join(rcicrDir, "responses.csv"), true) {
		p, err1 := strconv.Atoi(row[0])
		pair, err2 := strconv.Atoi(row[1])
		if err1 != nil || err2 != nil || p < 1 || pair < 1 || pair > npairs {
			t.Fatalf("bad responses.csv row %q", row)
		}
		for len(out) < p {
			out = append(out, nil)
		}
		var r int
		if row[2] != "" {
			var err error
			if r, err = strconv.Atoi(row[2]); err != nil || (r != 1 && r != -1) {
				t.Fatalf("bad response in %q", row)
			}
		}
		out[p-1] = append(out[p-1], trialOf(pair-1, int8(r), false, 1))
	}
	return out
}

func answeredCount(ts []trials.Trial) int {
	n := 0
	for _, tr := range ts {
		if tr.Response() != 0 {
			n++
		}
	}
	return n
}

// readCSV reads a CSV file, dropping the header row if asked.
func readCSV(t *testing.T, path string, header bool) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if header {
		rows = rows[1:]
	}
	return rows
}

func flatten(rows [][]string) []float64 {
	var out []float64
	for _, row := range rows {
		for _, v := range row {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				panic(err)
			}
			out = append(out, f)
		}
	}
	return out
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}
