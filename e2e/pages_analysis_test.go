package e2e

// The results page's analysis (issue 17) in Chromium, at 1366×768 and on a
// 390×844 phone: a reply ticked off leaves the group CI (its info line, the
// server's X-Psyx-Replies and X-Psyx-Excluded, the download links, the
// pooled RT histogram, the infoVal dots, the reliability) and the address
// keeps it over a reload; the flagged switch leaves out exactly the
// flagged rows; the anti-CI; the reliability figures and the methods
// sentence are the API's; a per-participant RT histogram and the marks of
// resumed runs; a comparison of two reply sets started on the page shows
// its progress, then the PNG and the cluster table of the API's JSON; its
// errors are said in Korean.

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func TestPagesAnalysis(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: analysisPairs})
	fx := makeAnalysisFixture(t, s, analysisPairs)
	var q qualityAnswer
	apiJSON(t, s, fmt.Sprintf("/api/admin/quality?id=%d", fx.id), &q)
	flagged := q.flaggedIDs()
	for _, r := range q.Replies {
		t.Logf("reply %d: infoVal %.2f, flags %v", r.RID, deref(r.InfoVal), r.Flags)
	}
	if joinIDs(flagged) != joinIDs(fx.flagged) {
		t.Fatalf("flagged replies %v, want the always-left and the too-fast one %v", flagged, fx.flagged)
	}
	for _, v := range []analysisView{
		{name: "1366", shots: "30-analysis-1366", width: 1366, out: fx.a[4], a: fx.a, b: fx.b},
		{name: "390", shots: "31-analysis-390", width: 390, phone: true, out: fx.a[3], a: fx.a[:4], b: fx.b},
	} {
		t.Run(v.name, func(t *testing.T) { analysisPage(t, s, fx, q, v) })
	}
}

// analysisView is one screen the page is tried on: the reply it ticks off
// and the two sets it compares.
type analysisView struct {
	name, shots string
	width       int
	phone       bool
	out         int64
	a, b        []int64
}

// press clicks as the screen's person does: a mouse on the laptop, a tap
// on the phone (the element's click: headless Chromium turns no touch
// into a click).
func (v analysisView) press(t *testing.T, b *browserTab, css string) {
	t.Helper()
	if v.phone {
		b.js(t, fmt.Sprintf(`document.querySelector(%q).click(), ''`, css))
		return
	}
	b.do(t, chromedp.Click(chromedp.CSS(css)))
}

// waitSelection waits until every part of the page shows the selection ex
// (the API's exclude value).
func waitSelection(t *testing.T, b *browserTab, ex string) {
	t.Helper()
	b.waitJS(t, fmt.Sprintf(`(d => d.state === 'ready' && d.group === 'ready' && d.groupExclude === %[1]q &&
		d.qualityExclude === %[1]q && d.reliability === 'ready' && d.reliabilityExclude === %[1]q)(document.body.dataset)`, ex), 2*time.Minute)
}

func analysisPage(t *testing.T, s *Stack, fx analysisFixture, q qualityAnswer, v analysisView) {
	flagged := q.flaggedIDs()
	b := newBrowserTab(t)
	b.answerAuth(t, s.AdminUser, s.AdminPassword)
	if v.phone {
		b.phone(t, 390, 844)
	}
	page := fmt.Sprintf("%s/admin/results.html?id=%d", s.BaseURL, fx.id)
	b.do(t, chromedp.Navigate(page))
	waitSelection(t, b, "")
	b.checkLayout(t, "analysis", v.width)

	// Resumed and moved runs are marked, with a tooltip.
	row := func(rid int64) string { return fmt.Sprintf(`#quality-rows tr[data-rid="%d"]`, rid) }
	if tip := b.js(t, fmt.Sprintf(`document.querySelector('%s .run-mark')?.title ?? ''`, row(fx.resumed))); !strings.Contains(tip, "1번 중단했다가 이어서") || !strings.Contains(tip, "2대의 기기") {
		t.Errorf("resumed run's mark = %q", tip)
	}
	if got := b.js(t, fmt.Sprintf(`[...document.querySelectorAll('%s td.noted')].map(td => td.dataset.col).join()`, row(fx.resumed))); got != "resumes,devices" {
		t.Errorf("resumed run's noted cells = %q", got)
	}
	if n := b.js(t, `String(document.querySelectorAll('#quality-rows .run-mark').length)`); n != "1" {
		t.Errorf("%s runs marked, want 1", n)
	}
	b.js(t, `(w => { w.scrollIntoView(); w.scrollLeft = w.scrollWidth; return ''; })(document.querySelector('.quality-wrap'))`)
	b.shot(t, v.shots+"-marks")
	checkReliability(t, b, s, fx.id, "", "none excluded")
	checkCopy(t, b, s, v)

	// The anti-CI: its own image and links, in the address too.
	ci := fmt.Sprintf("%s/api/admin/ci?id=%d", s.BaseURL, fx.id)
	v.press(t, b, "#anti")
	b.waitJS(t, `document.body.dataset.group === 'ready' && document.body.dataset.groupAnti === '1'`, time.Minute)
	if title := b.text(t, "#group-title"); title != "집단 안티 CI (−CI)" {
		t.Errorf("anti title = %q", title)
	}
	checkLinks(t, b, s, map[string]string{
		"a[data-link=group-png]": ci + "&format=png&scaling=independent&anti=1",
		"a[data-link=group-csv]": ci + "&format=csv&anti=1",
	})
	if bytes.Equal(adminGet(t, s, ci+"&format=png&anti=1").Body, adminGet(t, s, ci+"&format=png").Body) {
		t.Error("the anti-CI's PNG is the CI's")
	}
	checkSearch(t, b, fmt.Sprintf("?id=%d&anti=1", fx.id))
	v.press(t, b, "#anti")
	b.waitJS(t, `document.body.dataset.group === 'ready' && document.body.dataset.groupAnti === '0'`, time.Minute)

	// One reply ticked off.
	out := strconv.FormatInt(v.out, 10)
	v.press(t, b, row(v.out)+" input[data-include]")
	waitSelection(t, b, out)
	if info, want := b.text(t, "#group-info"), fmt.Sprintf("응답 %d건의 평균 · 제외 1건 (r_id %d)", fx.replies-1, v.out); !strings.HasPrefix(info, want) {
		t.Errorf("group info = %q, want it to start %q", info, want)
	}
	checkLinks(t, b, s, map[string]string{
		"a[data-link=group-png]": ci + "&format=png&scaling=independent&exclude=" + out,
		"a[data-link=group-csv]": ci + "&format=csv&exclude=" + out,
		"a[data-link=zip]":       ci + "&format=zip&scaling=independent&exclude=" + out,
	})
	h := adminGet(t, s, ci+"&format=png&scaling=independent&exclude="+out).Header
	if h.Get("X-Psyx-Replies") != strconv.Itoa(fx.replies-1) || h.Get("X-Psyx-Excluded") != out {
		t.Errorf("the group PNG's link: replies %s, excluded %q; want %d, %s", h.Get("X-Psyx-Replies"), h.Get("X-Psyx-Excluded"), fx.replies-1, out)
	}
	checkSearch(t, b, fmt.Sprintf("?id=%d&exclude=%s", fx.id, out))
	if got := b.js(t, fmt.Sprintf(`(r => r.className + '|' + r.querySelector('input[data-include]').checked)(document.querySelector('%s'))`, row(v.out))); !strings.Contains(got, "excluded") || !strings.HasSuffix(got, "|false") {
		t.Errorf("the ticked-off row is %q", got)
	}
	if cls := b.js(t, fmt.Sprintf(`document.querySelector('#infoval-plot circle[data-rid="%d"]').getAttribute('class')`, v.out)); cls != "dot excluded" {
		t.Errorf("its infoVal dot is %q", cls)
	}
	var qx qualityAnswer
	apiJSON(t, s, fmt.Sprintf("/api/admin/quality?id=%d&exclude=%s", fx.id, out), &qx)
	if got, want := barCounts(t, b, "rt-hist"), joinInts(qx.RTHistogram.Counts); got != want {
		t.Errorf("pooled RT histogram without %s = %s, the API's %s", out, got, want)
	}
	checkReliability(t, b, s, fx.id, out, "1 excluded manually")
	b.checkLayout(t, "a reply ticked off", v.width)
	b.js(t, `scrollTo(0, 0), ''`)
	b.shot(t, v.shots+"-excluded")

	// The address keeps the selection.
	b.do(t, chromedp.Reload())
	waitSelection(t, b, out)
	if got := b.js(t, fmt.Sprintf(`String(document.querySelector('%s input[data-include]').checked)`, row(v.out))); got != "false" {
		t.Errorf("after a reload the ticked-off row's box is %s", got)
	}

	// The flagged switch: the server leaves out exactly the flagged rows.
	v.press(t, b, "#include-all")
	waitSelection(t, b, "")
	v.press(t, b, "label.switch")
	waitSelection(t, b, "flagged")
	want := joinIDs(flagged)
	if got := b.js(t, `document.getElementById('group-info').dataset.excluded + ' ' + document.getElementById('selection-summary').dataset.excluded`); got != want+" "+want {
		t.Errorf("excluded as the page shows it (group CI, quality) = %q, the flagged rows %s", got, want)
	}
	var qf qualityAnswer
	apiJSON(t, s, fmt.Sprintf("/api/admin/quality?id=%d&exclude=flagged", fx.id), &qf)
	h = adminGet(t, s, ci+"&format=png&scaling=independent&exclude=flagged").Header
	if joinIDs(qf.Excluded) != want || h.Get("X-Psyx-Excluded") != want {
		t.Errorf("the server left out %v (quality) and %q (CI), the flagged rows are %s", qf.Excluded, h.Get("X-Psyx-Excluded"), want)
	}
	for _, rid := range flagged {
		if got := b.js(t, fmt.Sprintf(`(i => i.checked + ' ' + i.disabled)(document.querySelector('%s input[data-include]'))`, row(rid))); got != "false true" {
			t.Errorf("flagged row %d's box (checked, disabled) = %s", rid, got)
		}
	}
	checkSearch(t, b, fmt.Sprintf("?id=%d&exclude=flagged", fx.id))
	checkReliability(t, b, s, fx.id, "flagged", fmt.Sprintf("%d excluded as flagged", len(flagged)))
	// With a reply ticked off as well, the page sends the list.
	v.press(t, b, row(v.out)+" input[data-include]")
	both := joinIDs(sortedIDs(append(slices.Clone(flagged), v.out)))
	waitSelection(t, b, both)
	checkSearch(t, b, fmt.Sprintf("?id=%d&exclude=flagged,%d", fx.id, v.out))
	checkReliability(t, b, s, fx.id, both, fmt.Sprintf("%d excluded as flagged, 1 manually", len(flagged)))
	b.do(t, chromedp.Reload()) // the page needs the flags before it can ask
	waitSelection(t, b, both)
	if got := b.js(t, fmt.Sprintf(`document.getElementById('exclude-flagged').checked + ' ' + document.querySelector('%s input[data-include]').checked`, row(v.out))); got != "true false" {
		t.Errorf("after a reload the switch and the ticked-off box are %s", got)
	}
	b.checkLayout(t, "flagged left out", v.width)
	b.fullShot(t, v.shots+"-flagged-full")
	v.press(t, b, "#include-all")
	waitSelection(t, b, "")

	// A participant's response times beside the pooled ones.
	pick := fx.a[0]
	v.press(t, b, row(pick)+" td[data-col=name]")
	b.waitJS(t, fmt.Sprintf(`document.body.dataset.selected === '%d'`, pick))
	for _, r := range q.Replies {
		if r.RID == pick {
			if got, want := barCounts(t, b, "rt-hist-reply"), joinInts(r.RTCounts); got != want {
				t.Errorf("reply %d's RT histogram = %s, the API's %s", pick, got, want)
			}
		}
	}
	if got := b.js(t, `['rt-hist', 'rt-hist-reply'].map(id => document.querySelector('#' + id + ' .y-title')?.textContent).join()`); got != "시행 수,시행 수" {
		t.Errorf("y axes = %q", got)
	}

	compareOnPage(t, b, s, fx, v)
	b.checkClean(t)
}

// checkReliability: the card's figures are the API's for this selection,
// and so is the methods sentence, with the build and seed of its headers.
func checkReliability(t *testing.T, b *browserTab, s *Stack, id int, ex, why string) {
	t.Helper()
	var r reliabilityAnswer
	url := fmt.Sprintf("/api/admin/reliability?id=%d", id)
	if ex != "" {
		url += "&exclude=" + ex
	}
	res := apiJSON(t, s, url, &r)
	raw := strings.Split(b.js(t, `['rel-median', 'rel-icc1', 'rel-icck', 'rel-n', 'rel-splits'].map(i => document.getElementById(i).dataset.value).join('|')`), "|")
	want := []*float64{r.SplitHalf.Median, r.ICC31, r.ICC3K, ptr(float64(r.Replies)), ptr(float64(r.SplitHalf.Splits))}
	for i, w := range want {
		got, err := strconv.ParseFloat(raw[i], 64)
		if w == nil || err != nil || got != *w {
			t.Errorf("reliability figure %d on the page = %q, the API's %v", i, raw[i], deref(w))
		}
	}
	if lohi := b.js(t, `document.getElementById('rel-interval').dataset.value`); !sameFloats(lohi, r.SplitHalf.P2_5, r.SplitHalf.P97_5) {
		t.Errorf("95%% interval on the page = %s, the API's %v–%v", lohi, deref(r.SplitHalf.P2_5), deref(r.SplitHalf.P97_5))
	}
	sentence := methodsSentence(r, why, res.Header.Get("X-Psyx-Version"), res.Header.Get("X-Psyx-Seed"))
	if got := b.text(t, "#rel-sentence"); got != sentence {
		t.Errorf("methods sentence\n got %s\nwant %s", got, sentence)
	}
}

// checkCopy: the copy button puts the methods sentence on the clipboard.
func checkCopy(t *testing.T, b *browserTab, s *Stack, v analysisView) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: s.BaseURL,
		}); err != nil {
			t.Fatal(err)
		}
	}
	// A headless tab is never the focused window; the clipboard needs one.
	if _, err := chromedp.Call(b.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	v.press(t, b, "#rel-copy")
	b.waitJS(t, `document.getElementById('rel-copied').textContent !== ''`)
	if got := b.text(t, "#rel-copied"); got != "복사했습니다." {
		t.Errorf("after the copy button: %q", got)
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if want := b.text(t, "#rel-sentence"); err != nil || got != want {
		t.Errorf("clipboard = %q (%v), want the sentence %q", got, err, want)
	}
}

// ---- small helpers --------------------------------------------------------------

func checkSearch(t *testing.T, b *browserTab, want string) {
	t.Helper()
	if got := b.js(t, `location.search`); got != want {
		t.Errorf("address query = %s, want %s", got, want)
	}
}

// barCounts is the histogram's bars' counts, "n,n,…".
func barCounts(t *testing.T, b *browserTab, id string) string {
	t.Helper()
	return b.js(t, fmt.Sprintf(`[...document.querySelectorAll('#%s rect.bar')].map(r => r.dataset.n).join()`, id))
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func ptr(v float64) *float64 { return &v }

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// sameFloats: "lo,hi" on the page holds exactly these numbers.
func sameFloats(raw string, want ...*float64) bool {
	parts := strings.Split(raw, ",")
	if len(parts) != len(want) {
		return false
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || want[i] == nil || v != *want[i] {
			return false
		}
	}
	return true
}
