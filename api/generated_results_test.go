package api_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// A generated pack answered by simulated observers through the API: each
// reply's CI and the group CI equal the same computation done
// independently from the exported parameters (each trial's noise drawn from
// its row of the CSV, summed with the responses) to 1e-12, not to 8-bit
// rounding; and its results are the same kind of figures as an upload's.
func TestGeneratedPackResults(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	e := newEnv(t, envOptions{pairs: 40, clock: clock})
	face := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	f := fields{"pack_name": "gen", "sex": "2", "age_min": "20", "age_max": "29", "trials": "40", "img_size": "64", "seed": "5"}
	wantStatus(t, e.generate(t, "", f, "face.png", face), 200, "Pack 1 Added.")

	// The parameters as a researcher downloads them.
	rows := readFixtureCSV(t, e.get(t, "/api/admin/stimuli?id=1&format=csv").Body, true)
	basis, err := stimuli.NewBasis(64, 5, stimuli.Sinusoid, 25)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([][]float64, len(rows))
	for i, row := range rows {
		params := floats(t, [][]string{row[1:]})
		noise[i] = make([]float64, 64*64)
		if err := basis.Noise(params, noise[i]); err != nil {
			t.Fatal(err)
		}
	}
	// Observers answer pair numbers; a trial's response follows its pair.
	var replies [][]int8
	for i := range 4 {
		resp := testkit.RandomObserver(40, uint64(20+i))
		if i < 2 {
			resp = testkit.TemplateObserver(noise, testkit.Template(64), 0.5, uint64(30+i))
		}
		replies = append(replies, resp)
		who := testkit.Person(40+i, 2, 25)
		st := e.start(t, who)
		byPair := map[int]int8{}
		for k, r := range resp {
			byPair[k] = r
		}
		clock.Advance(5 * time.Minute)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, 1, answerAs(t, st.PicPairs, byPair), st.Token)), 200, "Reply Submitted.")
	}
	var group []float64
	for i, resp := range replies {
		want := make([]float64, 64*64)
		for p, r := range resp {
			for px, v := range noise[p] {
				want[px] += float64(r) * v / float64(len(resp))
			}
		}
		got := floats(t, readFixtureCSV(t, e.get(t, "/api/admin/ci?id=1&format=csv&r_id="+strconv.Itoa(i+1)).Body, false))
		if d := maxDiff(got, want); d > 1e-12 {
			t.Fatalf("reply %d's CI differs from the parameters' by %g", i+1, d)
		}
		if group == nil {
			group = make([]float64, len(want))
		}
		for px, v := range want {
			group[px] += v / float64(len(replies))
		}
	}
	got := floats(t, readFixtureCSV(t, e.get(t, "/api/admin/ci?id=1&format=csv").Body, false))
	if d := maxDiff(got, group); d > 1e-12 {
		t.Fatalf("the group CI differs from the parameters' by %g", d)
	}
	q := e.quality(t, 1)
	if len(q.Replies) != 4 || *q.Replies[0].InfoVal < 1.96 || *q.Replies[3].InfoVal > 1.96 {
		t.Fatalf("quality of a generated pack: %+v", q.Replies)
	}
	for _, path := range []string{"/api/admin/reliability?id=1", "/api/admin/compare?id=1&a_r=1,2&b_r=3,4"} {
		if r := e.get(t, path); r.Status != 200 || !strings.Contains(r.Body, "{") {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
}
