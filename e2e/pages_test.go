package e2e

// The browser pages, driven in headless Chromium through Nginx against the
// real service: a participant signs up and answers every trial with the
// keyboard, reloads mid-way, submits while the API is down; a researcher
// uploads a folder, downloads and deletes. Screenshots of every key state go
// to e2e/test-artifacts/ for a person to look at.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const pagesArtifacts = "test-artifacts"

// pagesHTTP talks to Nginx as a script would.
var pagesHTTP = &http.Client{Timeout: 2 * time.Minute}

// pagesPerson is one participant as the form takes it.
type pagesPerson struct {
	Name, Age, Sex, No, Phone, Email string // Sex: "1" or "2"
}

func TestPagesParticipant(t *testing.T) {
	// A lab that takes only 010 numbers: the page's default rule lets 011
	// through, so the server's 400 must land next to the phone field.
	s := StartStack(t, StackOptions{PairsPerPack: 12, Env: map[string]string{"PSYX_PHONE_PATTERN": `^010-\d{4}-\d{4}$`}})
	female20 := pagesCreatePack(t, s, "female20s", 2, 20, 29, 12)
	female30 := pagesCreatePack(t, s, "female30s", 2, 30, 39, 12)
	male20 := pagesCreatePack(t, s, "male20s", 1, 20, 29, 12)
	male30 := pagesCreatePack(t, s, "male30s", 1, 30, 39, 12)

	t.Run("SignUpAndAllTrials", func(t *testing.T) {
		b := pagesBrowser(t)
		b.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
		b.shot(t, "01-signup")

		// A bad phone number is caught while typing, before anything is sent.
		p := pagesPerson{Name: "홍길동", Age: "45", Sex: "2", No: "2024123456", Phone: "010-12345678", Email: "hong@example.com"}
		pagesFillForm(t, b, p)
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

		b.retype(t, "age", "25")
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")),
			chromedp.Click(chromedp.ID("start")))
		pagesInstructions(t, b, 12, true)

		plan := func(i int) string { return []string{"f", "j", "f", " ", "j", "j", "f", "f", " ", "j", "f", "j"}[i] }
		shown := pagesTrials(t, b, 0, 12, plan, true)
		b.waitState(t, "done", 30*time.Second)
		if msg := b.text(t, "#message"); msg != "성실히 응답해주셔서 감사합니다" {
			t.Errorf("thank-you text = %q", msg)
		}
		b.shot(t, "08-thank-you")
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "gone" {
			t.Error("the finished run is still in localStorage")
		}

		reply := pagesOnlyReply(t, s, female20)
		if reply.Name != "홍길동" || reply.Age != 25 || reply.Sex != 2 || reply.Phone != "010-1234-5678" || reply.No != "2024123456" || reply.Email != "hong@example.com" {
			t.Errorf("stored person = %+v", reply)
		}
		pagesCheckAnswers(t, reply.Answers, plan, shown, 3)
		pagesCheckCSV(t, s, female20, plan)
		b.checkClean(t)
	})

	t.Run("ReloadResumes", func(t *testing.T) {
		b := pagesBrowser(t)
		pagesSignUp(t, b, s.BaseURL, pagesPerson{Name: "김영희", Age: "33", Sex: "2", No: "A1234", Phone: "011-9876-5432", Email: "kim.yh+lab@example.ac.kr"})
		b.waitJS(t, `document.body.dataset.step === 'form' && document.querySelector('[data-field=phone]').classList.contains('invalid')`)
		if msg := b.text(t, "#phone-hint"); !strings.Contains(msg, "휴대전화 번호") {
			t.Errorf("server's phone refusal shown as %q", msg)
		}
		b.shot(t, "04-signup-server-phone-error")
		b.retype(t, "phone", "010-9876-5432")
		b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
		pagesInstructions(t, b, 12, false)

		plan := func(i int) string { return map[bool]string{true: "f", false: "j"}[i%3 != 1] }
		shown := pagesTrials(t, b, 0, 3, plan, false)
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
		shown = append(shown, pagesTrials(t, b, 3, 5, plan, false)...)

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
		shown = append(shown, pagesTrials(t, b, 5, 12, plan, false)...)
		b.waitState(t, "done", 30*time.Second)

		reply := pagesOnlyReply(t, s, female30)
		pagesCheckAnswers(t, reply.Answers, plan, shown, 3)
		b.checkClean(t)
	})

	// The pack is deleted while the participant works: the server refuses
	// the reply with a 400, which the page shows once and does not retry.
	t.Run("SubmitRefused", func(t *testing.T) {
		b := pagesBrowser(t)
		pagesSignUp(t, b, s.BaseURL, pagesPerson{Name: "최준호", Age: "35", Sex: "1", No: "B777", Phone: "010-4444-1111", Email: "choi@example.com"})
		pagesInstructions(t, b, 12, false)
		pagesTrials(t, b, 0, 11, func(int) string { return "f" }, false)
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '11'`)
		pagesAdminGet(t, s, fmt.Sprintf("%s/api/admin/remove?id=%d", s.BaseURL, male30))
		b.do(t, chromedp.KeyEvent("f"))
		b.waitState(t, "rejected", 30*time.Second)
		if msg := b.text(t, "#message"); !strings.Contains(msg, "연구 담당자") {
			t.Errorf("refusal shown as %q", msg)
		}
		if hint := b.text(t, "#message-hint"); !strings.HasPrefix(hint, "Invalid Input") {
			t.Errorf("the server's reason is not shown: %q", hint)
		}
		if b.js(t, `document.querySelector('#message-actions a[download]')?.textContent ?? ''`) == "" {
			t.Error("no way to save the refused reply")
		}
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "kept" {
			t.Error("the refused reply was dropped from localStorage")
		}
		b.shot(t, "12-submit-refused")
		b.checkClean(t)
	})

	// Last: it stops the API.
	t.Run("SubmitWhileAPIDown", func(t *testing.T) {
		b := pagesBrowser(t)
		pagesSignUp(t, b, s.BaseURL, pagesPerson{Name: "박민수", Age: "24", Sex: "1", No: "20231", Phone: "010-5555-0000", Email: "park@example.com"})
		pagesInstructions(t, b, 12, false)

		plan := func(i int) string { return map[bool]string{true: "j", false: "f"}[i%2 == 0] }
		shown := pagesTrials(t, b, 0, 11, plan, false)
		b.waitJS(t, `document.body.dataset.state === 'trial' && document.body.dataset.trial === '11'`)
		s.Supervisorctl(t, "stop", "psyx")
		shown = append(shown, pagesShownFiles(t, b))
		b.do(t, chromedp.KeyEvent(plan(11)))

		// Nginx answers 502 now; the page keeps the reply and retries.
		b.waitJS(t, `document.body.dataset.state === 'retrying' && Number(document.body.dataset.attempt) >= 2`)
		b.shot(t, "11-submit-retrying")
		if n := pagesReplyCountDB(t, s, male20); n != 0 {
			t.Fatalf("%d replies stored while the API was down", n)
		}
		if b.js(t, `localStorage.getItem('psyx.session') === null ? 'gone' : 'kept'`) != "kept" {
			t.Error("the unsent reply is not kept in localStorage")
		}

		s.Supervisorctl(t, "start", "psyx")
		waitHealthy(t, s.BaseURL+"/api/health")
		b.waitState(t, "done", 60*time.Second)
		reply := pagesOnlyReply(t, s, male20)
		pagesCheckAnswers(t, reply.Answers, plan, shown, 3)
		b.checkClean(t, "Failed to load resource")
	})
}

// One full-length run: the researcher uploads a 300-pair folder through the
// page, a participant answers all 300 trials, the researcher downloads and
// deletes.
func TestPagesAdmin(t *testing.T) {
	s := StartStack(t, StackOptions{})
	// Chromium fills a webkitdirectory input from one folder path (it walks
	// the folder itself, as after a real pick); a list of file paths leaves
	// it empty.
	folder := filepath.Join(t.TempDir(), "female20s")
	mkdir(t, folder)
	files := pagesWriteFaces(t, folder, "face", 300)
	if err := os.WriteFile(filepath.Join(folder, ".DS_Store"), []byte("\x00\x00\x00\x01Bud1"), 0o644); err != nil {
		t.Fatal(err)
	}
	incomplete := pagesLinkFolder(t, "female20s_incomplete", files[:len(files)-1])
	// Looks right to the page, but its first image is not a JPEG: only the
	// server can tell, and it says so while the upload is still running.
	corrupt := pagesLinkFolder(t, "female20s_corrupt", files[1:])
	if err := os.WriteFile(filepath.Join(corrupt, filepath.Base(files[0])), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := pagesBrowser(t)
	b.answerAuth(t, s.AdminUser, s.AdminPassword)
	b.do(t, chromedp.Navigate(s.BaseURL+"/admin/"), chromedp.WaitVisible(chromedp.ID("empty")))
	b.shot(t, "20-admin-empty")

	// A folder with a pair missing half is refused by the page itself.
	b.do(t,
		chromedp.SendKeys(chromedp.ID("pack_name"), "female20s"),
		chromedp.SetValue(chromedp.ID("sex"), "2"),
		chromedp.SendKeys(chromedp.ID("age_min"), "20"),
		chromedp.SendKeys(chromedp.ID("age_max"), "29"),
		chromedp.SetUploadFiles(chromedp.ID("folder"), []string{incomplete}),
	)
	b.waitJS(t, `document.getElementById('upload-result').textContent.includes('00300번 쌍에 inv 사진이 없습니다')`)
	b.do(t, chromedp.Click(chromedp.ID("upload")))
	b.waitJS(t, `document.getElementById('upload-result').textContent.includes('고쳐주세요')`)
	b.shot(t, "21-admin-folder-problem")

	b.do(t, chromedp.SetUploadFiles(chromedp.ID("folder"), []string{corrupt}))
	b.waitJS(t, `document.getElementById('folder-summary').textContent.startsWith('female20s_corrupt: 사진 600개 (300쌍)')`)
	b.do(t, chromedp.Click(chromedp.ID("upload")))
	b.waitJS(t, `document.querySelector('#upload-result.error') !== null && !document.getElementById('upload').disabled`, time.Minute)
	if msg := b.text(t, "#upload-result"); !strings.Contains(msg, "열 수 없는 사진") || !strings.Contains(msg, "Invalid Image: face_00001_ori.jpg") {
		t.Errorf("server refusal shown as %q", msg)
	}
	b.shot(t, "22-admin-server-refusal")

	// The whole folder, with a .DS_Store the page leaves out; the upload is
	// throttled so that the progress bar can be seen moving.
	b.do(t, chromedp.SetUploadFiles(chromedp.ID("folder"), []string{folder}))
	b.waitJS(t, `document.getElementById('folder-summary').textContent.startsWith('female20s: 사진 600개 (300쌍)')`)
	if summary := b.text(t, "#folder-summary"); !strings.Contains(summary, "제외 1개 (.DS_Store)") {
		t.Errorf("folder summary = %q, want the .DS_Store left out", summary)
	}
	b.throttleUpload(t, 1<<20)
	b.do(t, chromedp.Click(chromedp.ID("upload")))
	b.waitJS(t, `(() => { const w = parseFloat(document.getElementById('upload-bar').style.width); return w >= 20 && w <= 80; })()`)
	if b.js(t, `String(document.getElementById('upload').disabled)`) != "true" {
		t.Error("the upload button is not disabled during the upload")
	}
	b.shot(t, "23-admin-upload-progress")
	b.throttleUpload(t, -1)
	b.waitJS(t, `document.querySelector('#upload-result.success') !== null`, 2*time.Minute)
	b.waitJS(t, `document.body.dataset.packs === '1'`)
	b.shot(t, "24-admin-with-pack")

	cells := b.js(t, `[...document.querySelectorAll('#pack-rows tr:first-child td')].slice(0, 7).map(td => td.textContent).join('|')`)
	id := strings.SplitN(cells, "|", 2)[0]
	if want := id + "|female20s|여성|20|29|300|0"; cells != want {
		t.Errorf("new row = %q, want %q", cells, want)
	}

	// A participant does all 300 trials; a short fixation keeps it quick.
	p := pagesBrowser(t)
	p.do(t, chromedp.Navigate(s.BaseURL+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('psyx.fixationMs', '30')`))
	pagesFillForm(t, p, pagesPerson{Name: "이수진", Age: "22", Sex: "2", No: "S2024001", Phone: "010-2222-3333", Email: "lee@example.com"})
	p.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
	pagesInstructions(t, p, 300, false)
	plan := func(i int) string {
		switch {
		case i == 100 || i == 250:
			return " "
		case i%3 == 0:
			return "j"
		}
		return "f"
	}
	shown := pagesTrials(t, p, 0, 300, plan, false)
	p.waitState(t, "done", 30*time.Second)
	p.checkClean(t)

	b.do(t, chromedp.Click(chromedp.ID("refresh")))
	b.waitJS(t, `document.querySelector('#pack-rows tr td:nth-child(7)')?.textContent === '1'`)

	// Downloads are plain links; what they point at is what a script gets.
	jsonHref := b.js(t, `document.querySelector('#pack-rows tr td.links a:first-child').href`)
	csvHref := b.js(t, `document.querySelector('#pack-rows tr td.links a:last-child').href`)
	if jsonHref != s.BaseURL+"/api/admin/download?id="+id || csvHref != jsonHref+"&format=csv" {
		t.Errorf("download links = %s, %s", jsonHref, csvHref)
	}
	body, header := pagesAdminGet(t, s, jsonHref)
	if cd := header.Get("Content-Disposition"); !strings.Contains(cd, id+".json") {
		t.Errorf("JSON download Content-Disposition = %q", cd)
	}
	var pack pagesPack
	if err := json.Unmarshal(body, &pack); err != nil {
		t.Fatalf("download JSON: %v", err)
	}
	if len(pack.Replies) != 1 || pack.Size != 300 {
		t.Fatalf("download: size %d, %d replies", pack.Size, len(pack.Replies))
	}
	pagesCheckAnswers(t, pack.Replies[0].Answers, plan, shown, 3)
	csvBody, _ := pagesAdminGet(t, s, csvHref)
	if rows, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll(); err != nil || len(rows) != 301 {
		t.Errorf("CSV download: %d rows, %v; want a header and 300 trials", len(rows), err)
	}

	// Delete, after a confirmation that names the pack and its replies.
	dialogs := b.acceptDialogs(t)
	b.do(t, chromedp.Click(chromedp.CSS("#pack-rows tr:first-child .btn-danger")))
	select {
	case msg := <-dialogs:
		if !strings.Contains(msg, "female20s") || !strings.Contains(msg, "응답 1건") {
			t.Errorf("delete confirmation = %q, want the pack name and its reply count", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no confirmation before the delete")
	}
	b.waitJS(t, `document.body.dataset.packs === '0' && !document.getElementById('empty').hidden`)
	if msg := b.text(t, "#list-message"); !strings.Contains(msg, "삭제했습니다") {
		t.Errorf("after delete the page says %q", msg)
	}
	b.shot(t, "25-admin-after-delete")
	b.checkClean(t)
}

// pagesLinkFolder makes a new folder holding these files (hard links).
func pagesLinkFolder(t *testing.T, name string, files []string) string {
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

// ---- participant steps ------------------------------------------------------

func pagesFillForm(t *testing.T, b *pagesTab, p pagesPerson) {
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

// pagesInstructions waits for each instruction screen and presses Space.
func pagesInstructions(t *testing.T, b *pagesTab, trials int, shots bool) {
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

// pagesTrials answers trials [from, to) as plan says ("f", "j", or " " to
// let it time out) and returns the files shown left and right in each.
func pagesTrials(t *testing.T, b *pagesTab, from, to int, plan func(int) string, shots bool) [][2]string {
	t.Helper()
	var shown [][2]string
	for i := from; i < to; i++ {
		if shots && i == 7 {
			b.waitJS(t, `document.body.dataset.state === 'fixation' && document.body.dataset.trial === '7'`)
			b.shot(t, "07-fixation")
		}
		b.waitJS(t, fmt.Sprintf(`document.body.dataset.state === 'trial' && document.body.dataset.trial === '%d'`, i))
		shown = append(shown, pagesShownFiles(t, b))
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

func pagesShownFiles(t *testing.T, b *pagesTab) [2]string {
	t.Helper()
	var files []string
	raw := b.js(t, `JSON.stringify([...document.querySelectorAll('.face img')].filter(i => i.complete && i.naturalWidth > 0).map(i => decodeURIComponent(new URL(i.src).pathname.split('/').pop())))`)
	if err := json.Unmarshal([]byte(raw), &files); err != nil || len(files) != 2 {
		t.Fatalf("faces on screen = %s (%v)", raw, err)
	}
	return [2]string{files[0], files[1]}
}

func pagesCheckAnswers(t *testing.T, answers []json.RawMessage, plan func(int) string, shown [][2]string, limit float64) {
	t.Helper()
	if len(answers) != len(shown) {
		t.Fatalf("%d answers stored, %d trials shown", len(answers), len(shown))
	}
	for i, raw := range answers {
		var a [4]any
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("answer %d = %s: %v", i, raw, err)
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

// ---- the service, through Nginx -------------------------------------------

type pagesReply struct {
	Name, Email, No, Phone string
	Sex, Age               int
	Answers                []json.RawMessage
}

type pagesPack struct {
	ID      int `json:"p_id"`
	Size    int `json:"size"`
	Replies []pagesReply
}

func pagesAdminGet(t *testing.T, s *Stack, url string) ([]byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.AdminUser, s.AdminPassword)
	resp, err := pagesHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return body, resp.Header
}

func pagesDownload(t *testing.T, s *Stack, id int) pagesPack {
	t.Helper()
	body, _ := pagesAdminGet(t, s, fmt.Sprintf("%s/api/admin/download?id=%d", s.BaseURL, id))
	var p pagesPack
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("download %d: %v", id, err)
	}
	return p
}

func pagesOnlyReply(t *testing.T, s *Stack, id int) pagesReply {
	t.Helper()
	p := pagesDownload(t, s, id)
	if len(p.Replies) != 1 {
		t.Fatalf("pack %d has %d replies, want exactly 1", id, len(p.Replies))
	}
	return p.Replies[0]
}

// pagesReplyCountDB asks PostgreSQL directly: the API may be down.
func pagesReplyCountDB(t *testing.T, s *Stack, id int) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, `SELECT count(*) FROM reply WHERE p_id = $1`, id); err != nil {
		t.Fatalf("count replies: %v", err)
	}
	return n
}

func pagesCheckCSV(t *testing.T, s *Stack, id int, plan func(int) string) {
	t.Helper()
	body, _ := pagesAdminGet(t, s, fmt.Sprintf("%s/api/admin/download?id=%d&format=csv", s.BaseURL, id))
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

// pagesCreatePack uploads a generated pack straight to the API, the way a
// script would, and returns its id.
func pagesCreatePack(t *testing.T, s *Stack, name string, sex, ageMin, ageMax, pairs int) int {
	t.Helper()
	files := pagesWriteFaces(t, t.TempDir(), name, pairs)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]int{"sex": sex, "age_min": ageMin, "age_max": ageMax} {
		w.WriteField(k, fmt.Sprint(v))
	}
	w.WriteField("pack_name", name)
	for _, f := range files {
		part, err := w.CreateFormFile("file", filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(b)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, s.BaseURL+"/api/admin/create", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.SetBasicAuth(s.AdminUser, s.AdminPassword)
	resp, err := pagesHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	var id int
	if _, err := fmt.Sscanf(string(msg), "Pack %d Added.", &id); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("create %s: %s %s", name, resp.Status, msg)
	}
	return id
}

// pagesWriteFaces writes pairs of small grey "faces": one base face plus and
// minus a sinusoid noise, as reverse-correlation stimuli look, so that the
// screenshots show something like the real task.
func pagesWriteFaces(t *testing.T, dir, prefix string, pairs int) []string {
	t.Helper()
	const size = 160
	base := make([]float64, size*size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			fx, fy := float64(x)/size-0.5, float64(y)/size-0.5
			v := 128.0
			if fx*fx/0.11+fy*fy/0.17 < 1 { // head
				v = 175
			}
			for _, eye := range [][2]float64{{-0.13, -0.06}, {0.13, -0.06}} {
				if dx, dy := fx-eye[0], fy-eye[1]; dx*dx/0.004+dy*dy/0.0015 < 1 {
					v = 70
				}
			}
			if dx, dy := fx, fy-0.2; dx*dx/0.012+dy*dy/0.0008 < 1 { // mouth
				v = 110
			}
			base[y*size+x] = v
		}
	}
	var files []string
	for n := 1; n <= pairs; n++ {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		noise := make([]float64, size*size)
		for k := 0; k < 10; k++ {
			f := 2 * math.Pi * float64(1+rng.IntN(12)) / size
			ang, phase, amp := rng.Float64()*math.Pi, rng.Float64()*2*math.Pi, 6+rng.Float64()*10
			for y := 0; y < size; y++ {
				for x := 0; x < size; x++ {
					noise[y*size+x] += amp * math.Sin(f*(math.Cos(ang)*float64(x)+math.Sin(ang)*float64(y))+phase)
				}
			}
		}
		for _, side := range []struct {
			kind string
			sign float64
		}{{"ori", 1}, {"inv", -1}} {
			kind, sign := side.kind, side.sign
			img := image.NewGray(image.Rect(0, 0, size, size))
			for i, v := range base {
				img.Pix[i] = uint8(math.Max(0, math.Min(255, v+sign*noise[i])))
			}
			path := filepath.Join(dir, fmt.Sprintf("%s_%05d_%s.jpg", prefix, n, kind))
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, path)
		}
	}
	return files
}

// ---- the browser --------------------------------------------------------------

type pagesTab struct {
	ctx  context.Context
	mu   sync.Mutex
	errs []string // uncaught exceptions and console errors from the page
}

// pagesBrowser starts a fresh headless Chromium with its own profile, sized
// like the lab's laptops.
func pagesBrowser(t *testing.T) *pagesTab {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s not found: install Debian's chromium package (scripts/test.sh does)", chromium)
	}
	root, cancelRoot := context.WithTimeout(context.Background(), 8*time.Minute)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelRoot() })

	b := &pagesTab{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	exceptions := chromedp.Events(ctx, cdpruntime.ExceptionThrown)
	logs := chromedp.Events(ctx, cdplog.EntryAdded)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.note(fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.LineNumber))
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.note(fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}()
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *pagesTab) note(s string) {
	b.mu.Lock()
	b.errs = append(b.errs, s)
	b.mu.Unlock()
}

// checkClean fails on page errors, except those with one of the allowed
// substrings (a 400 or 502 shows up as a failed resource load).
func (b *pagesTab) checkClean(t *testing.T, allowed ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	allowed = append(allowed, "status of 400")
next:
	for _, e := range b.errs {
		for _, a := range allowed {
			if strings.Contains(e, a) {
				continue next
			}
		}
		t.Errorf("page error: %s", e)
	}
}

func (b *pagesTab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// js evaluates an expression that yields a string.
func (b *pagesTab) js(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// retype replaces a field's text the way a person does: select all, type.
func (b *pagesTab) retype(t *testing.T, id, value string) {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).select()`, id)),
		chromedp.SendKeys(chromedp.ID(id), value))
}

func (b *pagesTab) text(t *testing.T, css string) string {
	t.Helper()
	return b.js(t, fmt.Sprintf(`document.querySelector(%q).textContent.trim()`, css))
}

// waitJS waits until the expression is truthy: the pages expose their state
// in the DOM (body data-state, data-trial), so no test sleeps.
func (b *pagesTab) waitJS(t *testing.T, expr string, timeout ...time.Duration) {
	t.Helper()
	d := 30 * time.Second
	if len(timeout) > 0 {
		d = timeout[0]
	}
	deadline := time.Now().Add(d)
	var err error
	for {
		// A navigation (sign-up → experiment, reload) ends a poll early:
		// poll again on the new page.
		_, err = chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || errors.Is(err, chromedp.ErrPollingTimeout) || time.Now().After(deadline) || b.ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		state := b.js(t, `document.body.dataset.state + ' ' + JSON.stringify(document.body.dataset) + ' ' + document.body.innerText.slice(0, 300)`)
		t.Fatalf("waiting for %s: %v; page: %s", expr, err, state)
	}
}

func (b *pagesTab) waitState(t *testing.T, state string, timeout time.Duration) {
	t.Helper()
	b.waitJS(t, fmt.Sprintf(`document.body.dataset.state === %q`, state), timeout)
}

func (b *pagesTab) shot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(pagesArtifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pagesArtifacts, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// answerAuth plays the researcher typing the password into the browser's
// login box whenever Nginx asks; Chromium then reuses it for the realm.
func (b *pagesTab) answerAuth(t *testing.T, user, password string) {
	t.Helper()
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	asked := chromedp.Events(b.ctx, fetch.AuthRequired)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()
	go func() {
		for ev, err := range asked {
			if err != nil {
				return
			}
			chromedp.Call(b.ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
				RequestID: ev.RequestID,
				AuthChallengeResponse: &fetch.AuthChallengeResponse{
					Response: fetch.AuthChallengeResponseResponseProvideCredentials,
					Username: user, Password: password,
				},
			})
		}
	}()
	yes := true
	_, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*admin*"}},
		HandleAuthRequests: &yes,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// acceptDialogs accepts every confirm() and reports its text.
func (b *pagesTab) acceptDialogs(t *testing.T) <-chan string {
	t.Helper()
	out := make(chan string, 4)
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			out <- ev.Message
			chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return out
}

// throttleUpload limits upload speed (bytes/s); -1 lifts the limit.
func (b *pagesTab) throttleUpload(t *testing.T, bytesPerSecond float64) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSecond}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pagesSignUp opens the sign-up page, fills it in and confirms: the page
// then sends the start request.
func pagesSignUp(t *testing.T, b *pagesTab, base string, p pagesPerson) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("signup-form")))
	pagesFillForm(t, b, p)
	b.do(t, chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm")), chromedp.Click(chromedp.ID("start")))
}
