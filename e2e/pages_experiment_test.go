package e2e

// The experiment page (experiment.html) in headless Chromium through Nginx
// against the real service: a participant signs up and answers every trial
// with the keyboard, reloads mid-way, submits after the pack is gone or
// while the API is down, and reads every refusal of the submit in Korean.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestPagesParticipant(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 12})
	female20 := s.CreatePack(t, "female20s", 2, 20, 29, 12)
	female30 := s.CreatePack(t, "female30s", 2, 30, 39, 12)
	male20 := s.CreatePack(t, "male20s", 1, 20, 29, 12)
	male30 := s.CreatePack(t, "male30s", 1, 30, 39, 12)

	t.Run("SignUpAndAllTrials", func(t *testing.T) {
		b := newBrowserTab(t)
		// Typed without dashes, stored in the canonical form.
		signUp(t, b, s.BaseURL, formPerson{Name: "홍길동", Age: "25", Sex: "2", No: "2024123456", Phone: "01012345678", Email: "hong@example.com"})
		passInstructions(t, b, 12, true)
		b.checkLayout(t, "instructions", 1366)

		plan := func(i int) string { return []string{"f", "j", "f", " ", "j", "j", "f", "f", " ", "j", "f", "j"}[i] }
		shown := answerTrials(t, b, 0, 12, plan, true)
		b.waitState(t, "done", 30*time.Second)
		if msg := b.text(t, "#message"); msg != "성실히 응답해주셔서 감사합니다" {
			t.Errorf("thank-you text = %q", msg)
		}
		b.shot(t, "08-thank-you")
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "gone" {
			t.Error("the finished run is still in localStorage")
		}

		reply, person := onlyReply(t, s, female20)
		if person.Name != "홍길동" || person.Age != 25 || person.Sex != 2 || person.Phone != "010-1234-5678" || person.No != "2024123456" || person.Email != "hong@example.com" {
			t.Errorf("stored person = %+v", person)
		}
		checkAnswers(t, reply.Answers, plan, shown, 3)
		checkCSV(t, s, female20, plan)
		b.checkClean(t)
	})

	t.Run("ReloadResumes", func(t *testing.T) {
		b := newBrowserTab(t)
		signUp(t, b, s.BaseURL, formPerson{Name: "김영희", Age: "33", Sex: "2", No: "A1234", Phone: "010-9876-5432", Email: "kim.yh+lab@example.ac.kr"})
		passInstructions(t, b, 12, false)

		plan := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%3 != 1] }
		shown := answerTrials(t, b, 0, 3, plan, false)
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '3'`)
		token := b.js(t, `JSON.parse(localStorage.getItem('psyx.session')).token`)

		// The tab is closed on trial 3 and the site opened again: the sign-up
		// page offers to go on.
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")))
		if msg := b.text(t, "#resume-text"); !strings.Contains(msg, "김영희") || !strings.Contains(msg, "3 / 12") {
			t.Errorf("resume offer = %q", msg)
		}
		b.shot(t, "09-signup-resume-offer")
		b.do(t, chromedp.Click(chromedp.ID("resume-go")))
		b.waitState(t, "resume", 10*time.Second)
		b.do(t, chromedp.KeyEvent(" "))
		shown = append(shown, answerTrials(t, b, 3, 5, plan, false)...)

		// Reload while trial 5 is on screen: it comes back unanswered.
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '5'`)
		b.do(t, chromedp.Reload())
		b.waitState(t, "resume", 10*time.Second)
		if msg := b.text(t, "#message"); !strings.Contains(msg, "5 / 12") {
			t.Errorf("resume screen = %q, want 5 / 12", msg)
		}
		b.shot(t, "10-resume-after-reload")
		if got := b.js(t, `JSON.parse(localStorage.getItem('psyx.session')).token`); got != token {
			t.Errorf("token changed across the reload: %s → %s", token, got)
		}
		b.do(t, chromedp.KeyEvent(" "))
		shown = append(shown, answerTrials(t, b, 5, 12, plan, false)...)
		b.waitState(t, "done", 30*time.Second)

		reply, _ := onlyReply(t, s, female30)
		checkAnswers(t, reply.Answers, plan, shown, 3)
		b.checkClean(t)
	})

	// The pack is deleted while the participant works: the server refuses
	// the reply with a 400, which the page shows once and does not retry.
	t.Run("SubmitRefused", func(t *testing.T) {
		b := newBrowserTab(t)
		signUp(t, b, s.BaseURL, formPerson{Name: "최준호", Age: "35", Sex: "1", No: "B777", Phone: "010-4444-1111", Email: "choi@example.com"})
		passInstructions(t, b, 12, false)
		answerTrials(t, b, 0, 11, func(int) string { return "f" }, false)
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '11'`)
		adminGet(t, s, fmt.Sprintf("/api/admin/remove?id=%d", male30))
		b.do(t, chromedp.KeyEvent("f"))
		b.waitState(t, "rejected", 30*time.Second)
		if msg := b.text(t, "#message"); !strings.Contains(msg, "연구 담당자") {
			t.Errorf("refusal shown as %q", msg)
		}
		// The reason in Korean; the server's words only for the researcher.
		if hint := b.text(t, "#message-hint"); !strings.Contains(hint, "받아들이지 않았습니다") {
			t.Errorf("the reason shown is %q, want the Korean for Invalid Input", hint)
		}
		if detail := b.js(t, `document.getElementById('message-hint').dataset.detail ?? ''`); !strings.HasPrefix(detail, "400 Invalid Input") {
			t.Errorf("data-detail = %q, want the server's sentence", detail)
		}
		if b.js(t, `document.querySelector('#message-actions a[download]')?.textContent ?? ''`) == "" {
			t.Error("no way to save the refused reply")
		}
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "kept" {
			t.Error("the refused reply was dropped from localStorage")
		}
		koreanAt(t, b, "refused submit", "12-submit-refused")
		b.checkClean(t)
	})

	t.Run("RefusedInKorean", func(t *testing.T) { refusedInKorean(t, s) })

	// Last: it stops the API.
	t.Run("SubmitWhileAPIDown", func(t *testing.T) {
		b := newBrowserTab(t)
		signUp(t, b, s.BaseURL, formPerson{Name: "박민수", Age: "24", Sex: "1", No: "20231", Phone: "010-5555-0000", Email: "park@example.com"})
		passInstructions(t, b, 12, false)

		plan := func(i int) string { return map[bool]string{true: "j", false: "f"}[i%2 == 0] }
		shown := answerTrials(t, b, 0, 11, plan, false)
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '11'`)
		s.Supervisorctl(t, "stop", "psyx")
		shown = append(shown, shownFiles(t, b))
		b.do(t, chromedp.KeyEvent(plan(11)))

		// Nginx answers 502 now; the page keeps the reply and retries.
		b.waitJS(t, `document.body.dataset.state === 'retrying' && Number(document.body.dataset.attempt) >= 2`)
		koreanAt(t, b, "retrying submit", "11-submit-retrying")
		if n := len(storedPeople(t, s, male20)); n != 0 {
			t.Fatalf("%d replies stored while the API was down", n)
		}
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "kept" {
			t.Error("the unsent reply is not kept in localStorage")
		}

		s.Supervisorctl(t, "start", "psyx")
		waitHealthy(t, s.BaseURL+"/api/health")
		b.waitState(t, "done", 60*time.Second)
		reply, _ := onlyReply(t, s, male20)
		checkAnswers(t, reply.Answers, plan, shown, 3)
		b.checkClean(t, "Failed to load resource")
	})
}
