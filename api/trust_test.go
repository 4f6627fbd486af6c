package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// Identity alone never resumes, changes or reveals someone's run: a start
// with a classmate's student number and e-mail makes a new run, and both
// runs stay each their own.
func TestIdentityAloneNeverResumes(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 4})
	id := e.createPack(t, "female20s", 2, 20, 29)
	victim := person()
	v := e.start(t, victim)
	all := answersFor(v.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(v.Token, all[:3], nil)), 200, `{"answered":3}`)

	attacker := with("name", "김철수", "phone", "010-9999-9999")
	a := e.start(t, attacker)
	if a.Token == v.Token || a.Answered != 0 || string(a.Answers) != "[]" {
		t.Fatalf("a start by identity alone got the victim's run: %+v", a)
	}
	for _, r := range e.unfinished(t, id) {
		if r.Token == v.Token && (r.Name != "홍길동" || r.Phone != "010-1234-5678") {
			t.Fatalf("the victim's run was changed: %+v", r)
		}
	}
	// The attacker's submit in the victim's name is their own run's; the
	// victim still submits theirs, and both are flagged as a repeat.
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(attacker, id, answersFor(a.PicPairs), a.Token)), 200, "Reply Submitted.")
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(victim, id, all, v.Token)), 200, "Reply Submitted.")
	q := e.quality(t, id).Replies
	if len(q) != 2 || !hasFlag(q[0].Flags, "repeat") || !hasFlag(q[1].Flags, "repeat") {
		t.Fatalf("quality %+v, want both flagged repeat", q)
	}
}

// Someone who starts first under a classmate's identity and answers
// everything cannot hand those answers to the classmate's later start.
func TestNoResumeOfAPlantedRun(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 4})
	id := e.createPack(t, "female20s", 2, 20, 29)
	planted := e.start(t, person())
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(planted.Token, answersFor(planted.PicPairs), nil)), 200, `{"answered":4}`)
	real := e.start(t, person())
	if real.Token == planted.Token || real.Answered != 0 {
		t.Fatalf("the real person's start resumed the planted run: %+v", real)
	}
	if n := len(e.unfinished(t, id)); n != 2 {
		t.Fatalf("%d unfinished runs, want 2", n)
	}
}

// A token that is someone else's gets one answer whatever that run's pack:
// nothing about the other person leaks.
func TestForeignTokenAnswersAlike(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 2})
	e.createPack(t, "female20s", 2, 20, 29)
	e.createPack(t, "male30s", 1, 30, 39)
	same := e.start(t, testkit.Person(1, 2, 25))
	other := e.start(t, testkit.Person(2, 1, 35))
	// Whether the caller's own sex and age fit a pack or not, and whatever
	// pack the token's run is in, the answer is the same.
	for _, me := range []map[string]any{testkit.Person(3, 2, 25), testkit.Person(4, 1, 70)} {
		for _, victim := range []startReply{same, other} {
			me["token"] = victim.Token
			wantStatus(t, e.postJSON(t, "/api/reply/start", me), 400, "Token Already Used")
		}
	}
}

// The participant's own token resumes their run, keeping who it started
// with; the token of their finished run answers the completion.
func TestOwnTokenResumesAndFinishes(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	who := person()
	s := e.start(t, who)
	all := answersFor(s.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:2], nil)), 200, `{"answered":2}`)
	again := with("phone", "010-5555-5555", "token", s.Token)
	r := e.start(t, again)
	if r.Token != s.Token || r.Answered != 2 || r.Resume != s.Resume {
		t.Fatalf("resume with the token: %+v", r)
	}
	if runs := e.unfinished(t, id); len(runs) != 1 || runs[0].Phone != "010-1234-5678" {
		t.Fatalf("the resumed run changed its identity: %+v", runs)
	}
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, id, all, s.Token)), 200, "Reply Submitted.")
	res := e.postJSON(t, "/api/reply/start", again)
	var fin struct {
		Finished   bool   `json:"finished"`
		Completion string `json:"completion"`
	}
	if err := json.Unmarshal([]byte(res.Body), &fin); err != nil || res.Status != 200 || !fin.Finished || fin.Completion != e.completionCode(t, s.Token) {
		t.Fatalf("start with a finished run's token: %d %s", res.Status, res.Body)
	}
	// A progress save from a page that did not know answers that it is over.
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:3], nil)), 200, `{"answered":3,"finished":true}`)
}

// The resume code continues a run on another computer; a wrong code or
// another person's is refused.
func TestResumeCode(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	if len(s.Resume) != 9 || s.Resume[4] != '-' {
		t.Fatalf("resume code %q", s.Resume)
	}
	all := answersFor(s.PicPairs)
	wantStatus(t, e.postJSON(t, "/api/reply/progress", progressBody(s.Token, all[:1], nil)), 200, `{"answered":1}`)
	r := e.start(t, with("resume", strings.ToLower(strings.ReplaceAll(s.Resume, "-", ""))))
	if r.Token != s.Token || r.Answered != 1 {
		t.Fatalf("resume by code: %+v", r)
	}
	other := testkit.Person(9, 2, 25)
	other["resume"] = s.Resume
	wantStatus(t, e.postJSON(t, "/api/reply/start", other), 400, "Unknown Resume Code")
	wantStatus(t, e.postJSON(t, "/api/reply/start", with("resume", "ZZZZ-ZZZZ")), 400, "Unknown Resume Code")
	wantStatus(t, e.postJSON(t, "/api/reply/start", with("resume", "not a code")), 400, "Unknown Resume Code")
}

// A completion code cannot be made offline from the token, only finished
// runs have one, and the researcher looks a code up.
func TestCompletionCodes(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	id := e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	wantStatus(t, e.get(t, "/api/reply/completion?token="+s.Token), 400, "Run Not Finished")
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	code := e.completionCode(t, s.Token)
	sum := sha256.Sum256([]byte(s.Token))
	if offline := base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding).EncodeToString(sum[:5]); strings.ReplaceAll(code, "-", "") == offline {
		t.Fatalf("the code %s is the unkeyed hash of the token", code)
	}
	var found struct {
		RID      int64    `json:"r_id"`
		PID      int      `json:"p_id"`
		PackName string   `json:"pack_name"`
		Name     string   `json:"name"`
		No       string   `json:"no"`
		Finished string   `json:"finished"`
		Flags    []string `json:"flags"`
	}
	r := e.get(t, "/api/admin/completion?code="+code)
	if err := json.Unmarshal([]byte(r.Body), &found); err != nil || r.Status != 200 || found.PID != id ||
		found.PackName != "female20s" || found.No != "2020123" || found.RID == 0 || found.Finished == "" || found.Flags == nil {
		t.Fatalf("lookup: %d %s", r.Status, r.Body)
	}
	wantStatus(t, e.get(t, "/api/admin/completion?code=0000-0000"), 400, "Unknown Completion Code")
	wantStatus(t, e.get(t, "/api/admin/completion?code=<script>"), 400, "Unknown Completion Code")
}

// A bot that starts and submits 300 made-up answers in a moment gets its
// code, and the researcher sees the run was impossibly fast.
func TestImpossibleTime(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	e := newEnv(t, envOptions{pairs: 10, clock: clock})
	id := e.createPack(t, "female20s", 2, 20, 29)
	bot := e.start(t, testkit.Person(1, 2, 25))
	clock.Advance(100 * time.Millisecond)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(testkit.Person(1, 2, 25), id, answersFor(bot.PicPairs), bot.Token)), 200, "Reply Submitted.")
	human := e.start(t, testkit.Person(2, 2, 25))
	clock.Advance(2 * time.Minute)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(testkit.Person(2, 2, 25), id, answersFor(human.PicPairs), human.Token)), 200, "Reply Submitted.")
	q := e.quality(t, id).Replies
	if !hasFlag(q[0].Flags, "impossible-time") || hasFlag(q[1].Flags, "impossible-time") {
		t.Fatalf("flags %v and %v", q[0].Flags, q[1].Flags)
	}
}

// Only a run the server started can be submitted: a submit without a
// token, or with one it never made, stores nothing.
func TestSubmitNeedsARun(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 2})
	id := e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, answersFor(s.PicPairs), "")), 400, "Unknown Run")
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), id, answersFor(s.PicPairs), "never-started-1")), 400, "Unknown Run")
	if n := e.countReplies(t); n != 0 {
		t.Fatalf("%d replies stored", n)
	}
}

// Ids beyond the database's range are the client's mistake, not ours.
func TestIDsOutOfRange(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 1})
	id := e.createPack(t, "female20s", 2, 20, 29)
	for _, path := range []string{"/api/admin/download?id=2147483648", "/api/admin/ci?id=2147483648", "/api/admin/quality?id=99999999999999999999",
		"/api/admin/remove?id=2147483648"} {
		wantStatus(t, e.get(t, path), 400, "")
	}
	wantStatus(t, e.get(t, fmt.Sprintf("/api/admin/ci?id=%d&r_id=9223372036854775808", id)), 400, "Unknown Reply 9223372036854775808")
}

// Text cells that a spreadsheet would run as a formula are written as text.
func TestCSVFormulaCells(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 2, names: `^.{2,}$`})
	id := e.createPack(t, "female20s", 2, 20, 29)
	who := with("name", "=HYPERLINK(\"x\")")
	s := e.start(t, who)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	for _, path := range []string{"/api/admin/download?format=csv&id=", "/api/admin/quality?format=csv&id="} {
		r := e.get(t, fmt.Sprintf("%s%d", path, id))
		if strings.Contains(r.Body, ",=HYPERLINK") || !strings.Contains(r.Body, `'=HYPERLINK`) {
			t.Fatalf("%s: %s", path, r.Body)
		}
	}
	csv := e.get(t, fmt.Sprintf("/api/admin/download?format=csv&id=%d", id)).Body
	header := strings.SplitN(csv, "\n", 2)[0]
	if !strings.HasSuffix(header, ",completion") || !strings.Contains(csv, e.completionCode(t, s.Token)) || !strings.Contains(csv, ",-1,") {
		t.Fatalf("csv without its completion column, or a number escaped:\n%s", csv)
	}
}

// A save whose page went away (the tab closed) is logged as the client's
// doing, status 499 at info: not an error, not a 500.
func TestClientGoneIsNotAnError(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 2})
	e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	body, err := json.Marshal(progressBody(s.Token, answersFor(s.PicPairs)[:1], nil))
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel() // what the server does to a request whose connection closed
	req := httptest.NewRequestWithContext(gone, http.MethodPost, "/api/reply/progress", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	e.Handler.ServeHTTP(httptest.NewRecorder(), req)
	lines := e.Logs.FilterField(zap.String("path", "/api/reply/progress")).All()
	if len(lines) != 1 || lines[0].Level != zap.InfoLevel || lines[0].ContextMap()["status"] != int64(499) {
		t.Fatalf("logged %+v", lines)
	}
}

func (e *env) completionCode(t *testing.T, token string) string {
	t.Helper()
	r := e.get(t, "/api/reply/completion?token="+token)
	var done struct{ Code string }
	if err := json.Unmarshal([]byte(r.Body), &done); err != nil || r.Status != http.StatusOK {
		t.Fatalf("completion: %d %s", r.Status, r.Body)
	}
	return done.Code
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}
