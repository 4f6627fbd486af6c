package e2e

// What the page tests share besides the browser: a participant's steps
// through the pages, and what the service stored, asked as a script would
// (through Nginx) or of PostgreSQL (when the API may be down).

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// formPerson is one participant as the sign-up form takes it.
type formPerson struct {
	Name, Age, Sex, No, Phone, Email string // Sex: "1" or "2"
}

// ---- participant steps ------------------------------------------------------

func fillForm(t *testing.T, b *browserTab, p formPerson) {
	t.Helper()
	b.do(t,
		chromedp.SendKeys(chromedp.ID("name"), p.Name),
		chromedp.SendKeys(chromedp.ID("age"), p.Age),
		chromedp.Click(chromedp.ID("sex-"+p.Sex)),
		chromedp.SendKeys(chromedp.ID("no"), p.No),
		chromedp.SendKeys(chromedp.ID("phone"), p.Phone),
		chromedp.SendKeys(chromedp.ID("email"), p.Email),
	)
}

// signUp opens the sign-up page, fills it in and confirms: the page then
// sends the start request.
func signUp(t *testing.T, b *browserTab, base string, p formPerson) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
	fillForm(t, b, p)
	b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
}

// signUpFast is signUp with a 30 ms fixation, for long runs.
func signUpFast(t *testing.T, b *browserTab, base string, p formPerson) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('psyx.fixationMs', '30')`))
	fillForm(t, b, p)
	b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
}

// signUpWithCode is signUpFast on another computer: the participant opens
// "다른 컴퓨터에서 이어하기" and types the resume code as they wrote it down.
func signUpWithCode(t *testing.T, b *browserTab, base string, p formPerson, code string) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('psyx.fixationMs', '30')`),
		chromedp.Click(chromedp.CSS("#other-computer summary")), chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), code))
	fillForm(t, b, p)
	b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
}

// passInstructions waits for each instruction screen and presses Space.
func passInstructions(t *testing.T, b *browserTab, trials int, shots bool) {
	t.Helper()
	for step := 0; step < 6; step++ {
		b.waitJS(t, fmt.Sprintf(`document.body.dataset.state === 'instructions' && document.body.dataset.step === '%d'`, step))
		msg := b.text(t, "#message")
		if step == 4 && !strings.Contains(msg, fmt.Sprintf("총 %d번", trials)) {
			t.Errorf("instruction 5 = %q, want the pack's trial count %d", msg, trials)
		}
		if shots && (step == 0 || step == 2) {
			b.shot(t, fmt.Sprintf("05-instruction-%d", step+1))
		}
		b.do(t, chromedp.KeyEvent(" "))
	}
}

// answerTrials answers trials [from, to) as plan says ("f", "j", or " " to
// let it time out) and returns the files shown left and right in each.
func answerTrials(t *testing.T, b *browserTab, from, to int, plan func(int) string, shots bool) [][2]string {
	t.Helper()
	var shown [][2]string
	for i := from; i < to; i++ {
		if shots && i == 7 {
			b.waitJS(t, `document.body.dataset.state === 'fixation' && document.body.dataset.trial === '7'`)
			b.shot(t, "07-fixation")
		}
		b.waitJS(t, fmt.Sprintf(`document.body.dataset.state === 'trial' && document.body.dataset.trial === '%d'`, i))
		shown = append(shown, shownFiles(t, b))
		if shots && i == 6 {
			b.shot(t, "06-trial")
		}
		if k := plan(i); k != " " {
			b.do(t, chromedp.KeyEvent(k))
			continue
		}
		// Other keys and a held key are not answers; the trial times out.
		b.do(t, chromedp.KeyEvent("k"), chromedp.KeyEvent(" "))
		b.waitJS(t, fmt.Sprintf(`document.body.dataset.trial !== '%d' || document.body.dataset.state !== 'trial'`, i), 10*time.Second)
	}
	return shown
}

// shownFiles is the pair on screen: left file, right file.
func shownFiles(t *testing.T, b *browserTab) [2]string {
	t.Helper()
	var files []string
	raw := b.js(t, `JSON.stringify([...document.querySelectorAll('.face img')].filter(i => i.complete && i.naturalWidth > 0).map(i => decodeURIComponent(new URL(i.src).pathname.split('/').pop())))`)
	if err := json.Unmarshal([]byte(raw), &files); err != nil || len(files) != 2 {
		t.Fatalf("faces on screen = %s (%v)", raw, err)
	}
	return [2]string{files[0], files[1]}
}

// checkAnswers compares stored answers with the keys pressed and the pairs
// shown, trial by trial.
func checkAnswers(t *testing.T, answers [][]any, plan func(int) string, shown [][2]string, limit float64) {
	t.Helper()
	if len(answers) != len(shown) {
		t.Fatalf("%d answers stored, %d trials shown", len(answers), len(shown))
	}
	for i, a := range answers {
		if len(a) != 4 {
			t.Fatalf("answer %d = %v, want [key, rt, left, right]", i, a)
		}
		key, _ := a[0].(string)
		rt, _ := a[1].(float64)
		want := strings.ToUpper(plan(i))
		if key != want {
			t.Errorf("answer %d key = %q, pressed %q", i, key, want)
		}
		if want == " " && rt != limit {
			t.Errorf("answer %d timed out with rt %v, want %v", i, rt, limit)
		}
		if want != " " && (rt <= 0 || rt >= limit) {
			t.Errorf("answer %d rt = %v, want within (0, %v)", i, rt, limit)
		}
		if a[2] != shown[i][0] || a[3] != shown[i][1] {
			t.Errorf("answer %d files = %v, %v; shown left %s, right %s", i, a[2], a[3], shown[i][0], shown[i][1])
		}
	}
}

// ---- the participant's window ------------------------------------------------

// windowState minimises or restores the tab's window: what a participant
// does to look at something else. Chromium then really hides the page
// (visibilitychange, document.hidden), as it does for a tab switch.
func (b *browserTab) windowState(t *testing.T, state browser.WindowState) {
	t.Helper()
	target := chromedp.FromContext(b.ctx).Target.TargetID
	win, err := chromedp.CallBrowser(b.ctx, browser.GetWindowForTarget, browser.GetWindowForTargetParams{TargetID: target})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetWindowBounds, browser.SetWindowBoundsParams{
		WindowID: win.WindowID, Bounds: &browser.Bounds{WindowState: state},
	}); err != nil {
		t.Fatal(err)
	}
}

// closeTab closes the page as a person closes the tab: its pagehide
// handlers run; the browser itself lives on (its keepalive requests too).
func (b *browserTab) closeTab(t *testing.T) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, page.Close, cdp.Empty{}); err != nil {
		t.Fatalf("close the tab: %v", err)
	}
}

// tooManyRequests answers 429, as Nginx does to an address over its limits,
// to the first n requests for each path under /api/reply/; later ones go
// through. refused tells how many were answered so, by path.
func (b *browserTab) tooManyRequests(t *testing.T, n int) (refused func() map[string]int) {
	t.Helper()
	return b.refuseRequests(t, n, 429)
}

// refuseRequests answers status, with no body, to the first n requests for
// each path under /api/reply/ (a proxy without its upstream: 502, 503).
func (b *browserTab) refuseRequests(t *testing.T, n int, status int64) (refused func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	counts := map[string]int{}
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			u, _ := url.Parse(ev.Request.URL)
			mu.Lock()
			refuse := counts[u.Path] < n
			if refuse {
				counts[u.Path]++
			}
			mu.Unlock()
			if refuse {
				chromedp.Call(b.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: status})
			} else {
				chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
		}
	}()
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/reply/*"}},
	}); err != nil {
		t.Fatal(err)
	}
	return func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(counts)
	}
}

// recordStarts keeps every answer to /api/reply/start the tab gets, as the
// server sent it, read before the page sees it.
func (b *browserTab) recordStarts(t *testing.T) (answers func() []map[string]any) {
	t.Helper()
	var mu sync.Mutex
	var got []map[string]any
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			body, err := chromedp.Call(b.ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: ev.RequestID})
			var answer map[string]any
			if err == nil && json.Unmarshal(body.Body, &answer) == nil {
				mu.Lock()
				got = append(got, answer)
				mu.Unlock()
			}
			chromedp.Call(b.ctx, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: ev.RequestID})
		}
	}()
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/reply/start", RequestStage: fetch.RequestStageResponse}},
	}); err != nil {
		t.Fatal(err)
	}
	return func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// ---- Korean only -------------------------------------------------------------

// checkKorean fails when what the page shows has a word of four or more
// Latin letters outside the elements marked data-verbatim (codes, the
// address to type, the person's own number and e-mail): a participant reads
// Korean, never the server's English. The page must show some Korean too.
func checkKorean(t *testing.T, b *browserTab, where string) {
	t.Helper()
	raw := b.js(t, `(() => {
		let text = document.body.innerText;
		for (const el of document.querySelectorAll('[data-verbatim]')) if (el.innerText) text = text.split(el.innerText).join(' ');
		return JSON.stringify({latin: text.match(/[A-Za-z]{4,}/g) ?? [], korean: /[가-힣]/.test(text)});
	})()`)
	var got struct {
		Latin  []string
		Korean bool
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%s: %v: %s", where, err, raw)
	}
	if len(got.Latin) > 0 || !got.Korean {
		t.Errorf("%s: Latin words on screen %q (Korean shown: %v); the page says %q", where, got.Latin, got.Korean,
			b.js(t, `document.body.innerText.slice(0, 400)`))
	}
}

// koreanAt checks the screen at 1366×768 and 390×844: Korean only, Korean
// broken between words, no sideways scrolling; a screenshot of each. The
// window is 1366×768 again afterwards.
func koreanAt(t *testing.T, b *browserTab, where, shot string) {
	t.Helper()
	for _, size := range [][2]int64{{390, 844}, {1366, 768}} {
		b.window(t, size[0], size[1])
		at := fmt.Sprintf("%s at %d×%d", where, size[0], size[1])
		checkKorean(t, b, at)
		b.checkLayout(t, at, int(size[0]))
		b.shot(t, fmt.Sprintf("%s-%d", shot, size[0]))
	}
}

// ---- what the service stored -------------------------------------------------

// adminGet is GET url as the admin's script; anything but 200 fails.
func adminGet(t *testing.T, s *Stack, url string) Response {
	t.Helper()
	r := s.Get(t, s.AdminClient(), url)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %v", url, r)
	}
	return r
}

// onlyReply is the pack's one reply as a download gives it, with the person
// as PostgreSQL holds it.
func onlyReply(t *testing.T, s *Stack, id int) (Reply, Person) {
	t.Helper()
	replies := s.Download(t, id)
	people := storedPeople(t, s, id)
	if len(replies) != 1 || len(people) != 1 {
		t.Fatalf("pack %d has %d replies (%d rows), want exactly 1", id, len(replies), len(people))
	}
	return replies[0], people[0]
}

// storedPeople asks PostgreSQL directly (the API may be down) for the
// people of the pack's replies.
func storedPeople(t *testing.T, s *Stack, id int) []Person {
	t.Helper()
	var people []Person
	if err := s.DB.Select(&people, `SELECT name, email, no, sex, age, phone FROM reply WHERE p_id = $1 ORDER BY r_id`, id); err != nil {
		t.Fatalf("replies of pack %d: %v", id, err)
	}
	return people
}

// checkCSV reads the pack's CSV download and compares each trial's key
// with the plan.
func checkCSV(t *testing.T, s *Stack, id int, plan func(int) string) {
	t.Helper()
	body := adminGet(t, s, fmt.Sprintf("/api/admin/download?id=%d&format=csv", id)).Body
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, row := range rows[1:] {
		if want := strings.TrimSpace(strings.ToUpper(plan(i))); strings.TrimSpace(row[col["key"]]) != want {
			t.Errorf("CSV trial %d key = %q, want %q", i+1, row[col["key"]], want)
		}
	}
}

// linkFolder makes a new folder holding these files (hard links).
func linkFolder(t *testing.T, name string, files []string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	mkdir(t, dir)
	for _, f := range files {
		if err := os.Link(f, filepath.Join(dir, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
