package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// The keys of a downloaded reply and of an unfinished run, in the order the
// download writes them (README, Admin: download).
var (
	replyKeys = []string{"r_id", "p_id", "name", "email", "no", "sex", "age", "phone", "date", "token", "completion",
		"state", "started", "resumes", "answers", "client", "clients", "events"}
	runKeys = []string{"r_id", "p_id", "name", "email", "no", "sex", "age", "phone", "date", "token", "completion",
		"state", "started", "last_seen", "answered", "resumes", "answers", "client", "clients", "events"}
)

// The JSON download is the README's shape, field for field: a reply of a
// run, a reply from before runs (its run's fields null), and with
// include=unfinished the runs in each state, keys in a stable order, null
// where the README says null and absent where it is absent.
func TestDownloadJSONShape(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)) // 23:00 in Seoul
	e := newEnv(t, envOptions{clock: clock})
	id := e.createPack(t, "female20s", 2, 20, 29)
	if _, err := e.Store.DB().Exec(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, created_at)
VALUES ($1, '김철수', 'old@example.com', '2019001', 2, 22, '010-0000-0000', '[["F", 0.5, "a", "b"]]', $2)`, id, clock.Now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	client := map[string]any{"screen_w": 1920, "window_w": 1366, "window_h": 768, "dpr": 1.5, "lang": "ko-KR", "extra": "dropped"}
	a := person()
	a["token"], a["client"] = "page-token-a1", client
	sa := e.start(t, a)
	all := answersFor(sa.PicPairs)
	events := map[string]any{"blur": 1, "hidden_ms": 200, "resized": 0}
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(sa.Token, all[:2], events)), 200, `{"answered":2}`)
	clock.Advance(time.Minute)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, all, sa.Token)), 200, "Reply Submitted.")
	sb := e.start(t, testkit.Person(2, 2, 21)) // abandoned: not seen for 31 minutes
	clock.Advance(31 * time.Minute)
	c, d := testkit.Person(3, 2, 22), testkit.Person(4, 2, 23)
	c["token"], d["token"] = "page-token-c3", "page-token-d4"
	sc, sd := e.start(t, c), e.start(t, d)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(sc.Token, answersFor(sc.PicPairs)[:1], nil)), 200, `{"answered":1}`)

	r := e.get(t, fmt.Sprintf("/api/admin/download?id=%d&include=unfinished", id))
	wantStatus(t, r, 200, "")
	if !json.Valid([]byte(r.Body)) || r.Body[len(r.Body)-1] != '\n' {
		t.Fatalf("not one JSON value and a newline:\n%s", r.Body)
	}
	var body struct {
		Replies    []json.RawMessage `json:"replies"`
		Unfinished []json.RawMessage `json:"unfinished"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if got := objectKeys(t, []byte(r.Body)); !slices.Equal(got, []string{"p_id", "pack_name", "sex", "age_min", "age_max",
		"size", "count", "date", "running", "abandoned", "last", "replies", "unfinished"}) {
		t.Errorf("pack keys %v", got)
	}
	var rids []int64
	if err := e.Store.DB().Select(&rids, `SELECT r_id FROM reply ORDER BY r_id`); err != nil || len(rids) != 2 {
		t.Fatalf("r_ids %v %v", rids, err)
	}
	clientStored := map[string]any{"screen_w": 1920, "window_w": 1366, "window_h": 768, "dpr": 1.5, "lang": "ko-KR"}
	who := func(p map[string]any) []any {
		return []any{p["name"], p["email"], p["no"], p["sex"], p["age"], p["phone"]}
	}
	wantReplies := []map[string]any{
		keyed(replyKeys, rids[0], id, "김철수", "old@example.com", "2019001", 2, 22, "010-0000-0000", "2026-03-01 23:00:00",
			nil, nil, "finished", nil, 0, []any{[]any{"F", 0.5, "a", "b"}}, map[string]any{}, []any{}, map[string]any{}),
		keyed(replyKeys, append(append([]any{rids[1], id}, who(person())...), "2026-03-02 23:01:00",
			sa.Token, runs.CompletionCode(testSecret, sa.Token), "finished", "2026-03-02 23:00:00", 0, all,
			clientStored, []any{clientStored}, events)...),
	}
	run := func(p map[string]any, s startReply, state, started string, answered int, answers []any) map[string]any {
		return keyed(runKeys, append(append([]any{nil, id}, who(p)...), nil, s.Token, nil, state, started, started,
			answered, 0, answers, map[string]any{}, []any{}, map[string]any{})...)
	}
	wantRuns := []map[string]any{
		run(testkit.Person(2, 2, 21), sb, "abandoned", "2026-03-02 23:01:00", 0, []any{}),
		run(c, sc, "running", "2026-03-02 23:32:00", 1, answersFor(sc.PicPairs)[:1]),
		run(d, sd, "started", "2026-03-02 23:32:00", 0, []any{}),
	}
	check := func(what string, got []json.RawMessage, want []map[string]any, keys []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d objects, want %d", what, len(got), len(want))
		}
		for i, raw := range got {
			if k := objectKeys(t, raw); !slices.Equal(k, keys) {
				t.Errorf("%s %d: keys %v, want %v", what, i, k, keys)
			}
			if g, w := normal(t, raw), normal(t, want[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("%s %d:\n got %v\nwant %v", what, i, g, w)
			}
		}
	}
	check("reply", body.Replies, wantReplies, replyKeys)
	check("run", body.Unfinished, wantRuns, runKeys)

	// Without include=unfinished the same replies, and no "unfinished" key.
	plain := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id))
	var only map[string]json.RawMessage
	if err := json.Unmarshal([]byte(plain.Body), &only); err != nil {
		t.Fatal(err)
	}
	if _, ok := only["unfinished"]; ok {
		t.Error(`"unfinished" without include=unfinished`)
	}
	var replies []json.RawMessage
	json.Unmarshal(only["replies"], &replies)
	check("plain reply", replies, wantReplies, replyKeys)
}

// keyed pairs keys with values, as a decoded object.
func keyed(keys []string, values ...any) map[string]any {
	if len(keys) != len(values) {
		panic(fmt.Sprintf("%d keys, %d values", len(keys), len(values)))
	}
	m := map[string]any{}
	for i, k := range keys {
		m[k] = values[i]
	}
	return m
}

// normal is v as encoding/json decodes it, so that a decoded body and a
// Go literal compare equal when they are the same JSON.
func normal(t *testing.T, v any) any {
	t.Helper()
	b, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out
}

// objectKeys are the keys of a JSON object, in the order written.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
