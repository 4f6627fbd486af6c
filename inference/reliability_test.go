package inference

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// closeTo fails the test unless got and want agree within tol (absolute
// for values up to 1, relative above), or are both NaN.
func closeTo(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) && math.IsNaN(want) {
		return
	}
	if !(math.Abs(got-want) <= tol*max(1, math.Abs(want))) {
		t.Errorf("%s = %.15g, want %.15g (tolerance %g)", what, got, want, tol)
	}
}

// reliabilityCase is a simulated study for the reliability statistics.
type reliabilityCase struct {
	name       string
	w, h, n, k int
	internal   float64 // observers' internal noise: larger is less reliable
	form       form    // how split sums are answered
}

var reliabilityCases = []reliabilityCase{
	{name: "24 pairs 32x32, 16 observers, k×k form", w: 32, h: 32, n: 24, k: 16, internal: 1, form: formH},
	{name: "24 pairs 32x32, 16 observers, pair-space form", w: 32, h: 32, n: 24, k: 16, internal: 1, form: formN},
	{name: "odd k: 11 observers, automatic form", w: 32, h: 32, n: 24, k: 11, internal: 2, form: formAuto},
	{name: "k much larger than n: 40 observers on 12 pairs", w: 16, h: 16, n: 12, k: 40, internal: 1, form: formAuto},
	{name: "noisy observers, 20 of them", w: 24, h: 20, n: 24, k: 20, internal: 5, form: formAuto},
	{name: "three observers", w: 16, h: 16, n: 24, k: 3, internal: 1, form: formAuto},
}

// simulate builds the case's design, weights and explicit CIs.
func (c reliabilityCase) simulate(t *testing.T, seed uint64) (*study, [][]float64, [][]float64) {
	t.Helper()
	s := newStudy(t, c.w, c.h, c.n, seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	tmpl := blob(c.w, c.h, float64(c.w)/2, float64(c.h)/3, float64(c.w)/6)
	w := s.observers(t, rng, c.k, tmpl, c.internal)
	return s, w, s.cis(w)
}

func TestSplitHalfMatchesExplicitCIs(t *testing.T) {
	for i, c := range reliabilityCases {
		t.Run(c.name, func(t *testing.T) {
			seed := uint64(100 + i)
			s, w, cis := c.simulate(t, seed)
			mo, err := newMoments(s.d, w, c.form)
			if err != nil {
				t.Fatal(err)
			}
			if c.form == formAuto && c.k > 3*c.n && mo.hc != nil {
				t.Errorf("k = %d ≫ n = %d used the k×k form", c.k, c.n)
			}
			got, err := mo.SplitHalf(200, seed)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveSplitHalf(cis, 200, seed)
			if got.Splits != want.Splits || got.Splits != 200 {
				t.Errorf("splits = %d, naive %d, asked 200", got.Splits, want.Splits)
			}
			closeTo(t, "median", got.Median, want.Median, 1e-9)
			closeTo(t, "p2_5", got.P2_5, want.P2_5, 1e-9)
			closeTo(t, "p97_5", got.P97_5, want.P97_5, 1e-9)
			if !(got.P2_5 <= got.Median && got.Median <= got.P97_5) {
				t.Errorf("percentiles out of order: %+v", got)
			}
			again, err := mo.SplitHalf(200, seed)
			if err != nil || again != got {
				t.Errorf("same seed again: %+v, %v; first %+v", again, err, got)
			}
			auto, err := SplitHalf(s.d, w, 200, seed) // whichever form, the same figures
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "median (automatic form)", auto.Median, got.Median, 1e-12)
		})
	}
}

func TestSplitHalfDefaultsAndSeeds(t *testing.T) {
	s, w, _ := reliabilityCases[0].simulate(t, 7)
	def, err := SplitHalf(s.d, w, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if def.Splits != DefaultSplits {
		t.Errorf("splits 0 drew %d splits, want %d", def.Splits, DefaultSplits)
	}
	other, err := SplitHalf(s.d, w, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if other == def {
		t.Errorf("seeds 1 and 2 gave the same result %+v", def)
	}
}

func TestICCMatchesANOVA(t *testing.T) {
	for i, c := range reliabilityCases {
		t.Run(c.name, func(t *testing.T) {
			s, w, cis := c.simulate(t, uint64(200+i))
			got31, got3k, err := ICC(s.d, w)
			if err != nil {
				t.Fatal(err)
			}
			want31, want3k := naiveICC(cis)
			closeTo(t, "ICC(3,1)", got31, want31, 1e-9)
			closeTo(t, "ICC(3,k)", got3k, want3k, 1e-9)
		})
	}
}

func TestLeaveOneOutMatchesExplicitCIs(t *testing.T) {
	for i, c := range reliabilityCases {
		t.Run(c.name, func(t *testing.T) {
			s, w, cis := c.simulate(t, uint64(300+i))
			// An outlier: the last observer answers against the template.
			for j := range w[len(w)-1] {
				w[len(w)-1][j] = -w[len(w)-1][j]
			}
			cis[len(cis)-1] = s.cis(w[len(w)-1:])[0]
			mo, err := newMoments(s.d, w, c.form)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mo.LeaveOneOut(DefaultInfluenceThreshold)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveLOO(cis, DefaultInfluenceThreshold)
			for j := range want {
				closeTo(t, "r", got[j].R, want[j].R, 1e-9)
				closeTo(t, "z", got[j].Z, want[j].Z, 1e-7) // z divides by the MAD
				if got[j].Reply != j || got[j].Influential != want[j].Influential {
					t.Errorf("reply %d: %+v, naive %+v", j, got[j], want[j])
				}
			}
			byDefault, err := LeaveOneOut(s.d, w)
			if err != nil {
				t.Fatal(err)
			}
			for j := range byDefault {
				if byDefault[j].Influential != got[j].Influential {
					t.Errorf("LeaveOneOut's default threshold flags reply %d differently", j)
				}
			}
		})
	}
}

func TestLeaveOneOutThreshold(t *testing.T) {
	s, w, _ := reliabilityCases[0].simulate(t, 9)
	mo, err := NewMoments(s.d, w)
	if err != nil {
		t.Fatal(err)
	}
	loo, err := mo.LeaveOneOut(math.Inf(1)) // every defined z is below +Inf
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range loo {
		if !in.Influential {
			t.Errorf("reply %d (z %v) not flagged below +Inf", in.Reply, in.Z)
		}
	}
}

// TestLeaveOneOutZeroMAD: when more than half the replies have the same r
// the MAD is 0 and z is undefined (R would give ±Inf, which JSON cannot
// hold): every z is NaN and no reply is flagged.
func TestLeaveOneOutZeroMAD(t *testing.T) {
	s, w, _ := reliabilityCases[0].simulate(t, 13)
	w = [][]float64{w[0], w[0], w[0], w[1], w[2]}
	loo, err := LeaveOneOut(s.d, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range loo {
		if math.IsNaN(in.R) || !math.IsNaN(in.Z) || in.Influential {
			t.Errorf("%+v: want a defined r, z NaN, not influential", in)
		}
	}
}

func TestQuantileType7MatchesRDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, 3, 10, 1000} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = rng.NormFloat64()
		}
		sorted := append([]float64(nil), xs...)
		slicesSort(sorted)
		for _, q := range []float64{0, 0.025, 0.5, 0.975, 1} {
			closeTo(t, "quantile", quantile7(sorted, q), rQuantile7(xs, q), 1e-15)
		}
	}
	if !math.IsNaN(quantile7(nil, 0.5)) {
		t.Error("quantile of nothing is not NaN")
	}
}

// TestUndefinedCorrelations: CIs constant over pixels (flat noise, all
// zero or not) make every correlation undefined: NaN in Go, null in JSON.
func TestUndefinedCorrelations(t *testing.T) {
	for _, level := range []float64{0, 0.37} {
		noise := make([][]float64, 5)
		for i := range noise {
			noise[i] = make([]float64, 64)
			for p := range noise[i] {
				noise[i][p] = level * float64(i+1)
			}
		}
		s := newStudyFrom(t, 8, 8, noise)
		w := s.observers(t, rand.New(rand.NewPCG(1, 1)), 6, nil, 1)
		mo, err := NewMoments(s.d, w)
		if err != nil {
			t.Fatal(err)
		}
		sh, err := mo.SplitHalf(50, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sh.Splits != 0 || !math.IsNaN(sh.Median) || !math.IsNaN(sh.P2_5) || !math.IsNaN(sh.P97_5) {
			t.Errorf("flat noise %v: split-half %+v, want no split and NaN", level, sh)
		}
		js, err := json.Marshal(sh)
		if err != nil || string(js) != `{"median":null,"p2_5":null,"p97_5":null,"splits":0}` {
			t.Errorf("JSON %s, %v", js, err)
		}
		if a, b := mo.ICC(); !math.IsNaN(a) || !math.IsNaN(b) {
			t.Errorf("flat noise %v: ICC %v %v, want NaN", level, a, b)
		}
		loo, err := mo.LeaveOneOut(DefaultInfluenceThreshold)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range loo {
			if !math.IsNaN(in.R) || !math.IsNaN(in.Z) || in.Influential {
				t.Errorf("flat noise %v: %+v, want NaN and not influential", level, in)
			}
		}
		var back SplitHalfResult
		if err := json.Unmarshal(js, &back); err != nil || !math.IsNaN(back.Median) || back.Splits != 0 {
			t.Errorf("JSON %s read back as %+v, %v", js, back, err)
		}
		js, err = json.Marshal(loo[0])
		if err != nil || !strings.Contains(string(js), `"r":null,"z":null`) {
			t.Errorf("JSON %s, %v", js, err)
		}
		var in Influence
		if err := json.Unmarshal(js, &in); err != nil || !math.IsNaN(in.R) || !math.IsNaN(in.Z) || in.Reply != 0 {
			t.Errorf("JSON %s read back as %+v, %v", js, in, err)
		}
	}
}

func TestResultsJSON(t *testing.T) {
	s, w, _ := reliabilityCases[0].simulate(t, 11)
	sh, err := SplitHalf(s.d, w, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(sh)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]float64
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	var again SplitHalfResult
	if err := json.Unmarshal(js, &again); err != nil || again != sh {
		t.Errorf("JSON %s read back as %+v, %v", js, again, err)
	}
	want := map[string]float64{"median": sh.Median, "p2_5": sh.P2_5, "p97_5": sh.P97_5, "splits": float64(sh.Splits)}
	for key, v := range want {
		if back[key] != v {
			t.Errorf("JSON %s = %v, want %v (%s)", key, back[key], v, js)
		}
	}
}
