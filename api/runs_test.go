package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// listed is one pack of the list.
type listed struct {
	Count     int     `json:"count"`
	Running   int     `json:"running"`
	Abandoned int     `json:"abandoned"`
	Last      *string `json:"last"`
}

func (e *env) list(t *testing.T) []listed {
	t.Helper()
	r := e.get(t, "/api/admin/list")
	wantStatus(t, r, 200, "")
	var out []listed
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// unfinishedRun is a run as the download shows it.
type unfinishedRun struct {
	RID      *int64          `json:"r_id"`
	Name     string          `json:"name"`
	Phone    string          `json:"phone"`
	Token    string          `json:"token"`
	State    string          `json:"state"`
	Started  string          `json:"started"`
	LastSeen string          `json:"last_seen"`
	Answers  json.RawMessage `json:"answers"`
	Client   map[string]any  `json:"client"`
	Events   map[string]any  `json:"events"`
}

func (e *env) unfinished(t *testing.T, id int) []unfinishedRun {
	t.Helper()
	r := e.get(t, fmt.Sprintf("/api/admin/download?id=%d&include=unfinished", id))
	wantStatus(t, r, 200, "")
	var pack struct {
		Unfinished []unfinishedRun `json:"unfinished"`
	}
	if err := json.Unmarshal([]byte(r.Body), &pack); err != nil {
		t.Fatalf("%v\n%s", err, r.Body)
	}
	return pack.Unfinished
}

func progressBody(token string, answers []any, events map[string]any) map[string]any {
	b := map[string]any{"token": token, "answers": answers}
	if events != nil {
		b["events"] = events
	}
	return b
}

// A run goes started → running → abandoned → running → finished, and the
// list and the download say so at each step.
func TestRunLife(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	e := newEnv(t, envOptions{pairs: 10, clock: clock,
		runs: runs.Rules{ResumeWithin: 2 * time.Hour, AbandonAfter: 30 * time.Minute, CompletionURL: "https://lab.example/credit?code={code}&id={no}"}})
	id := e.createPack(t, "female20s", 2, 20, 29)
	who := person()
	who["client"] = map[string]any{"screen_w": 1920, "screen_h": 1080, "window_w": 1366, "window_h": 768, "dpr": 1.5,
		"refresh_hz": 59.94, "touch": 0, "lang": "ko-KR", "tz": "Asia/Seoul", "user_agent": "Mozilla/5.0", "extra": "ignored"}
	s := e.start(t, who)
	if s.Token == "" || s.Answered != 0 || string(s.Answers) != "[]" {
		t.Fatalf("start: %+v", s)
	}
	check := func(step string, running, abandoned, count int, state string) {
		t.Helper()
		l := e.list(t)[0]
		if l.Running != running || l.Abandoned != abandoned || l.Count != count {
			t.Fatalf("%s: list %+v, want running %d abandoned %d count %d", step, l, running, abandoned, count)
		}
		runs := e.unfinished(t, id)
		if state == "" {
			if len(runs) != 0 {
				t.Fatalf("%s: unfinished %+v", step, runs)
			}
			return
		}
		if len(runs) != 1 || runs[0].State != state || runs[0].Token != s.Token || runs[0].RID != nil {
			t.Fatalf("%s: unfinished %+v, want one %s", step, runs, state)
		}
		if runs[0].Client["window_w"] != float64(1366) || runs[0].Client["extra"] != nil || runs[0].Events == nil {
			t.Fatalf("%s: client %v events %v", step, runs[0].Client, runs[0].Events)
		}
	}
	check("started", 1, 0, 0, "started")

	all := answersFor(s.PicPairs)
	r := e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:3], map[string]any{"blur": 1, "hidden_ms": 200, "resized": 0}))
	wantStatus(t, r, 200, `{"answered":3}`)
	check("running", 1, 0, 0, "running")

	clock.Advance(30 * time.Minute)
	check("abandoned", 0, 1, 0, "abandoned")

	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:7], nil)), 200, `{"answered":7}`)
	check("back", 1, 0, 0, "running")

	wantStatus(t, e.get(t, "/api/reply/completion?token="+s.Token), 400, "Run Not Finished")
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, all, s.Token)), 200, "Reply Submitted.")
	check("finished", 0, 0, 1, "")

	r = e.get(t, "/api/reply/completion?token="+s.Token)
	var done struct{ Code, URL string }
	if err := json.Unmarshal([]byte(r.Body), &done); err != nil || r.Status != 200 {
		t.Fatalf("completion: %d %s", r.Status, r.Body)
	}
	if done.Code != runs.CompletionCode(testSecret, s.Token) || len(done.Code) != 9 || done.Code[4] != '-' {
		t.Fatalf("code %q", done.Code)
	}
	if want := "https://lab.example/credit?code=" + url.QueryEscape(done.Code) + "&id=" + who["no"].(string); done.URL != want {
		t.Fatalf("completion url %q, want %q", done.URL, want)
	}
	var pack struct {
		Replies []struct {
			Completion string         `json:"completion"`
			Events     map[string]any `json:"events"`
			Client     map[string]any `json:"client"`
			State      string         `json:"state"`
			Started    string         `json:"started"`
		} `json:"replies"`
	}
	json.Unmarshal([]byte(e.get(t, fmt.Sprintf("/api/admin/download?id=%d", id)).Body), &pack)
	if len(pack.Replies) != 1 || pack.Replies[0].Completion != done.Code || pack.Replies[0].Events["blur"] != float64(1) ||
		pack.Replies[0].Client["dpr"] != 1.5 || pack.Replies[0].State != "finished" || pack.Replies[0].Started != "2026-03-02 23:00:00" {
		t.Fatalf("downloaded reply %+v", pack.Replies)
	}
	wantStatus(t, e.get(t, "/api/reply/completion?token=nosuchtoken"), 400, "Unknown Run")
	// The first release's way, a submit without a start, is gone: it let
	// anyone store replies under anyone's name.
	other := testkit.Person(7, 2, 25)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(other, id, all, "")), 400, "Unknown Run")
}

func TestProgressRejects(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 6})
	id := e.createPack(t, "female20s", 2, 20, 29)
	e.createPack(t, "male20s", 1, 20, 29)
	s := e.start(t, person())
	male := e.start(t, testkit.Person(1, 1, 25))
	all := answersFor(s.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:4], nil)), 200, `{"answered":4}`)
	flip := func(a any) any {
		x := append([]any(nil), a.([]any)...)
		x[2], x[3] = x[3], x[2]
		return x
	}
	tests := []struct {
		name string
		body any
		want string
	}{
		{"not json", "{", "Invalid Input: body is not valid JSON"},
		{"unknown token", progressBody("no-such-token", all[:1], nil), "Unknown Run"},
		{"token missing", map[string]any{"answers": all[:1]}, "Unknown Run"},
		{"answers missing", map[string]any{"token": s.Token}, "Invalid Input: answers missing"},
		{"another pack's pairs", progressBody(s.Token, answersFor(male.PicPairs)[:1], nil), "Invalid Input: answer 1: the two files are not a pair of this pack"},
		{"reordered", progressBody(s.Token, []any{all[1], all[0]}, nil), "Invalid Input: answer 1: not the pair shown at trial 1, or not on the sides it was shown"},
		{"sides swapped", progressBody(s.Token, []any{all[0], flip(all[1])}, nil), "Invalid Input: answer 2: not the pair shown at trial 2, or not on the sides it was shown"},
		{"more than served", progressBody(s.Token, append(append([]any(nil), all...), all[0]), nil), "Invalid Input: answers has more entries than the pack's 6 pairs"},
		{"contradicts a saved answer", progressBody(s.Token, append([]any{[]any{"J", 0.5, s.PicPairs[0][0], s.PicPairs[0][1]}}, all[1:5]...), nil), "Progress Conflict"},
		{"events not counts", progressBody(s.Token, all[:5], map[string]any{"blur": "2"}), "Invalid Input: events.blur is not a count"},
		{"negative events", progressBody(s.Token, all[:5], map[string]any{"hidden_ms": -1}), "Invalid Input: events.hidden_ms is not a count"},
		{"rt with an exponent", progressBody(s.Token, []any{[]any{all[0].([]any)[0], json.Number("5e-1"), s.PicPairs[0][0], s.PicPairs[0][1]}}, nil), "Invalid Input: answer 1: rt is not a plain number of at most 20 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, e.postJSON(t, "/api/reply/progress", tc.body), 400, tc.want)
		})
	}
	runs := e.unfinished(t, id)
	var saved []any
	json.Unmarshal(runs[0].Answers, &saved)
	if len(saved) != 4 {
		t.Fatalf("refused saves changed the run: %d answers", len(saved))
	}
	// A shorter list after a longer one is a late retry: 200, nothing changes.
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:2], nil)), 200, `{"answered":4}`)
}
