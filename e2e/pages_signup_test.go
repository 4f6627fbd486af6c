package e2e

// The sign-up page (index.html) in headless Chromium through Nginx: inline
// errors, the confirmation step, the server's refusals on the form, phone
// numbers typed without dashes, one column on narrow screens with Korean
// wrapped between words, every refusal of the server in Korean, and a phone
// told plainly that it cannot take part.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestPagesSignUp(t *testing.T) {
	// A lab that takes only 010 numbers: the page's default rule lets 011
	// through, so the server's 400 must land next to the phone field.
	// Runs are resumed within 2 s here (ExpiredRunStartsAnew).
	s := StartStack(t, StackOptions{PairsPerPack: 2, Env: map[string]string{"PSYX_PHONE_PATTERN": `^010-\d{4}-\d{4}$`,
		"PSYX_RESUME_WITHIN": "2s", "PSYX_ABANDON_AFTER": "2s"}})
	pack := s.CreatePack(t, "female20s", 2, 20, 29, 2)

	t.Run("ErrorsAndConfirm", func(t *testing.T) {
		b := newBrowserTab(t)
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
		b.shot(t, "01-signup")

		// A bad phone number is caught while typing, before anything is sent.
		p := formPerson{Name: "홍길동", Age: "45", Sex: "2", No: "2024123456", Phone: "010-1234-567", Email: "hong@example.com"}
		fillForm(t, b, p)
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")))
		b.waitJS(t, `document.querySelector('[data-field=phone]').classList.contains('invalid')`)
		if msg := b.text(t, "#phone-hint"); !strings.Contains(msg, "010-1234-5678") {
			t.Errorf("phone error = %q, want the expected format in it", msg)
		}
		if b.js(t, `document.body.dataset.step`) != "form" {
			t.Error("the confirmation step opened with a bad phone number")
		}
		b.shot(t, "02-signup-inline-error")

		b.retype(t, "phone", "010-1234-5678")
		b.waitJS(t, `!document.querySelector('[data-field=phone]').classList.contains('invalid')`)
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")))
		if got := b.text(t, "#c-phone"); got != "010-1234-5678" {
			t.Errorf("confirmation shows phone %q", got)
		}
		b.shot(t, "03-signup-confirm")

		// No pack for a 45-year-old woman: the server's 400 becomes a Korean
		// sentence on the form, not an alert.
		b.do(t, chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("general-error")))
		if msg := b.text(t, "#general-error"); !strings.Contains(msg, "해당하는 검사가 현재 없습니다") {
			t.Errorf("no-pack message = %q", msg)
		}
		b.shot(t, "04-signup-no-pack-error")

		// The server refuses an 011 number: its 400 lands on the phone field.
		b.retype(t, "age", "25")
		b.retype(t, "phone", "011-9876-5432")
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
		b.waitJS(t, `document.body.dataset.step === 'form' && document.querySelector('[data-field=phone]').classList.contains('invalid')`)
		if msg := b.text(t, "#phone-hint"); !strings.Contains(msg, "휴대전화 번호") {
			t.Errorf("server's phone refusal shown as %q", msg)
		}
		b.shot(t, "04-signup-server-phone-error")
		b.checkClean(t)
	})

	// People type 01012345678. The page shows and sends 010-1234-5678, the
	// only form this server takes.
	t.Run("PhoneWithoutDashes", func(t *testing.T) {
		b := newBrowserTab(t)
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
		fillForm(t, b, formPerson{Name: "김영희", Age: "23", Sex: "2", No: "A1234", Phone: "01012345678", Email: "kim@example.com"})
		b.do(t, chromedp.Click(chromedp.ID("name"))) // leave the field
		b.waitJS(t, `document.getElementById('phone').value === '010-1234-5678'`)
		if b.js(t, `document.querySelector('[data-field=phone]').className`) != "field valid" {
			t.Error("a number typed without dashes is not accepted")
		}
		for _, typed := range []string{"010 9876 5432", " 010-9876 5432 "} {
			b.retype(t, "phone", typed)
			b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")))
			if got := b.text(t, "#c-phone"); got != "010-9876-5432" {
				t.Errorf("typed %q, confirmation shows %q", typed, got)
			}
			if got := b.js(t, `document.getElementById('phone').value`); got != "010-9876-5432" {
				t.Errorf("typed %q, the field shows %q", typed, got)
			}
			b.do(t, chromedp.Click(chromedp.ID("back")), chromedp.WaitVisible(chromedp.ID("signup-form")))
		}
		b.retype(t, "phone", "01098765432")
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
		// The server (010-only, dashes required) took it: the task begins.
		b.waitState(t, "instructions", 30*time.Second)
		if got := b.js(t, `JSON.parse(localStorage.getItem('psyx.session')).person.phone`); got != "010-9876-5432" {
			t.Errorf("the run was started with phone %q", got)
		}
		b.checkClean(t)
	})

	// Phones, a narrow laptop window and the laptop itself: no sideways
	// scrolling, one column below 640 px, Korean broken between words only.
	t.Run("Layout", func(t *testing.T) {
		b := newBrowserTab(t)
		for _, size := range [][2]int64{{360, 740}, {390, 844}, {1366, 768}} {
			w, h := size[0], size[1]
			b.window(t, w, h)
			b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
			b.checkLayout(t, "form", int(w))
			b.shot(t, fmt.Sprintf("13-signup-%d", w))
			columns := b.js(t, `String(getComputedStyle(document.querySelector('#signup-form .grid')).gridTemplateColumns.split(' ').length)`)
			if want := map[bool]string{true: "1", false: "2"}[w < 640]; columns != want {
				t.Errorf("%d px: %s columns, want %s", w, columns, want)
			}
			// A laptop gets the form, whatever the width, and is told on
			// the first screen that the task needs its keyboard.
			if !b.shown(t, "#keyboard-note") || b.shown(t, "#touch-only") {
				t.Errorf("%d px: keyboard note shown %v, touch-only message shown %v", w, b.shown(t, "#keyboard-note"), b.shown(t, "#touch-only"))
			}
			if note := b.text(t, "#keyboard-note"); !strings.Contains(note, "키보드") {
				t.Errorf("first-screen note = %q", note)
			}

			// The longest a field may be, and the no-pack sentence.
			fillForm(t, b, formPerson{Name: "남궁민수", Age: "45", Sex: "2", No: "S2024123456789", Phone: "01055556666",
				Email: "participant.2024+psyx@psychology.example.ac.kr"})
			b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")))
			b.checkLayout(t, "confirm", int(w))
			b.shot(t, fmt.Sprintf("14-signup-confirm-%d", w))
			b.do(t, chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("general-error")))
			b.checkLayout(t, "no-pack error", int(w))
			b.shot(t, fmt.Sprintf("15-signup-no-pack-%d", w))
		}
		b.checkClean(t)
	})

	t.Run("KoreanOnly", func(t *testing.T) { signUpKorean(t, s) })
	t.Run("ExpiredRunStartsAnew", func(t *testing.T) { expiredRunStartsAnew(t, s, pack) })

	// A phone: no fine pointer, no hover. It is told plainly, in Korean,
	// to come back on a computer; the form is not offered.
	t.Run("TouchOnly", func(t *testing.T) {
		b := newBrowserTab(t)
		for _, size := range [][2]int64{{360, 740}, {390, 844}} {
			w, h := size[0], size[1]
			b.phone(t, w, h)
			b.do(t, chromedp.Navigate(s.BaseURL+"/"))
			b.waitJS(t, `document.body.dataset.step`) // the page has decided
			b.checkLayout(t, "phone", int(w))
			b.shot(t, fmt.Sprintf("16-signup-phone-%d", w))
			if b.shown(t, "#signup-form") || b.shown(t, "#keyboard-note") || !b.shown(t, "#touch-only") {
				t.Errorf("%d px phone: the form is offered", w)
			}
			if msg := b.text(t, "#touch-only-text"); !strings.Contains(msg, "키보드가 있는") || !strings.Contains(msg, "컴퓨터에서") {
				t.Errorf("%d px phone: message = %q", w, msg)
			}
			if url := b.text(t, "#touch-url"); url != s.BaseURL+"/" {
				t.Errorf("%d px phone: address to type on a computer = %q", w, url)
			}
			if got := b.js(t, `document.body.dataset.step`); got != "touch-only" {
				t.Errorf("%d px phone: step %q", w, got)
			}
		}
		b.checkClean(t)
	})
}
