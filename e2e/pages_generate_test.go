package e2e

// The admin page's second way to make a pack ("기본 얼굴로 만들기") in
// headless Chromium through Nginx: a base that is not square refused by the
// page, a preview of one pair, the pack made with the preview's seed while
// the page shows it working, the new row in the table, a participant
// served its images, and the stimuli kept beside them never served.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/psyx-lab/psyx/tools/testkit"
)

func TestPagesGenerate(t *testing.T) {
	const pairs = 40
	s := StartStack(t, StackOptions{PairsPerPack: pairs})
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.png")
	if err := os.WriteFile(wide, testkit.Encode(image.NewGray(image.Rect(0, 0, 160, 120)), testkit.PNG), 0o644); err != nil {
		t.Fatal(err)
	}
	// rcicr's own base face of the stimuli fixture: an RGB photo, 128².
	face := filepath.Join(repoRoot, "stimuli", "testdata", "rcicr", "face.png")

	b := newBrowserTab(t)
	b.answerAuth(t, s.AdminUser, s.AdminPassword)
	b.do(t, chromedp.Navigate(s.BaseURL+"/admin/"), chromedp.WaitVisible(chromedp.ID("generate-form")))
	b.waitJS(t, `document.body.dataset.generate === 'idle' && document.body.dataset.packs === '0'`)

	// A base that is not square: the page says so before anything is sent.
	b.do(t, chromedp.SetUploadFiles(chromedp.ID("gen_base"), []string{wide}))
	b.waitJS(t, `document.getElementById('gen-base-summary').textContent.includes('정사각형이 아닙니다')`)
	b.do(t, chromedp.Click(chromedp.ID("gen-preview-button")))
	b.waitJS(t, `document.body.dataset.generate === 'error' && document.getElementById('generate-result').textContent.includes('정사각형')`)

	// The preview: one pair, ori left and inv right, of gabor noise.
	b.do(t, chromedp.SetUploadFiles(chromedp.ID("gen_base"), []string{face}),
		chromedp.SetValue(chromedp.ID("gen_noise"), "gabor"))
	b.waitJS(t, `document.getElementById('gen-base-summary').textContent.includes('128×128')`)
	b.do(t, chromedp.Click(chromedp.ID("gen-preview-button")))
	b.waitJS(t, `document.body.dataset.generate === 'preview'`)
	if size := b.js(t, `(() => { const i = document.getElementById('gen-preview-img'); return i.naturalWidth + 'x' + i.naturalHeight; })()`); size != "256x128" {
		t.Errorf("the preview is %s, want 256x128 (ori | inv)", size)
	}
	seed := b.js(t, `document.body.dataset.previewSeed`)
	if caption := b.text(t, "#gen-preview-caption"); !strings.Contains(caption, "왼쪽 ori, 오른쪽 inv") || !strings.Contains(caption, seed) {
		t.Errorf("preview caption %q (seed %s)", caption, seed)
	}
	b.checkLayout(t, "admin generate preview", 1366)
	b.fullShot(t, "26-admin-generate-preview")

	// Create: the form is busy and shows its progress while the request
	// runs (the upload is throttled so that the state can be seen).
	b.do(t,
		chromedp.SendKeys(chromedp.ID("gen_pack_name"), "gen20s"),
		chromedp.SetValue(chromedp.ID("gen_sex"), "2"),
		chromedp.SendKeys(chromedp.ID("gen_age_min"), "20"),
		chromedp.SendKeys(chromedp.ID("gen_age_max"), "29"),
	)
	b.throttleUpload(t, 4096)
	b.do(t, chromedp.Click(chromedp.ID("generate")))
	b.waitJS(t, `document.body.dataset.generate === 'working' && !document.getElementById('generate-progress').hidden`)
	if b.js(t, `String(document.getElementById('generate').disabled && document.getElementById('gen-preview-button').disabled)`) != "true" {
		t.Error("the buttons are not disabled while the pack is made")
	}
	if got := b.text(t, "#generate"); got != "만드는 중…" {
		t.Errorf("the create button reads %q while working", got)
	}
	b.shot(t, "27-admin-generate-working")
	b.throttleUpload(t, -1)
	b.waitJS(t, `document.body.dataset.generate === 'done' && document.body.dataset.packs === '1'`, 3*time.Minute)
	if msg := b.text(t, "#generate-result"); !strings.Contains(msg, "'gen20s' 세트를 만들었습니다") {
		t.Errorf("after create the page says %q", msg)
	}
	cells := b.js(t, `[...document.querySelectorAll('#pack-rows tr:first-child td')].slice(0, 8).map(td => td.textContent).join('|')`)
	id := strings.SplitN(cells, "|", 2)[0]
	if want := id + "|gen20s|여성 20~29세|" + strconv.Itoa(pairs) + "|0|0|0|없음"; cells != want {
		t.Errorf("new row = %q, want %q", cells, want)
	}
	b.checkLayout(t, "admin generated", 1366)
	b.fullShot(t, "28-admin-generated")
	b.checkClean(t)

	checkGenerated(t, s, id, seed, face)

	// A participant is matched to it and sees its images.
	p := newBrowserTab(t)
	signUpFast(t, p, s.BaseURL, formPerson{Name: "이수진", Age: "22", Sex: "2", No: "S2024001", Phone: "010-2222-3333", Email: "lee@example.com"})
	passInstructions(t, p, pairs, false)
	for _, shown := range answerTrials(t, p, 0, 3, func(int) string { return "f" }, false) {
		for _, f := range shown {
			if !strings.HasPrefix(f, "gen20s_000") || !strings.HasSuffix(f, ".png") {
				t.Errorf("the participant was shown %q", f)
			}
		}
	}
	p.shot(t, "29-participant-generated-pack")
	p.checkClean(t)
}

// checkGenerated: the pack keeps the page's settings and the preview's
// seed, so its first pair is the pair previewed; its images are served to
// anyone, its stimuli files to nobody.
func checkGenerated(t *testing.T, s *Stack, id, seed, face string) {
	t.Helper()
	var settings struct {
		Noise   string `json:"noise"`
		ImgSize int    `json:"img_size"`
		Trials  int    `json:"trials"`
		Seed    int64  `json:"seed"`
	}
	if err := json.Unmarshal(adminGet(t, s, "/api/admin/stimuli?id="+id).Body, &settings); err != nil {
		t.Fatal(err)
	}
	if strconv.FormatInt(settings.Seed, 10) != seed || settings.Noise != "gabor" || settings.ImgSize != 128 || settings.Trials != 40 {
		t.Errorf("settings %+v, want gabor, 128, 40 pairs, the preview's seed %s", settings, seed)
	}
	data, err := os.ReadFile(face)
	if err != nil {
		t.Fatal(err)
	}
	fields := []testkit.Field{{Name: "noise", Value: "gabor"}, {Name: "seed", Value: seed}}
	ct, body := testkit.GenerateBody(t, fields, "face.png", data)
	req, err := http.NewRequest(http.MethodPost, s.URL("/api/admin/generate?preview=1"), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	preview := send(t, s.AdminClient(), req)
	if preview.Status != http.StatusOK {
		t.Fatalf("preview: %v", preview)
	}
	both := decodeGrey(t, preview.Body)
	for side, kind := range []string{"ori", "inv"} {
		r := s.Get(t, s.Client(), fmt.Sprintf("/packs/gen20s/gen20s_00001_%s.png", kind))
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("pair 1's %s through Nginx: %d %s", kind, r.Status, r.Header.Get("Content-Type"))
		}
		img := decodeGrey(t, r.Body)
		for y := range 128 {
			for x := range 128 {
				if img.GrayAt(x, y) != both.GrayAt(side*128+x, y) {
					t.Fatalf("pair 1's %s differs from the preview at (%d, %d)", kind, x, y)
				}
			}
		}
	}
	for _, f := range []string{"stimuli.json", "stimuli.params", "stimuli.base"} {
		if r := s.Get(t, s.Client(), "/packs/gen20s/"+f); r.Status == http.StatusOK {
			t.Errorf("/packs/gen20s/%s is served", f)
		}
	}
}

func decodeGrey(t *testing.T, data []byte) *image.Gray {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("not an 8-bit grey PNG: %T", img)
	}
	return g
}
