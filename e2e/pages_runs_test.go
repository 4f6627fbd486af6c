package e2e

// The experiment page keeps every trial on the server (README: Runs): it
// sends the machine's facts at start, saves the answers every 10 trials and
// as the tab closes, shows the run's resume code, and a sign-up on another
// computer with that code (never with the person's details alone) goes on
// from there to one whole reply; a run finished on another computer ends
// the first one's on the thank-you screen; a trial during which the page
// was hidden is a timeout; the thank-you screen shows the completion code
// and the lab's link.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The lab's course-credit address; port 9 on loopback, never opened.
const completionURL = "http://127.0.0.1:9/credit?experiment_id=7&survey_code={code}&no={no}"

// runEntry is a reply or an unfinished run in a download with
// include=unfinished.
type runEntry struct {
	RID        *int64             `json:"r_id"`
	No         string             `json:"no"`
	Token      string             `json:"token"`
	Completion string             `json:"completion"`
	State      string             `json:"state"`
	Answered   int                `json:"answered"`
	Answers    [][]any            `json:"answers"`
	Client     map[string]any     `json:"client"`
	Events     map[string]float64 `json:"events"`
}

type runsDownload struct {
	Replies    []runEntry `json:"replies"`
	Unfinished []runEntry `json:"unfinished"`
}

func downloadRuns(t *testing.T, s *Stack, id int) runsDownload {
	t.Helper()
	var d runsDownload
	body := adminGet(t, s, fmt.Sprintf("/api/admin/download?id=%d&include=unfinished", id)).Body
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("download with unfinished runs: %v", err)
	}
	return d
}

// unfinishedOf is the person's unfinished run (nil: none).
func unfinishedOf(t *testing.T, s *Stack, id int, no string) *runEntry {
	t.Helper()
	for _, r := range downloadRuns(t, s, id).Unfinished {
		if r.No == no {
			return &r
		}
	}
	return nil
}

// packRuns is a pack's counts in the list.
type packRuns struct {
	PID       int     `json:"p_id"`
	Count     int     `json:"count"`
	Running   int     `json:"running"`
	Abandoned int     `json:"abandoned"`
	Last      *string `json:"last"`
}

func listRuns(t *testing.T, s *Stack, id int) packRuns {
	t.Helper()
	var list []packRuns
	if err := json.Unmarshal(adminGet(t, s, "/api/admin/list").Body, &list); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.PID == id {
			return p
		}
	}
	t.Fatalf("pack %d not listed", id)
	return packRuns{}
}

func TestPagesRuns(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: -1, Env: map[string]string{
		"PSYX_ABANDON_AFTER": "3s", "PSYX_COMPLETION_URL": completionURL,
	}})
	long := s.CreatePack(t, "female20s", 2, 20, 29, 150)
	short := s.CreatePack(t, "male20s", 1, 20, 29, 12)
	limited := s.CreatePack(t, "male30s", 1, 30, 39, 12)
	elsewhere := s.CreatePack(t, "female30s", 2, 30, 39, 24)
	midRun := s.CreatePack(t, "male40s", 1, 40, 49, 12)

	t.Run("TabClosedAtTrial137ThenAnotherComputer", func(t *testing.T) {
		person := formPerson{Name: "정하은", Age: "21", Sex: "2", No: "R2024137", Phone: "010-1370-0137", Email: "jung@example.com"}
		planA := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%2 == 0] }
		planB := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%3 == 0] }

		a := newBrowserTab(t)
		starts := a.recordStarts(t)
		signUpFast(t, a, s.BaseURL, person)
		// The code to write down is on the first screen, and it is the one
		// the server gave.
		a.waitJS(t, `document.body.dataset.state === 'instructions' && document.body.dataset.step === '0'`)
		code := a.text(t, "#resume-code")
		if got := starts(); len(got) != 1 || got[0]["resume"] != code || !a.shown(t, "#resume-code") {
			t.Fatalf("the page shows resume code %q (shown %v); the start answered %v", code, a.shown(t, "#resume-code"), got)
		}
		passInstructions(t, a, 150, false)
		shownA := answerTrials(t, a, 0, 25, planA, false)
		// Saved after trial 20, and not again before trial 30.
		a.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '25'`)
		waitFor(t, 20*time.Second, "20 answers on the server", func() bool {
			r := unfinishedOf(t, s, long, person.No)
			return r != nil && r.Answered == 20
		})
		run := unfinishedOf(t, s, long, person.No)
		checkClient(t, run.Client)
		checkAnswers(t, run.Answers, planA, shownA[:20], 3)

		shownA = append(shownA, answerTrials(t, a, 25, 137, planA, false)...)
		a.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '137'`)
		shownA = append(shownA, shownFiles(t, a))
		a.closeTab(t)

		// Nobody comes back: the run is abandoned, with what it had.
		waitFor(t, 30*time.Second, "the run abandoned in the list", func() bool {
			p := listRuns(t, s, long)
			return p.Abandoned == 1 && p.Running == 0 && p.Count == 0
		}, func() string { return fmt.Sprintf("%+v", listRuns(t, s, long)) })
		run = unfinishedOf(t, s, long, person.No)
		if run == nil || run.State != "abandoned" || run.Answered < 130 || run.Answered > 137 {
			t.Fatalf("after the tab closed at trial 137 the server holds %+v, want 130 to 137 answers, abandoned", run)
		}
		k := run.Answered
		checkAnswers(t, run.Answers, planA, shownA[:k], 3)
		t.Logf("the server held %d answers when the tab closed at trial 137", k)

		// The same person on another computer, with their details alone: a
		// new run, from trial 1; nothing of the other one is shown.
		b := newBrowserTab(t)
		signUpFast(t, b, s.BaseURL, person)
		b.waitJS(t, `document.body.dataset.state === 'instructions' && document.body.dataset.step === '0'`)
		if tok := b.js(t, `JSON.parse(localStorage.getItem('psyx.session')).token`); tok == run.Token || b.text(t, "#resume-code") == code {
			t.Fatalf("a start by student number and e-mail alone continued the run (token %s, code %s)", tok, b.text(t, "#resume-code"))
		}
		if n := b.js(t, `String(JSON.parse(localStorage.getItem('psyx.session')).answers.length)`); n != "0" {
			t.Fatalf("the new run starts with %s answers", n)
		}
		// They go back, drop that run, and type the code they wrote down
		// (in lower case, a space for the dash): the page goes on at trial
		// k+1 with the same pairs on the same sides.
		dialogs := b.acceptDialogs(t)
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")), chromedp.Click(chromedp.ID("resume-discard")))
		<-dialogs
		signUpWithCode(t, b, s.BaseURL, person, strings.ToLower(strings.Replace(code, "-", " ", 1)))
		b.waitState(t, "resume", 20*time.Second)
		if got := b.text(t, "#resume-code"); got != code {
			t.Errorf("the second computer shows code %q, the first %q", got, code)
		}
		if msg := b.text(t, "#message"); !strings.Contains(msg, fmt.Sprintf("%d / 150", k)) {
			t.Errorf("resume screen = %q, want %d / 150", msg, k)
		}
		if now := b.js(t, `document.getElementById('progress').getAttribute('aria-valuenow')`); now != fmt.Sprint(k) {
			t.Errorf("progress bar at %s, want %d", now, k)
		}
		b.shot(t, "13-resume-on-another-computer")
		b.do(t, chromedp.KeyEvent(" "))
		shownB := answerTrials(t, b, k, 150, planB, false)
		if shownB[0] != shownA[k] {
			t.Errorf("trial %d shows %v on the second computer, %v on the first", k+1, shownB[0], shownA[k])
		}
		b.waitJS(t, `document.body.dataset.code !== undefined`, 30*time.Second)

		// One reply; the run started by details alone stays open, empty.
		d := downloadRuns(t, s, long)
		if len(d.Replies) != 1 || len(d.Unfinished) != 1 || d.Unfinished[0].Answered != 0 || d.Unfinished[0].Token == run.Token {
			t.Fatalf("%d replies, unfinished runs %+v; want one reply and the empty run of the start by details", len(d.Replies), d.Unfinished)
		}
		reply := d.Replies[0]
		plan := func(i int) string {
			if i < k {
				return planA(i)
			}
			return planB(i)
		}
		checkAnswers(t, reply.Answers, plan, append(shownA[:k:k], shownB...), 3)
		if reply.State != "finished" || reply.Token != run.Token {
			t.Errorf("reply state %q token %q, want finished under the run's token %q", reply.State, reply.Token, run.Token)
		}
		if p := listRuns(t, s, long); p.Count != 1 || p.Running+p.Abandoned != 1 || p.Last == nil {
			t.Errorf("list after the reply = %+v", p)
		}
		checkCompletion(t, b, reply, person.No)
		a.checkClean(t)
		b.checkClean(t)
	})

	t.Run("HiddenTrialIsATimeout", func(t *testing.T) {
		person := formPerson{Name: "한지민", Age: "24", Sex: "1", No: "H777", Phone: "010-7777-0000", Email: "han@example.com"}
		plan := func(i int) string {
			if i == 4 {
				return " "
			}
			return map[bool]string{true: "j", false: "f"}[i%2 == 0]
		}
		b := newBrowserTab(t)
		signUp(t, b, s.BaseURL, person)
		passInstructions(t, b, 12, false)
		shown := answerTrials(t, b, 0, 4, plan, false)

		// The participant minimises the window during trial 5: the trial
		// ends there, unanswered; back, they read why and go on with Space.
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '4'`)
		shown = append(shown, shownFiles(t, b))
		b.windowState(t, browser.WindowStateMinimized)
		b.waitJS(t, `document.hidden && document.body.dataset.state === 'paused' && document.body.dataset.lost === '1'`)
		b.windowState(t, browser.WindowStateNormal)
		b.waitJS(t, `!document.hidden`)
		if hint := b.text(t, "#message-hint"); !strings.Contains(hint, "시행과 시행 사이에서만") {
			t.Errorf("after the hidden trial the page says %q", hint)
		}
		if !b.shown(t, "#resume-code") || len(b.text(t, "#resume-code")) != 9 {
			t.Errorf("the paused screen shows no resume code (%q)", b.text(t, "#resume-code"))
		}
		b.checkLayout(t, "paused", 1366)
		b.shot(t, "14-hidden-trial-note")
		b.do(t, chromedp.KeyEvent(" "))
		shown = append(shown, answerTrials(t, b, 5, 12, plan, false)...)
		b.waitJS(t, `document.body.dataset.code !== undefined`, 30*time.Second)
		b.checkLayout(t, "thank-you with code", 1366)
		b.shot(t, "15-thank-you-code")

		d := downloadRuns(t, s, short)
		if len(d.Replies) != 1 {
			t.Fatalf("%d replies, want 1", len(d.Replies))
		}
		reply := d.Replies[0]
		checkAnswers(t, reply.Answers, plan, shown, 3)
		if reply.Events["hidden_ms"] <= 0 {
			t.Errorf("events = %v, want hidden_ms > 0", reply.Events)
		}
		checkClient(t, reply.Client)
		checkCompletion(t, b, reply, person.No)

		// A reload of the thank-you screen still shows the code.
		b.do(t, chromedp.Reload())
		b.waitJS(t, fmt.Sprintf(`document.body.dataset.code === %q`, reply.Completion))
		b.window(t, 390, 844)
		b.checkLayout(t, "thank-you with code", 390)
		b.shot(t, "16-thank-you-code-narrow")
		b.checkClean(t)
	})

	t.Run("TooManyRequestsRetriedQuietly", func(t *testing.T) { tooManyRequestsRetried(t, s, limited) })
	t.Run("FinishedOnAnotherComputer", func(t *testing.T) { finishedElsewhere(t, s, elsewhere) })
	t.Run("FinishedElsewhereMidRun", func(t *testing.T) { finishedMidRun(t, s, midRun) })
}

// Nginx's per-address limit answers 429: start, progress, submit and the
// completion code are each refused twice and tried again quietly; one
// reply, its code on the screen.
func tooManyRequestsRetried(t *testing.T, s *Stack, id int) {
	b := newBrowserTab(t)
	refused := b.tooManyRequests(t, 2)
	plan := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%4 < 2] }
	signUp(t, b, s.BaseURL, formPerson{Name: "오세훈", Age: "31", Sex: "1", No: "L429", Phone: "010-4290-4290", Email: "oh@example.com"})
	passInstructions(t, b, 12, false)
	shown := answerTrials(t, b, 0, 12, plan, false)
	b.waitJS(t, `document.body.dataset.code !== undefined`, time.Minute)
	for _, path := range []string{"/api/reply/start", "/api/reply/progress", "/api/reply/submit", "/api/reply/completion"} {
		if n := refused()[path]; n != 2 {
			t.Errorf("%s was refused %d times, want 2 (then tried again)", path, n)
		}
	}
	d := downloadRuns(t, s, id)
	if len(d.Replies) != 1 || len(d.Unfinished) != 0 {
		t.Fatalf("%d replies, %d unfinished runs; want one reply", len(d.Replies), len(d.Unfinished))
	}
	checkAnswers(t, d.Replies[0].Answers, plan, shown, 3)
	if got := b.text(t, "#completion-code"); got != d.Replies[0].Completion {
		t.Errorf("code %q, download's %q", got, d.Replies[0].Completion)
	}
	b.checkClean(t, "status of 429")
}

// checkClient: the start sent the machine's facts, as the page measured them.
func checkClient(t *testing.T, client map[string]any) {
	t.Helper()
	for _, k := range []string{"screen_w", "screen_h", "window_w", "window_h", "dpr", "refresh_hz", "touch"} {
		if _, ok := client[k].(float64); !ok {
			t.Errorf("client.%s = %v, want a number (client %v)", k, client[k], client)
		}
	}
	for _, k := range []string{"lang", "tz", "user_agent"} {
		if v, _ := client[k].(string); v == "" {
			t.Errorf("client.%s = %v, want text", k, client[k])
		}
	}
	if client["window_w"] != 1366.0 || client["dpr"] != 1.0 || client["touch"] != 0.0 {
		t.Errorf("client = %v, want the 1366 px window, dpr 1, no touch", client)
	}
	if hz, _ := client["refresh_hz"].(float64); hz < 20 || hz > 500 {
		t.Errorf("client.refresh_hz = %v, not a measured refresh rate", client["refresh_hz"])
	}
	if ua, _ := client["user_agent"].(string); !strings.Contains(ua, "Chrome") {
		t.Errorf("client.user_agent = %q", ua)
	}
}

// checkCompletion: the thank-you screen shows the reply's code, and its
// button leads to the lab's address with the code and number filled in.
func checkCompletion(t *testing.T, b *browserTab, reply runEntry, no string) {
	t.Helper()
	if reply.Completion == "" {
		t.Fatal("the download has no completion code for the reply")
	}
	if got := b.text(t, "#completion-code"); got != reply.Completion {
		t.Errorf("thank-you code %q, download's completion %q", got, reply.Completion)
	}
	if !b.shown(t, "#completion-code") || !b.shown(t, "#copy-code") {
		t.Error("the code or its copy button is not shown")
	}
	want := strings.NewReplacer("{code}", url.QueryEscape(reply.Completion), "{no}", url.QueryEscape(no)).Replace(completionURL)
	if got := b.js(t, `document.getElementById('completion-link').href`); got != want || !b.shown(t, "#completion-link") {
		t.Errorf("completion button goes to %q (shown %v), want %q", got, b.shown(t, "#completion-link"), want)
	}
}
