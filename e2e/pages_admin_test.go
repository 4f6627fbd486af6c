package e2e

// The admin page (admin/index.html) in headless Chromium through Nginx, in
// one full-length run: the researcher uploads a 300-pair folder through the
// page, a participant answers all 300 trials, the researcher downloads the
// replies (JSON, CSV, CSV for Excel) and deletes the pack, which a browser
// navigation must not be able to do.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/psyx-lab/psyx/tools/stack"
)

// The upload form's fields and buttons: none may move while an upload runs.
const uploadFormParts = `#upload-form .field, #upload-form input:not([type=file]), #upload-form select, #upload-form .file-button, #upload-form button`

func TestPagesAdmin(t *testing.T) {
	s := StartStack(t, StackOptions{})
	// Chromium fills a webkitdirectory input from one folder path (it walks
	// the folder itself, as after a real pick); a list of file paths leaves
	// it empty.
	folder := filepath.Join(t.TempDir(), "female20s")
	WritePackFiles(t, folder, "face", 300)
	var files []string
	var folderBytes int64
	names, err := sortedNames(folder)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		fi, err := os.Stat(filepath.Join(folder, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(folder, name))
		folderBytes += fi.Size()
	}
	if err := os.WriteFile(filepath.Join(folder, ".DS_Store"), []byte("\x00\x00\x00\x01Bud1"), 0o644); err != nil {
		t.Fatal(err)
	}
	without := func(name string) []string {
		var out []string
		for _, f := range files {
			if filepath.Base(f) != name {
				out = append(out, f)
			}
		}
		return out
	}
	incomplete := linkFolder(t, "female20s_incomplete", without("face_00300_inv.jpg"))
	// Looks right to the page, but its first image is not a JPEG: only the
	// server can tell, and it says so while the upload is still running.
	corrupt := linkFolder(t, "female20s_corrupt", without("face_00001_ori.jpg"))
	if err := os.WriteFile(filepath.Join(corrupt, "face_00001_ori.jpg"), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowserTab(t)
	b.answerAuth(t, s.AdminUser, s.AdminPassword)
	b.do(t, chromedp.Navigate(s.BaseURL+"/admin/"), chromedp.WaitVisible(chromedp.ID("empty")))
	b.checkLayout(t, "admin", 1366)
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
	b.checkLayout(t, "admin folder problem", 1366)
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
	// throttled to last about five seconds, so that the progress bar can be
	// seen moving and the form looked at meanwhile.
	b.do(t, chromedp.SetUploadFiles(chromedp.ID("folder"), []string{folder}))
	b.waitJS(t, `document.getElementById('folder-summary').textContent.startsWith('female20s: 사진 600개 (300쌍)')`)
	if summary := b.text(t, "#folder-summary"); !strings.Contains(summary, "제외 1개 (.DS_Store)") {
		t.Errorf("folder summary = %q, want the .DS_Store left out", summary)
	}
	before := b.boxes(t, uploadFormParts)
	b.throttleUpload(t, float64(folderBytes)/5)
	b.do(t, chromedp.Click(chromedp.ID("upload")))
	b.waitJS(t, `(() => { const w = parseFloat(document.getElementById('upload-bar').style.width); return w >= 20 && w <= 80; })()`)
	if b.js(t, `String(document.getElementById('upload').disabled)`) != "true" {
		t.Error("the upload button is not disabled during the upload")
	}
	if !b.shown(t, "#cancel") || b.js(t, `getComputedStyle(document.getElementById('cancel')).visibility`) != "visible" {
		t.Error("no cancel button during the upload")
	}
	during := b.boxes(t, uploadFormParts)
	if len(during) != len(before) {
		t.Errorf("the upload form changed when the upload started: %q, then %q", before, during)
	}
	for i := range min(len(before), len(during)) {
		if during[i] != before[i] {
			t.Errorf("the upload form moved when the upload started: %s became %s", before[i], during[i])
		}
	}
	b.shot(t, "23-admin-upload-progress")
	b.throttleUpload(t, -1)
	b.waitJS(t, `document.querySelector('#upload-result.success') !== null`, 2*time.Minute)
	b.waitJS(t, `document.body.dataset.packs === '1'`)
	b.checkLayout(t, "admin with a pack", 1366)
	b.shot(t, "24-admin-with-pack")

	cells := b.js(t, `[...document.querySelectorAll('#pack-rows tr:first-child td')].slice(0, 8).map(td => td.textContent).join('|')`)
	id := strings.SplitN(cells, "|", 2)[0]
	if want := id + "|female20s|여성 20~29세|300|0|0|0|없음"; cells != want {
		t.Errorf("new row = %q, want %q", cells, want)
	}

	// A participant does all 300 trials; a short fixation keeps it quick.
	p := newBrowserTab(t)
	signUpFast(t, p, s.BaseURL, formPerson{Name: "이수진", Age: "22", Sex: "2", No: "S2024001", Phone: "010-2222-3333", Email: "lee@example.com"})
	passInstructions(t, p, 300, false)
	plan := func(i int) string {
		switch {
		case i == 100 || i == 250:
			return " "
		case i%3 == 0:
			return "j"
		}
		return "f"
	}
	shown := answerTrials(t, p, 0, 300, plan, false)
	p.waitState(t, "done", 30*time.Second)
	p.checkClean(t)

	b.do(t, chromedp.Click(chromedp.ID("refresh")))
	b.waitJS(t, `document.querySelector('#pack-rows tr td:nth-child(5)')?.textContent === '1'`)
	checkDownloads(t, s, b, id, plan, shown)
	checkDelete(t, s, b, id)
	// The refused navigation: its 403, and the favicon of that text page.
	b.checkClean(t, "status of 403", "/favicon.ico")
}

// checkDownloads: the row offers JSON, CSV and CSV for Excel as plain links;
// what the browser saves, under the name the server gives, is what a script
// gets.
func checkDownloads(t *testing.T, s *Stack, b *browserTab, id string, plan func(int) string, shown [][2]string) {
	t.Helper()
	base := s.BaseURL + "/api/admin/download?id=" + id
	want := map[string]string{"json": base, "csv": base + "&format=csv", "excel": base + "&format=csv&bom=1"}
	for format, href := range want {
		sel := fmt.Sprintf(`#pack-rows tr:first-child td.links a[data-format=%s]`, format)
		if got := b.js(t, fmt.Sprintf(`document.querySelector(%q)?.href ?? 'none'`, sel)); got != href {
			t.Errorf("%s link = %s, want %s", format, got, href)
		}
		// The server names the file (<pack_name>-<p_id>.json); the page must
		// not put its own name on it.
		if got := b.js(t, fmt.Sprintf(`document.querySelector(%q)?.getAttribute('download') ?? ''`, sel)); got != "" {
			t.Errorf("%s link has download=%q, which overrides the server's file name", format, got)
		}
	}
	if got := b.js(t, `[...document.querySelectorAll('#pack-rows tr:first-child td.links > div:first-child a')].map(a => a.textContent).join('|')`); got != "JSON|CSV|CSV (Excel)" {
		t.Errorf("download links read %q", got)
	}

	downloads := b.saveDownloads(t)
	for _, format := range []string{"json", "csv", "excel"} {
		sel := fmt.Sprintf(`#pack-rows tr:first-child td.links a[data-format=%s]`, format)
		if !b.shown(t, sel) {
			continue // reported above
		}
		script := adminGet(t, s, want[format])
		_, params, err := mime.ParseMediaType(script.Header.Get("Content-Disposition"))
		if err != nil || params["filename"] == "" {
			t.Fatalf("%s download: Content-Disposition %q: %v", format, script.Header.Get("Content-Disposition"), err)
		}
		if format == "json" && !strings.HasSuffix(params["filename"], id+".json") {
			t.Errorf("JSON download Content-Disposition = %q", script.Header.Get("Content-Disposition"))
		}
		b.do(t, chromedp.Click(chromedp.CSS(sel)))
		got := nextDownload(t, downloads)
		if got.Name != params["filename"] {
			t.Errorf("%s: the browser saved %q, the server named it %q", format, got.Name, params["filename"])
		}
		if !bytes.Equal(got.Body, script.Body) {
			t.Errorf("%s: the browser saved %d bytes, a script gets %d", format, len(got.Body), len(script.Body))
		}
		ext := map[string]string{"json": ".json", "csv": ".csv", "excel": "-excel.csv"}[format]
		if want := "female20s-" + id + ext; got.Name != want {
			t.Errorf("%s: saved as %q, want %q", format, got.Name, want)
		}
		// Only the Excel file starts with a UTF-8 byte-order mark.
		if bom := bytes.HasPrefix(got.Body, []byte("\xef\xbb\xbf")); bom != (format == "excel") {
			t.Errorf("%s: byte-order mark %v, want %v", format, bom, format == "excel")
		}
	}

	body := adminGet(t, s, want["json"]).Body
	var pack struct {
		Size    int     `json:"size"`
		Replies []Reply `json:"replies"`
	}
	if err := json.Unmarshal(body, &pack); err != nil {
		t.Fatalf("download JSON: %v", err)
	}
	if len(pack.Replies) != 1 || pack.Size != 300 {
		t.Fatalf("download: size %d, %d replies", pack.Size, len(pack.Replies))
	}
	checkAnswers(t, pack.Replies[0].Answers, plan, shown, 3)
	csvBody := adminGet(t, s, want["csv"]).Body
	if rows, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll(); err != nil || len(rows) != 301 {
		t.Errorf("CSV download: %d rows, %v; want a header and 300 trials", len(rows), err)
	}
}

// checkDelete: with the admin's password in the browser, opening the delete
// address (as a link on another site or a typed URL would) is refused and
// deletes nothing; the page's delete button, a same-origin POST, deletes.
func checkDelete(t *testing.T, s *Stack, b *browserTab, id string) {
	t.Helper()
	pid, _ := strconv.Atoi(id)
	exists := func() bool {
		for _, p := range s.ListPacks(t) {
			if p.PID == pid {
				return true
			}
		}
		return false
	}
	if status := b.navigate(t, s.BaseURL+"/api/admin/remove?id="+id); status != http.StatusForbidden {
		t.Errorf("a navigation to /api/admin/remove?id=%s answered %d, want 403", id, status)
	}
	if !exists() {
		t.Fatalf("a browser navigation deleted pack %s", id)
	}

	b.do(t, chromedp.Navigate(s.BaseURL+"/admin/"))
	b.waitJS(t, `document.body.dataset.packs === '1'`)
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
	if exists() {
		t.Errorf("pack %s is still listed after the page deleted it", id)
	}
	posted := false
	for _, l := range s.APILog(t) {
		if l.Str("path") == "/api/admin/remove" && l.Str("method") == http.MethodPost && fmt.Sprint(l["status"]) == "200" {
			posted = true
		}
	}
	if !posted {
		t.Error("api.log has no POST /api/admin/remove answered 200: the page did not delete with a POST")
	}
	b.shot(t, "25-admin-after-delete")
}

// download is a file the browser saved: the name it chose and the bytes.
type download struct {
	Name string
	Body []byte
}

// saveDownloads lets the browser save downloads into a temp folder and
// reports each finished one.
func (b *browserTab) saveDownloads(t *testing.T) <-chan download {
	t.Helper()
	dir := t.TempDir()
	begun := chromedp.BrowserEvents(b.ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
	yes := true
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: &yes,
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	names := map[string]string{} // guid → suggested name
	go func() {
		for ev, err := range begun {
			if err != nil {
				return
			}
			mu.Lock()
			names[ev.GUID] = ev.SuggestedFilename
			mu.Unlock()
		}
	}()
	out := make(chan download, 8)
	go func() {
		for ev, err := range progress {
			if err != nil {
				return
			}
			if ev.State != browser.DownloadProgressStateCompleted {
				continue
			}
			// The begin event comes first; its name may still be in flight.
			var name string
			stack.Poll(5*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				name = names[ev.GUID]
				return name != ""
			})
			path := ev.FilePath
			if path == "" {
				path = filepath.Join(dir, name)
			}
			body, _ := os.ReadFile(path)
			out <- download{Name: name, Body: body}
		}
	}()
	return out
}

// nextDownload waits for the next finished download.
func nextDownload(t *testing.T, downloads <-chan download) download {
	t.Helper()
	select {
	case d := <-downloads:
		return d
	case <-time.After(time.Minute):
		t.Fatal("no download finished within a minute")
		return download{}
	}
}
