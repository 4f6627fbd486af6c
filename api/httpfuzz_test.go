package api_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/packs"
)

// TestHTTPFuzz throws random and mutated requests at every endpoint of a
// real service (real PostgreSQL, real folders) and holds it to its promises:
// no 5xx, no panic, and nothing invalid stored. PSYX_HTTPFUZZ_N sets the
// requests per endpoint (CI: 600; scripts/fuzz-http.sh: 10,000),
// PSYX_HTTPFUZZ_SEED the seed.
func TestHTTPFuzz(t *testing.T) {
	n := envInt(t, "PSYX_HTTPFUZZ_N", 600)
	seed := uint64(envInt(t, "PSYX_HTTPFUZZ_SEED", 1))
	e := newEnv(t, envOptions{})
	e.createPack(t, "female20s", 2, 20, 29)
	e.createPack(t, "male20s", 1, 20, 29)
	s := e.start(t, person())
	g := &gen{r: rand.New(rand.NewPCG(seed, 7)), pairs: s.PicPairs, packID: s.PackID, token: s.Token}

	endpoints := []struct {
		name string
		next func() *http.Request
	}{
		{"start", func() *http.Request { return g.jsonRequest(e.URL+"/api/reply/start", g.startBody()) }},
		{"progress", func() *http.Request { return g.jsonRequest(e.URL+"/api/reply/progress", g.progressBody()) }},
		{"submit", func() *http.Request { return g.jsonRequest(e.URL+"/api/reply/submit", g.submitBody()) }},
		{"completion", func() *http.Request { return g.queryRequest(e.URL+"/api/reply/completion", "token") }},
		{"ci", func() *http.Request { return g.queryRequest(e.URL+"/api/admin/ci", "ci") }},
		{"quality", func() *http.Request { return g.queryRequest(e.URL+"/api/admin/quality", "quality") }},
		{"create", func() *http.Request { return g.createRequest(e.URL + "/api/admin/create") }},
		{"generate", func() *http.Request { return g.generateRequest(e.URL + "/api/admin/generate") }},
		{"stimuli", func() *http.Request { return g.queryRequest(e.URL+"/api/admin/stimuli", "stimuli") }},
		{"remove", func() *http.Request { return g.queryRequest(e.URL+"/api/admin/remove", "remove") }},
		{"download", func() *http.Request { return g.queryRequest(e.URL+"/api/admin/download", "download") }},
	}
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			statuses := map[int]int{}
			for i := 0; i < n; i++ {
				req := ep.next()
				r := e.do(t, req)
				statuses[r.Status]++
				switch r.Status {
				case 200, 400, 403, 404, 405:
				default:
					t.Fatalf("request %d got %d %q; errors logged: %v", i, r.Status, r.Body, e.errorsLogged())
				}
				if r.Status == 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
					t.Fatalf("400 with content type %q", r.Header.Get("Content-Type"))
				}
			}
			t.Logf("%d requests: %v", n, statuses)
		})
	}
	checkStoredIsValid(t, e)
}

func envInt(t *testing.T, key string, def int) int {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q", key, v)
	}
	return n
}

// checkStoredIsValid: every pack row has exactly its folder and files, no
// folder lacks a row, staging is empty, and every stored reply passes the
// submit checks again (re-sent without a token it is accepted).
func checkStoredIsValid(t *testing.T, e *env) {
	t.Helper()
	var rows []struct {
		Name  string `db:"pack_name"`
		Pairs []byte `db:"pairs"`
	}
	if err := e.Store.DB().Select(&rows, `SELECT pack_name, pairs FROM pack`); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows {
		names = append(names, row.Name)
		if !packs.ValidPackName(row.Name) {
			t.Errorf("stored pack name %q", row.Name)
		}
		var pairs [][2]string
		json.Unmarshal(row.Pairs, &pairs)
		var want []string
		for _, p := range pairs {
			want = append(want, p[0], p[1])
		}
		sort.Strings(want)
		got := withoutStimuli(t, e, row.Name, e.dirEntries(t, filepath.Join("packs", row.Name)))
		sort.Strings(got)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("pack %s: folder %v, row %v", row.Name, got, want)
		}
		for _, f := range got {
			if fn, ok := packs.ParseFileName(f); !ok || fn.Base != f {
				t.Errorf("pack %s holds %q", row.Name, f)
			}
		}
	}
	sort.Strings(names)
	if got := e.dirEntries(t, "packs"); strings.Join(got, "|") != strings.Join(names, "|") {
		t.Errorf("folders %v, rows %v", got, names)
	}
	if got := e.dirEntries(t, ".staging"); len(got) != 0 {
		t.Errorf("staging holds %v", got)
	}
	var replies []struct {
		PackID  int    `db:"p_id"`
		Name    string `db:"name"`
		Email   string `db:"email"`
		No      string `db:"no"`
		Sex     int    `db:"sex"`
		Age     int    `db:"age"`
		Phone   string `db:"phone"`
		Answers []byte `db:"answers"`
	}
	if err := e.Store.DB().Select(&replies, `SELECT p_id, name, email, no, sex, age, phone, answers FROM reply`); err != nil {
		t.Fatal(err)
	}
	for _, r := range replies {
		body := map[string]any{"name": r.Name, "email": r.Email, "no": r.No, "sex": r.Sex, "age": r.Age,
			"phone": r.Phone, "p_id": r.PackID, "answers": json.RawMessage(r.Answers)}
		if res := e.postJSON(t, "/api/reply/submit", body); res.Status != 200 {
			t.Errorf("stored reply fails the checks now: %s (%s)", res.Body, r.Answers)
		}
	}
	// Every run's saved answers are a prefix of what it served, counted right.
	var runs []struct {
		Token    string `db:"token"`
		Answered int    `db:"answered"`
		Length   int    `db:"length"`
		Finished bool   `db:"finished"`
	}
	if err := e.Store.DB().Select(&runs, `SELECT token, answered, jsonb_array_length(answers) AS length,
		finished_at IS NOT NULL AS finished FROM run`); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if !r.Finished && r.Answered != r.Length || r.Finished && r.Length != 0 {
			t.Errorf("run %s: answered %d, %d answers saved, finished %v", r.Token, r.Answered, r.Length, r.Finished)
		}
	}
	t.Logf("stored: %d packs, %d replies, %d runs", len(rows), len(replies), len(runs))
}
