package e2e

// A run finished on another computer, seen from the first one: through the
// sign-up page's offer to go on, and from a page left open mid-run. The
// first computer answers nothing more and shows the thank-you screen with
// the run's completion code, in Korean, without an error. And a run left
// too long, which neither its code nor the offer resumes.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// finishedElsewhere: 12 of 24 trials on computer A, then A goes back to the
// sign-up page; on computer B the participant types the code from A's
// screen and finishes; back on A, whose sign-up page still offers to go on,
// accepting the offer shows B's completion code: no trial, no error.
func finishedElsewhere(t *testing.T, s *Stack, id int) {
	person := formPerson{Name: "윤서연", Age: "34", Sex: "2", No: "E2024012", Phone: "010-1212-3434", Email: "yoon@example.com"}
	planA := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%2 == 0] }
	planB := func(i int) string { return map[bool]string{true: "j", false: "f"}[i%3 == 0] }

	a := newBrowserTab(t)
	signUpFast(t, a, s.BaseURL, person)
	a.waitJS(t, `document.body.dataset.state === 'instructions'`)
	code := a.text(t, "#resume-code")
	passInstructions(t, a, 24, false)
	answerTrials(t, a, 0, 12, planA, false)
	a.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '12'`)
	// A leaves for the sign-up page: the page saves its 12 answers as it goes.
	a.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")))
	waitFor(t, 20*time.Second, "12 answers on the server", func() bool {
		r := unfinishedOf(t, s, id, person.No)
		return r != nil && r.Answered == 12
	})

	b := newBrowserTab(t)
	signUpWithCode(t, b, s.BaseURL, person, code)
	b.waitState(t, "resume", 20*time.Second)
	if msg := b.text(t, "#message"); !strings.Contains(msg, "12 / 24") {
		t.Errorf("B's resume screen = %q, want 12 / 24", msg)
	}
	b.do(t, chromedp.KeyEvent(" "))
	answerTrials(t, b, 12, 24, planB, false)
	b.waitJS(t, `document.body.dataset.code !== undefined`, 30*time.Second)
	d := downloadRuns(t, s, id)
	if len(d.Replies) != 1 || len(d.Unfinished) != 0 {
		t.Fatalf("%d replies, %d unfinished runs after B; want one reply", len(d.Replies), len(d.Unfinished))
	}
	reply := d.Replies[0]

	// Back on A, later: the sign-up page still offers to go on.
	a.do(t, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("resume")))
	if msg := a.text(t, "#resume-text"); !strings.Contains(msg, "12 / 24") {
		t.Errorf("A's offer = %q, want 12 / 24", msg)
	}
	a.do(t, chromedp.Click(chromedp.ID("resume-go")))
	a.waitJS(t, fmt.Sprintf(`document.body.dataset.state === 'done' && document.body.dataset.code === %q`, reply.Completion), 20*time.Second)
	if got := b.text(t, "#completion-code"); got != reply.Completion {
		t.Errorf("B showed code %q, the reply's is %q", got, reply.Completion)
	}
	if hint := a.text(t, "#message-hint"); !strings.Contains(hint, "이미 마치셨습니다") {
		t.Errorf("A's thank-you hint = %q, want that the run was finished already", hint)
	}
	// No trial on A: not one of the pack's images was asked for.
	if n := a.js(t, `String(performance.getEntriesByType('resource').filter(e => e.name.includes('/packs/')).length)`); n != "0" {
		t.Errorf("A's experiment page loaded %s stimulus images", n)
	}
	if a.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "gone" {
		t.Error("A still keeps the finished run")
	}
	if a.shown(t, ".alert") || a.shown(t, "#resume-box") {
		t.Error("A's thank-you screen shows an error or a resume code")
	}
	koreanAt(t, a, "A after B finished", "17-finished-elsewhere")

	// The reply is B's, untouched by A.
	d = downloadRuns(t, s, id)
	if len(d.Replies) != 1 || len(d.Unfinished) != 0 {
		t.Fatalf("%d replies, %d unfinished runs after A came back; want the one reply", len(d.Replies), len(d.Unfinished))
	}
	for i, ans := range d.Replies[0].Answers {
		want := planA(i)
		if i >= 12 {
			want = planB(i)
		}
		if ans[0] != strings.ToUpper(want) {
			t.Errorf("answer %d = %v, want %q", i, ans[0], strings.ToUpper(want))
		}
	}
	a.checkClean(t)
	b.checkClean(t)
}

// finishedMidRun: A reloads at trial 10 of 12 and leaves its resume screen
// open; B continues with the code and finishes. When the participant goes
// on at A, A's next progress save (after trial 10) answers "finished", and
// A shows the thank-you screen with the reply's code; A's tenth answer is
// not in the reply.
func finishedMidRun(t *testing.T, s *Stack, id int) {
	person := formPerson{Name: "강민준", Age: "42", Sex: "1", No: "M4242", Phone: "010-4242-4242", Email: "kang@example.com"}
	planA := func(int) string { return "f" }
	planB := func(int) string { return "j" }

	a := newBrowserTab(t)
	signUpFast(t, a, s.BaseURL, person)
	a.waitJS(t, `document.body.dataset.state === 'instructions'`)
	code := a.text(t, "#resume-code")
	passInstructions(t, a, 12, false)
	answerTrials(t, a, 0, 9, planA, false)
	a.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '9'`)
	a.do(t, chromedp.Reload())
	a.waitState(t, "resume", 10*time.Second)
	if got := a.text(t, "#resume-code"); got != code || !a.shown(t, "#resume-code") {
		t.Errorf("A's resume screen shows code %q, want %q", got, code)
	}
	waitFor(t, 20*time.Second, "9 answers on the server", func() bool {
		r := unfinishedOf(t, s, id, person.No)
		return r != nil && r.Answered == 9
	})

	b := newBrowserTab(t)
	signUpWithCode(t, b, s.BaseURL, person, code)
	b.waitState(t, "resume", 20*time.Second)
	b.do(t, chromedp.KeyEvent(" "))
	answerTrials(t, b, 9, 12, planB, false)
	b.waitJS(t, `document.body.dataset.code !== undefined`, 30*time.Second)
	d := downloadRuns(t, s, id)
	if len(d.Replies) != 1 {
		t.Fatalf("%d replies after B, want 1", len(d.Replies))
	}
	reply := d.Replies[0]

	// A goes on: trial 10, then its save hears the run is finished.
	a.do(t, chromedp.KeyEvent(" "))
	answerTrials(t, a, 9, 10, planA, false)
	a.waitJS(t, fmt.Sprintf(`document.body.dataset.state === 'done' && document.body.dataset.code === %q`, reply.Completion), 20*time.Second)
	if hint := a.text(t, "#message-hint"); !strings.Contains(hint, "이미 마치셨습니다") {
		t.Errorf("A's thank-you hint = %q", hint)
	}
	koreanAt(t, a, "A mid-run after B finished", "18-finished-elsewhere-mid-run")
	d = downloadRuns(t, s, id)
	if len(d.Replies) != 1 || len(d.Unfinished) != 0 || d.Replies[0].Answers[9][0] != "J" {
		t.Errorf("after A's save: %d replies, %d unfinished, answer 10 = %v; want B's reply alone", len(d.Replies), len(d.Unfinished), d.Replies[0].Answers[9])
	}
	a.checkClean(t)
	b.checkClean(t)
}

// expiredRunStartsAnew: a run left longer than resume_within (2 s on the
// sign-up tests' stack) is resumed neither by its code on another computer
// nor by this computer's offer to go on: each gets a new run from trial 1,
// and the first instruction says why.
func expiredRunStartsAnew(t *testing.T, s *Stack, id int) {
	person := formPerson{Name: "조은비", Age: "26", Sex: "2", No: "X2026", Phone: "010-2026-2026", Email: "cho@example.com"}
	session := func(b *browserTab, expr string) string {
		return b.js(t, fmt.Sprintf(`String(JSON.parse(localStorage.getItem('psyx.session')).%s)`, expr))
	}
	a := newBrowserTab(t)
	signUp(t, a, s.BaseURL, person)
	a.waitJS(t, `document.body.dataset.state === 'instructions'`)
	code, token := a.text(t, "#resume-code"), session(a, "token")
	passInstructions(t, a, 2, false)
	answerTrials(t, a, 0, 1, func(int) string { return "f" }, false)
	a.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '1'`)
	a.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")))
	waitFor(t, 30*time.Second, "the run abandoned", func() bool {
		r := unfinishedOf(t, s, id, person.No)
		return r != nil && r.State == "abandoned" && r.Answered == 1
	})

	const note = "처음부터 새로 시작합니다"
	b := newBrowserTab(t)
	signUpWithCode(t, b, s.BaseURL, person, code)
	b.waitJS(t, `document.body.dataset.state === 'instructions' && document.body.dataset.step === '0'`)
	if hint := b.text(t, "#message-hint"); !strings.Contains(hint, note) || b.text(t, "#resume-code") == code || session(b, "answers.length") != "0" {
		t.Errorf("B with the old code: hint %q, code %q (old %q), %s answers; want a new run that says so",
			hint, b.text(t, "#resume-code"), code, session(b, "answers.length"))
	}

	a.do(t, chromedp.Click(chromedp.ID("resume-go")))
	a.waitJS(t, `document.body.dataset.state === 'instructions' && document.body.dataset.step === '0'`)
	if hint := a.text(t, "#message-hint"); !strings.Contains(hint, note) || session(a, "token") == token || session(a, "answers.length") != "0" {
		t.Errorf("A's offer after the run expired: hint %q, token %s (old %s), %s answers; want a new run that says so",
			hint, session(a, "token"), token, session(a, "answers.length"))
	}
	koreanAt(t, a, "a new run after an old one expired", "27-expired-run-starts-anew")
	a.checkClean(t)
	b.checkClean(t)
}
