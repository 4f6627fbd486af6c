package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	pngcodec "image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// rcicrDir is the reference case R's rcicr made (its README says how).
const rcicrDir = "../results/testdata/rcicr"

// readFixtureCSV reads a fixture CSV as numbers, without its header if asked.
func readFixtureCSV(t *testing.T, body string, header bool) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if header {
		rows = rows[1:]
	}
	return rows
}

func floats(t *testing.T, rows [][]string) []float64 {
	t.Helper()
	var out []float64
	for _, row := range rows {
		for _, v := range row {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("not a number: %q", v)
			}
			out = append(out, f)
		}
	}
	return out
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameCI checks a CI against rcicr's: correlation ≥ 0.999 and at most
// 0.6/255 apart per pixel (the 8-bit rounding of the stimuli).
func sameCI(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, rcicr %d", len(got), len(want))
	}
	if r := testkit.Correlation(got, want); r < 0.999 {
		t.Errorf("correlation with rcicr %.6f, want ≥ 0.999", r)
	}
	worst := 0.0
	for i := range got {
		worst = math.Max(worst, math.Abs(got[i]-want[i]))
	}
	if worst > 0.6/255 {
		t.Errorf("max |Δ| %.3g, want ≤ %.3g", worst, 0.6/255)
	}
}

var filePairRE = regexp.MustCompile(`_(\d{5})_(ori|inv)\.`)

// answerAs answers the served pairs as responses (1 ori, -1 inv, 0 timeout,
// by 0-based pair) say, pressing the key on the chosen image's side.
func answerAs(t *testing.T, served [][2]string, responses map[int]int8) []any {
	t.Helper()
	out := make([]any, len(served))
	for i, p := range served {
		m := filePairRE.FindStringSubmatch(p[0])
		n, _ := strconv.Atoi(m[1])
		out[i] = []any{testkit.KeyFor(responses[n-1], m[2] == "ori"), 1.0, p[0], p[1]}
	}
	return out
}

type qualityTable struct {
	PackID  int `json:"p_id"`
	Pairs   int `json:"pairs"`
	Columns []struct {
		Name string `json:"name"`
	} `json:"columns"`
	Replies []struct {
		RID      int64    `json:"r_id"`
		No       string   `json:"no"`
		Answered int      `json:"answered"`
		Timeouts int      `json:"timeouts"`
		InfoVal  *float64 `json:"infoval"`
		Flags    []string `json:"flags"`
	} `json:"replies"`
	RTHistogram struct {
		BinMS  int   `json:"bin_ms"`
		Counts []int `json:"counts"`
	} `json:"rt_histogram"`
}

func (e *env) quality(t *testing.T, id int) qualityTable {
	t.Helper()
	r := e.get(t, fmt.Sprintf("/api/admin/quality?id=%d", id))
	wantStatus(t, r, 200, "")
	var q qualityTable
	if err := json.Unmarshal([]byte(r.Body), &q); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return q
}

// The rcicr fixture through the whole service: its stimuli uploaded as a
// pack, its three participants answering through start and submit; the CIs
// and infoVals the API gives agree with rcicr's.
func TestResultsMatchRcicr(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 60})
	stim, err := filepath.Glob(filepath.Join(rcicrDir, "stim", "*.png"))
	if err != nil || len(stim) != 120 {
		t.Fatalf("fixture stimuli: %d files, %v", len(stim), err)
	}
	var files []file
	for _, path := range stim {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, file{Name: filepath.Base(path), Data: b})
	}
	wantStatus(t, e.upload(t, form{"rcicr", "2", "20", "29"}, files), 200, "Pack 1 Added.")

	responses := map[int]map[int]int8{}
	for _, row := range readFixtureCSV(t, fileText(t, filepath.Join(rcicrDir, "responses.csv")), true) {
		p, _ := strconv.Atoi(row[0])
		pair, _ := strconv.Atoi(row[1])
		r, _ := strconv.Atoi(row[2]) // empty: a timeout, 0
		if responses[p] == nil {
			responses[p] = map[int]int8{}
		}
		responses[p][pair-1] = int8(r)
	}
	for p := 1; p <= 3; p++ {
		who := testkit.Person(p, 2, 25)
		s := e.start(t, who)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, 1, answerAs(t, s.PicPairs, responses[p]), s.Token)), 200, "Reply Submitted.")
	}

	r := e.get(t, "/api/admin/ci?id=1&format=csv")
	wantStatus(t, r, 200, "")
	if r.Header.Get("X-Psyx-Replies") != "3" || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("headers %v", r.Header)
	}
	group := floats(t, readFixtureCSV(t, r.Body, false))
	sameCI(t, group, floats(t, readFixtureCSV(t, fileText(t, filepath.Join(rcicrDir, "ci_group.csv")), false)))

	q := e.quality(t, 1)
	infovals := readFixtureCSV(t, fileText(t, filepath.Join(rcicrDir, "infoval.csv")), true)
	if len(q.Replies) != 3 || q.Pairs != 60 {
		t.Fatalf("quality %+v", q)
	}
	for p, row := range q.Replies {
		t.Run(fmt.Sprintf("participant %d", p+1), func(t *testing.T) {
			r := e.get(t, fmt.Sprintf("/api/admin/ci?id=1&r_id=%d&format=csv", row.RID))
			wantStatus(t, r, 200, "")
			sameCI(t, floats(t, readFixtureCSV(t, r.Body, false)),
				floats(t, readFixtureCSV(t, fileText(t, filepath.Join(rcicrDir, fmt.Sprintf("ci_p%02d.csv", p+1))), false)))
			answered, _ := strconv.Atoi(infovals[p][1])
			want, _ := strconv.ParseFloat(infovals[p][3], 64) // infoval_matched
			if row.Answered != answered || row.InfoVal == nil || math.Abs(*row.InfoVal-want) > 0.25 {
				t.Errorf("answered %d infoVal %v; rcicr: %d answered, matched infoVal %.3f (±0.25)", row.Answered, row.InfoVal, answered, want)
			}
		})
	}

	// The PNG: the stimuli's size, and the constant it was scaled with.
	maxAbs := 0.0
	for _, v := range group {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	for _, tc := range []struct {
		query string
		want  float64
	}{{"", maxAbs}, {"&scaling=constant&constant=0.05", 0.05}} {
		r := e.get(t, "/api/admin/ci?id=1"+tc.query)
		wantStatus(t, r, 200, "")
		img, err := pngcodec.Decode(strings.NewReader(r.Body))
		if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 64 || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("png%s: %v %v %v", tc.query, err, img, r.Header)
		}
		c, _ := strconv.ParseFloat(r.Header.Get("X-Psyx-Scaling-Constant"), 64)
		if math.Abs(c-tc.want) > 1e-12*tc.want {
			t.Errorf("scaling constant%s %v, want %v", tc.query, c, tc.want)
		}
	}
	// Every participant's PNG in one zip, and a manifest of what went in.
	names, m := e.ciZip(t, "/api/admin/ci?id=1&format=zip")
	if len(names) != 3 {
		t.Fatalf("zip holds %v", names)
	}
	for i, name := range names {
		if want := fmt.Sprintf("rcicr-r%d.png", q.Replies[i].RID); name != want {
			t.Errorf("zip entry %q, want %q", name, want)
		}
	}
	if m.Pack != "rcicr" || len(m.Replies) != 3 || m.Scaling != "independent" || m.Version == "" || len(m.Constants) != 3 ||
		m.Excluded == nil || len(m.Excluded) != 0 || len(m.Unanswered) != 0 {
		t.Fatalf("manifest %+v", m)
	}
}

// A simulated observer with a known template answers a 300-pair pack
// through the API: its CI shows the template and its infoVal is high; a
// random responder's CI shows nothing and its infoVal is near 0.
func TestSimulatedObservers(t *testing.T) {
	dir := t.TempDir()
	pack, err := testkit.WriteRCPack(dir, testkit.RCOptions{Size: 48, Pairs: 300, Prefix: "sim", Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	// Each observer takes ten minutes over 300 trials, as a person would.
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	e := newEnv(t, envOptions{pairs: 300, clock: clock})
	var files []file
	for _, p := range pack.Pairs {
		for _, path := range []string{p.Ori, p.Inv} {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, file{Name: filepath.Base(path), Data: b})
		}
	}
	wantStatus(t, e.upload(t, form{"sim", "2", "20", "29"}, files), 200, "Pack 1 Added.")
	template := testkit.Template(48)
	observers := [][]int8{testkit.TemplateObserver(pack.Noise, template, 1, 5)}
	const randoms = 12
	for i := range randoms {
		observers = append(observers, testkit.RandomObserver(300, uint64(100+i)))
	}
	for i, resp := range observers {
		who := testkit.Person(i, 2, 25)
		s := e.start(t, who)
		byPair := map[int]int8{}
		for k, r := range resp {
			byPair[k] = r
		}
		clock.Advance(10 * time.Minute)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, 1, answerAs(t, s.PicPairs, byPair), s.Token)), 200, "Reply Submitted.")
	}
	q := e.quality(t, 1)
	ciOf := func(rid int64) []float64 {
		r := e.get(t, fmt.Sprintf("/api/admin/ci?id=1&r_id=%d&format=csv", rid))
		wantStatus(t, r, 200, "")
		return floats(t, readFixtureCSV(t, r.Body, false))
	}
	if r := testkit.Correlation(ciOf(q.Replies[0].RID), template); r < 0.35 {
		t.Errorf("the template observer's CI correlates %.3f with the template, want ≥ 0.35", r)
	}
	// Among random responders the one observer with a template is the
	// group CI: leaving it out changes the CI most, and it says so.
	if iv := *q.Replies[0].InfoVal; iv < 1.96 || len(q.Replies[0].Flags) != 1 || q.Replies[0].Flags[0] != "influential" {
		t.Errorf("template observer: infoVal %.2f flags %v, want above 1.96 and only influential", iv, q.Replies[0].Flags)
	}
	sum := 0.0
	for _, row := range q.Replies[1:] {
		sum += *row.InfoVal
	}
	if mean := sum / randoms; math.Abs(mean) > 1 {
		t.Errorf("random responders' mean infoVal %.2f, want near 0 (±1)", mean)
	}
	if r := testkit.Correlation(ciOf(q.Replies[1].RID), template); math.Abs(r) >= 0.35 {
		t.Errorf("a random responder's CI correlates %.3f with the template", r)
	}
}

func TestResultsRejects(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	empty := e.createPack(t, "male20s", 1, 20, 29)
	s := e.start(t, person())
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	other := e.createPack(t, "female30s", 2, 30, 39)
	s30 := e.start(t, testkit.Person(3, 2, 35))
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(testkit.Person(3, 2, 35), other, answersFor(s30.PicPairs), s30.Token)), 200, "Reply Submitted.")
	tests := []struct{ name, path, want string }{
		{"unknown pack", "/api/admin/ci?id=99", "Pack 99 Not Found"},
		{"pack not a number", "/api/admin/ci?id=x", "Pack x Not Found"},
		{"no replies", fmt.Sprintf("/api/admin/ci?id=%d", empty), fmt.Sprintf("No Replies for Pack %d", empty)},
		{"no replies, zip", fmt.Sprintf("/api/admin/ci?id=%d&format=zip", empty), fmt.Sprintf("No Replies for Pack %d", empty)},
		{"unknown reply", fmt.Sprintf("/api/admin/ci?id=%d&r_id=77", id), "Unknown Reply 77"},
		{"reply of another pack", fmt.Sprintf("/api/admin/ci?id=%d&r_id=2", id), "Unknown Reply 2"},
		{"reply not a number", fmt.Sprintf("/api/admin/ci?id=%d&r_id=last", id), "Unknown Reply last"},
		{"unknown scaling", fmt.Sprintf("/api/admin/ci?id=%d&scaling=log", id), "Unknown Scaling log: use independent or constant"},
		{"constant missing", fmt.Sprintf("/api/admin/ci?id=%d&scaling=constant", id), "Invalid Scaling Constant : give a number above 0"},
		{"constant zero", fmt.Sprintf("/api/admin/ci?id=%d&scaling=constant&constant=0", id), "Invalid Scaling Constant 0: give a number above 0"},
		{"constant negative", fmt.Sprintf("/api/admin/ci?id=%d&scaling=constant&constant=-1", id), "Invalid Scaling Constant -1: give a number above 0"},
		{"constant not a number", fmt.Sprintf("/api/admin/ci?id=%d&scaling=constant&constant=big", id), "Invalid Scaling Constant big: give a number above 0"},
		{"constant NaN", fmt.Sprintf("/api/admin/ci?id=%d&scaling=constant&constant=NaN", id), "Invalid Scaling Constant NaN: give a number above 0"},
		{"unknown format", fmt.Sprintf("/api/admin/ci?id=%d&format=gif", id), "Unknown Format gif: use png, csv or zip"},
		{"quality of no pack", "/api/admin/quality?id=99", "Pack 99 Not Found"},
		{"quality format", fmt.Sprintf("/api/admin/quality?id=%d&format=xml", id), "Unknown Format xml: use json or csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, e.get(t, tc.path), 400, tc.want) })
	}
	// An empty pack's quality table is empty, not an error.
	if q := e.quality(t, empty); len(q.Replies) != 0 || q.Pairs != 3 {
		t.Errorf("empty pack's quality %+v", q)
	}
}

// The quality table as CSV, and the repeat flag across packs.
func TestQualityCSV(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	other := e.createPack(t, "female30s", 2, 30, 39)
	twice := testkit.Person(1, 2, 25)
	s := e.start(t, twice)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(twice, id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	once := testkit.Person(2, 2, 25)
	s = e.start(t, once)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(once, id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	older := testkit.Person(1, 2, 35) // the same student number, another pack
	s = e.start(t, older)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(older, other, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")

	r := e.get(t, fmt.Sprintf("/api/admin/quality?id=%d&format=csv", id))
	wantStatus(t, r, 200, "")
	if cd := r.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="female20s-%d-quality.csv"`, id) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows := readFixtureCSV(t, r.Body, false)
	header := rows[0]
	if header[0] != "r_id" || header[len(header)-1] != "flags" || len(header) != len(e.quality(t, id).Columns)+1 || len(rows) != 3 {
		t.Fatalf("quality CSV %q", r.Body)
	}
	flags := map[string]string{}
	for _, row := range rows[1:] {
		flags[row[2]] = row[len(row)-1]
	}
	if !strings.Contains(flags[twice["no"].(string)], "repeat") || strings.Contains(flags[once["no"].(string)], "repeat") {
		t.Errorf("repeat flags %v", flags)
	}
	// answersFor times out every third trial: 1 of 3.
	if !strings.Contains(flags[once["no"].(string)], "timeouts") {
		t.Errorf("timeouts not flagged: %v", flags)
	}
}

// A pack's statistics live in one file, computed once; the group CI is
// kept per set of replies; deleting the pack deletes both.
func TestResultsLifecycle(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	submit := func(i int) {
		who := testkit.Person(i, 2, 25)
		s := e.start(t, who)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	}
	submit(1)
	first := e.get(t, fmt.Sprintf("/api/admin/ci?id=%d", id))
	wantStatus(t, first, 200, "")
	stats := filepath.Join(e.DataDir, "stats", fmt.Sprintf("%d.stats", id))
	info, err := os.Stat(stats)
	if err != nil {
		t.Fatalf("no stats file: %v", err)
	}
	again := e.get(t, fmt.Sprintf("/api/admin/ci?id=%d", id))
	if again.Body != first.Body || again.Header.Get("X-Psyx-Replies") != "1" {
		t.Fatal("a refresh drew another image")
	}
	submit(2)
	if r := e.get(t, fmt.Sprintf("/api/admin/ci?id=%d", id)); r.Header.Get("X-Psyx-Replies") != "2" {
		t.Fatalf("after a new reply: X-Psyx-Replies %q", r.Header.Get("X-Psyx-Replies"))
	}
	if later, err := os.Stat(stats); err != nil || !later.ModTime().Equal(info.ModTime()) {
		t.Fatalf("the stats file was written again: %v", err)
	}
	wantStatus(t, e.get(t, fmt.Sprintf("/api/admin/remove?id=%d", id)), 200, fmt.Sprintf("Pack %d Deleted.", id))
	if _, err := os.Stat(stats); !os.IsNotExist(err) {
		t.Fatalf("the stats file outlived its pack: %v", err)
	}
	wantStatus(t, e.get(t, fmt.Sprintf("/api/admin/ci?id=%d", id)), 400, fmt.Sprintf("Pack %d Not Found", id))
}
