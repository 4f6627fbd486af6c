package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The same person signing up again on another computer (another token,
// their phone typed another way) with their resume code continues their
// run: same order, same answers, and finishes it with one reply.
func TestResumeOnAnotherComputer(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 8})
	id := e.createPack(t, "female20s", 2, 20, 29)
	first := person()
	first["token"] = "first-computer-token"
	s := e.start(t, first)
	all := answersFor(s.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:5], nil)), 200, `{"answered":5}`)

	second := person()
	second["token"] = "second-computer-token"
	second["phone"] = "01012345678"
	second["resume"] = s.Resume
	again := e.start(t, second)
	if again.Token != s.Token || again.Answered != 5 || fmt.Sprint(again.PicPairs) != fmt.Sprint(s.PicPairs) {
		t.Fatalf("resume gave %+v, want token %s, 5 answered, the same order", again, s.Token)
	}
	var saved []any
	json.Unmarshal(again.Answers, &saved)
	if len(saved) != 5 {
		t.Fatalf("resume returned %d saved answers", len(saved))
	}
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, all, again.Token)), 200, "Reply Submitted.")
	if n := e.countReplies(t); n != 1 {
		t.Fatalf("%d replies", n)
	}
	if runs := e.unfinished(t, id); len(runs) != 0 {
		t.Fatalf("unfinished after the submit: %+v", runs)
	}
}

// When the token names a run, the server judges the submit by the run.
func TestSubmitAgainstRun(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 4})
	id := e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	all := answersFor(s.PicPairs)
	flipped := append([]any(nil), all...)
	a := append([]any(nil), all[2].([]any)...)
	a[2], a[3] = a[3], a[2]
	flipped[2] = a
	reordered := []any{all[1], all[0], all[2], all[3]}
	tests := []struct {
		name string
		body map[string]any
		want string
	}{
		{"sides not as served", submitBody(person(), id, flipped, s.Token),
			"Invalid Input. Failed To Submit Your Reply: answer 3: not the pair shown at trial 3, or not on the sides it was shown"},
		{"order not as served", submitBody(person(), id, reordered, s.Token),
			"Invalid Input. Failed To Submit Your Reply: answer 1: not the pair shown at trial 1, or not on the sides it was shown"},
		{"another person", submitBody(testkit.Person(5, 2, 25), id, all, s.Token), "Token Already Used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, e.postJSON(t, "/api/reply/submit", tc.body), 400, tc.want)
			if n := e.countReplies(t); n != 0 {
				t.Fatalf("%d replies stored", n)
			}
		})
	}
	// Sixteen copies of the right submit at once: one reply, sixteen 200s.
	body, _ := json.Marshal(submitBody(person(), id, all, s.Token))
	e.submitAtOnce(t, 16, body)
	if n := e.countReplies(t); n != 1 {
		t.Fatalf("%d replies for one run", n)
	}
}

// Person B submitting with person A's token is refused, and A's reply is
// untouched; with or without a run behind the token.
func TestTokenReuse(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	a, b := testkit.Person(1, 2, 25), testkit.Person(2, 2, 25)
	sa := e.start(t, a)
	all := answersFor(sa.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(a, id, all, sa.Token)), 200, "Reply Submitted.")
	before := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id)).Body
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(b, id, all, sa.Token)), 400, "Token Already Used")
	other := append([]any{[]any{"F", 1.5, all[0].([]any)[2], all[0].([]any)[3]}}, all[1:]...)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(a, id, other, sa.Token)), 400, "Token Already Used")
	if after := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id)).Body; after != before {
		t.Fatalf("a refused reuse changed the download")
	}
}

// rt values that once gave a 500 or bloated every download are refused;
// nothing is stored and the download stays as it was.
func TestRTLimits(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 2})
	id := e.createPack(t, "female20s", 2, 20, 29)
	other := e.start(t, testkit.Person(9, 2, 25))
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(testkit.Person(9, 2, 25), id, answersFor(other.PicPairs), other.Token)), 200, "Reply Submitted.")
	s := e.start(t, person())
	before := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id)).Body
	good, err := json.Marshal(submitBody(person(), id, answersFor(s.PicPairs), s.Token))
	if err != nil {
		t.Fatal(err)
	}
	first := fmt.Sprint(answersFor(s.PicPairs)[0].([]any)[1]) // the first rt, as json.Marshal wrote it
	tests := []struct{ name, rt, want string }{
		{"huge exponent of zero", "0e99999999999", "rt is not a plain number of at most 20 characters"},
		{"underflow", "1e-16384", "rt is not a plain number of at most 20 characters"},
		{"denormal that PostgreSQL kept", "1e-16383", "rt is not a plain number of at most 20 characters"},
		{"17,000 zeros", "0." + strings.Repeat("0", 17000), "rt is not a plain number of at most 20 characters"},
		{"21 characters", "0.1234567890123456789", "rt is not a plain number of at most 20 characters"},
		{"over a minute", "60.001", "rt is not a number of seconds in [0, 60]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(string(good), ","+first+",", ","+tc.rt+",", 1)
			if body == string(good) {
				t.Fatal("the rt was not replaced")
			}
			wantStatus(t, e.postJSON(t, "/api/reply/submit", body), 400, "Invalid Input. Failed To Submit Your Reply: answer 1: "+tc.want)
		})
	}
	if after := e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id)).Body; after != before || e.countReplies(t) != 1 {
		t.Fatalf("refused rt values changed the download (%d -> %d bytes)", len(before), len(after))
	}
	// 20 characters and sub-millisecond digits are fine: stored rounded.
	body := strings.Replace(string(good), ","+first+",", ",0.12345678901234567,", 1)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", body), 200, "Reply Submitted.")
	var rt string
	e.Store.DB().Get(&rt, `SELECT answers->0->>1 FROM reply ORDER BY r_id DESC LIMIT 1`)
	if rt != "0.123" {
		t.Fatalf("rt stored as %s, want 0.123", rt)
	}
}

// With include=unfinished the CSV has the runs' trials too, and every row
// says its state, start and window.
func TestDownloadUnfinishedCSV(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	done, left := testkit.Person(1, 2, 25), testkit.Person(2, 2, 25)
	left["client"] = map[string]any{"window_w": 1280, "window_h": 720}
	sd := e.start(t, done)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(done, id, answersFor(sd.PicPairs), sd.Token)), 200, "Reply Submitted.")
	sl := e.start(t, left)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(sl.Token, answersFor(sl.PicPairs)[:2], nil)), 200, `{"answered":2}`)

	read := func(query string) []map[string]string {
		r := e.get(t, fmt.Sprintf("/api/admin/download?id=%d&format=csv%s", id, query))
		wantStatus(t, r, 200, "")
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, row := range rows[1:] {
			m := map[string]string{}
			for i, h := range rows[0] {
				m[h] = row[i]
			}
			out = append(out, m)
		}
		return out
	}
	if rows := read(""); len(rows) != 3 {
		t.Fatalf("without include: %d rows, want the reply's 3", len(rows))
	}
	rows := read("&include=unfinished")
	if len(rows) != 5 {
		t.Fatalf("with include: %d rows, want 3 + 2", len(rows))
	}
	if rows[0]["state"] != "finished" || rows[0]["r_id"] == "" || !dateRE.MatchString(rows[0]["started"]) {
		t.Errorf("reply row %v", rows[0])
	}
	for i, r := range rows[3:] {
		if r["state"] != "running" || r["r_id"] != "" || r["client_window"] != "1280x720" || r["trial"] != fmt.Sprint(i+1) {
			t.Errorf("run row %v", r)
		}
	}
}
