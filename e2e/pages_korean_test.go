package e2e

// Every refusal a participant can meet, as the pages show it: in Korean,
// at 1366×768 and 390×844, with the server's English only in data-detail
// (and the console) for the researcher. Provoked by typing, or through the
// API and localStorage where no typing reaches them.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// checkDetail: the element says want, and keeps the server's sentence
// (starting with detail) in data-detail.
func checkDetail(t *testing.T, b *browserTab, css, want, detail string) {
	t.Helper()
	if got := b.text(t, css); !strings.Contains(got, want) {
		t.Errorf("%s says %q, want %q in it", css, got, want)
	}
	if got := b.js(t, fmt.Sprintf(`document.querySelector(%q).dataset.detail ?? ''`, css)); !strings.Contains(got, detail) {
		t.Errorf("%s data-detail = %q, want the server's %q", css, got, detail)
	}
}

// signUpKorean: the sign-up page's refusals. The stack takes 010 numbers
// only and has one pack, for women of 20 to 29.
func signUpKorean(t *testing.T, s *Stack) {
	b := newBrowserTab(t)
	p := formPerson{Name: "이수진", Age: "45", Sex: "2", No: "K2024001", Phone: "010-2024-0001", Email: "lee.sj@example.com"}

	// No Suitable Pack for You.
	signUp(t, b, s.BaseURL, p)
	b.waitJS(t, `!document.getElementById('general-error').hidden`)
	checkDetail(t, b, "#general-error", "해당하는 검사가 현재 없습니다", "No Suitable Pack")
	koreanAt(t, b, "no pack", "19-korean-no-pack")

	// Invalid Phone Number (the server's rule, not the page's).
	b.retype(t, "age", "25")
	b.retype(t, "phone", "011-2024-0001")
	b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
	b.waitJS(t, `document.querySelector('[data-field=phone]').classList.contains('invalid')`)
	checkDetail(t, b, "#phone-hint", "휴대전화 번호", "Invalid Phone Number")
	koreanAt(t, b, "server's phone refusal", "20-korean-phone")

	// Unknown Resume Code, next to the code.
	b.retype(t, "phone", "010-2024-0001")
	b.do(t, chromedp.Click(chromedp.CSS("#other-computer summary")), chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), "zzzz-zzzz"),
		chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")))
	if got := b.text(t, "#c-code"); got != "ZZZZ-ZZZZ" {
		t.Errorf("the confirmation shows code %q", got)
	}
	b.do(t, chromedp.Click(chromedp.ID("start")))
	b.waitJS(t, `document.body.dataset.step === 'form' && document.querySelector('[data-field=code]').classList.contains('invalid')`)
	checkDetail(t, b, "#code-hint", "이 코드로 이어서 할 수 있는 검사가 없습니다", "Unknown Resume Code")
	if !b.shown(t, "#code") || !b.shown(t, "#code-hint") || b.shown(t, "#general-error") {
		t.Error("the refusal of the code is not next to the code field")
	}
	koreanAt(t, b, "unknown resume code", "21-korean-resume-code")

	// The offer to go on, for a run whose token is another person's (Token
	// Already Used), then for a token the server cannot read (Invalid Input).
	other := map[string]any{"name": "박지영", "email": "park.jy@example.com", "no": "K2024999", "sex": 2, "age": 25,
		"phone": "010-2024-0999", "token": "korean-test-" + randomHex(t, 8)}
	if r := s.PostJSON(t, s.Client(), "/api/reply/start", other); r.Status != http.StatusOK {
		t.Fatalf("start of another person's run: %v", r)
	}
	for _, c := range []struct{ token, want, detail, shot string }{
		{other["token"].(string), "다른 참여자 정보로 시작된", "Token Already Used", "22-korean-token-used"},
		{"not a token!", "받아들일 수 없는 내용", "Invalid Input", "23-korean-invalid-input"},
	} {
		b.js(t, fmt.Sprintf(`(localStorage.setItem('psyx.session', JSON.stringify({
			person: {name: '이수진', email: 'lee.sj@example.com', no: 'K2024001', sex: 2, age: 25, phone: '010-2024-0001'},
			token: %q, p_id: 1, pack_path: '/packs/female20s', pic_pairs: [['a', 'b'], ['c', 'd']], answers: [],
		})), '')`, c.token))
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")), chromedp.Click(chromedp.ID("resume-go")))
		b.waitJS(t, `!document.getElementById('general-error').hidden && !document.getElementById('resume-go').disabled`)
		checkDetail(t, b, "#general-error", c.want, c.detail)
		koreanAt(t, b, c.detail+" on the offer to go on", c.shot)
	}
	b.checkClean(t)

	// The service down (every try answered 503): a Korean sentence, once
	// the quiet retries are spent.
	d := newBrowserTab(t)
	d.refuseRequests(t, 4, 503)
	signUp(t, d, s.BaseURL, formPerson{Name: "이수진", Age: "25", Sex: "2", No: "K2024002", Phone: "010-2024-0002", Email: "lee.sj2@example.com"})
	d.waitJS(t, `!document.getElementById('general-error').hidden`, 30*time.Second)
	checkDetail(t, d, "#general-error", "서버에 일시적인 문제", "503")
	koreanAt(t, d, "service down", "24-korean-server-down")
	d.checkClean(t, "status of 503")
}

// refusedInKorean: the experiment page's refused submits. The page is
// given, through localStorage, a run with every trial answered and then
// a token the server never started (Unknown Run) or another e-mail than
// the run's (Token Already Used).
func refusedInKorean(t *testing.T, s *Stack) {
	b := newBrowserTab(t)
	signUp(t, b, s.BaseURL, formPerson{Name: "서지훈", Age: "22", Sex: "2", No: "K7001", Phone: "010-7001-7001", Email: "seo@example.com"})
	b.waitJS(t, `document.body.dataset.state === 'instructions'`)
	// Off the experiment page, which keeps its own copy of the session as
	// it goes (pagehide), before the copy in localStorage is changed.
	b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")))
	session := b.js(t, `localStorage.getItem('psyx.session')`)
	for _, c := range []struct{ edit, want, detail, shot string }{
		{`s.token = 'never-' + s.token.slice(6)`, "기록을 찾지 못했습니다", "Unknown Run", "25-korean-unknown-run"},
		{`s.person.email = 'someone.else@example.com'`, "다른 참여자 정보로 시작된", "Token Already Used", "26-korean-token-used-submit"},
	} {
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("resume")))
		b.js(t, fmt.Sprintf(`(() => {
			const s = JSON.parse(%q);
			s.answers = s.pic_pairs.map((p) => ['F', 0.5, p[0], p[1]]);
			%s;
			localStorage.setItem('psyx.session', JSON.stringify(s));
			return '';
		})()`, session, c.edit))
		b.do(t, chromedp.Navigate(s.BaseURL+"/experiment.html"))
		b.waitState(t, "rejected", 30*time.Second)
		checkDetail(t, b, "#message-hint", c.want, c.detail)
		if !b.shown(t, "#resume-code") || !b.shown(t, "#message-actions a[download]") {
			t.Errorf("%s: the refusal shows no resume code or no way to save the reply", c.detail)
		}
		koreanAt(t, b, c.detail+" at submit", c.shot)
	}
	b.checkClean(t)
}
