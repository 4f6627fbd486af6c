package e2e

// The admin's runs and results (README: Runs, results) in Chromium: the
// pack table's finished / running / abandoned / last reply, the downloads
// with unfinished runs, and results.html: the group CI at the stimuli's
// size with its scaling, a participant's CI on a click, the quality table's
// flags, the two SVG charts and the download links, at 1366×768 and on a
// 390 px phone.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startRun is a start through Nginx that returns the run's token too.
func startRun(t *testing.T, s *Stack, p Person) (Assignment, string) {
	t.Helper()
	r := s.PostJSON(t, s.Client(), "/api/reply/start", p)
	var out struct {
		Assignment
		Token string `json:"token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil || out.Token == "" {
		t.Fatalf("start: %v", r)
	}
	return out.Assignment, out.Token
}

// answersBy answers every served pair: choose(i, oriLeft) gives the key
// (F, J or " ") and the rt.
func answersBy(a Assignment, choose func(i int, oriLeft bool) (string, float64)) [][]any {
	out := make([][]any, len(a.PicPairs))
	for i, pair := range a.PicPairs {
		key, rt := choose(i, strings.HasSuffix(pair[0], "_ori.jpg"))
		out[i] = []any{key, rt, pair[0], pair[1]}
	}
	return out
}

func TestPagesResults(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 20})
	id := s.CreatePack(t, "female20s", 2, 20, 29, 20)

	// Four replies, each with its own habit.
	oriKey := func(oriLeft bool) string { return map[bool]string{true: "F", false: "J"}[oriLeft] }
	habits := []func(int, bool) (string, float64){
		func(i int, oriLeft bool) (string, float64) { // picks ori three times in four
			if i%4 == 3 {
				return map[bool]string{true: "J", false: "F"}[oriLeft], 0.9
			}
			return oriKey(oriLeft), 0.6 + float64(i%5)/10
		},
		func(i int, _ bool) (string, float64) { return "F", 0.5 + float64(i%3)/10 }, // always left
		func(i int, oriLeft bool) (string, float64) { // many timeouts
			if i%2 == 0 {
				return " ", 3
			}
			return oriKey(oriLeft), 1.2
		},
		func(i int, oriLeft bool) (string, float64) { return oriKey(i%2 == 0), 0.1 }, // too fast
	}
	for i, habit := range habits {
		p := NewPerson(100+i, 2, 22)
		a, token := startRun(t, s, p)
		sub := Submission{Person: p, PID: a.PID, Answers: answersBy(a, habit), Token: token}
		if r := s.PostJSON(t, s.Client(), "/api/reply/submit", sub); r.Status != http.StatusOK {
			t.Fatalf("submit %d: %v", i, r)
		}
	}
	// One participant still at it, one who left an hour ago.
	for i, ago := range []string{"0 seconds", "1 hour"} {
		p := NewPerson(200+i, 2, 23)
		a, token := startRun(t, s, p)
		answers := answersBy(a, func(int, bool) (string, float64) { return "J", 0.7 })[:5]
		if r := s.PostJSON(t, s.Client(), "/api/reply/progress", map[string]any{"token": token, "answers": answers}); r.Status != http.StatusOK {
			t.Fatalf("progress: %v", r)
		}
		if _, err := s.DB.Exec(`UPDATE run SET last_seen = now() - $2::interval WHERE token = $1`, token, ago); err != nil {
			t.Fatal(err)
		}
	}
	list := listRuns(t, s, id)
	if list.Count != 4 || list.Running != 1 || list.Abandoned != 1 || list.Last == nil {
		t.Fatalf("list = %+v, want 4 finished, 1 running, 1 abandoned", list)
	}

	b := newBrowserTab(t)
	b.answerAuth(t, s.AdminUser, s.AdminPassword)
	b.do(t, chromedp.Navigate(s.BaseURL+"/admin/"))
	b.waitJS(t, `document.body.dataset.packs === '1'`)
	cells := b.js(t, `[...document.querySelectorAll('#pack-rows tr:first-child td')].slice(0, 8).map(td => td.textContent).join('|')`)
	if want := fmt.Sprintf("%d|female20s|여성 20~29세|20|4|1|1|%s", id, *list.Last); cells != want {
		t.Errorf("pack row = %q, want %q", cells, want)
	}
	base := fmt.Sprintf("%s/api/admin/download?id=%d", s.BaseURL, id)
	checkLinks(t, b, s, map[string]string{
		"#pack-rows a[data-format=json-unfinished]": base + "&include=unfinished",
		"#pack-rows a[data-format=csv-unfinished]":  base + "&include=unfinished&format=csv",
	})
	b.checkLayout(t, "admin list", 1366)
	b.shot(t, "26-admin-runs")

	// The results view, from the row's button.
	b.do(t, chromedp.Click(chromedp.CSS(`#pack-rows tr:first-child a[href*="results.html"]`)))
	b.waitJS(t, `document.body.dataset.state === 'ready' && document.body.dataset.group === 'ready'`, time.Minute)
	if got := b.js(t, `(() => { const i = document.getElementById('group-ci'); return i.naturalWidth + 'x' + i.naturalHeight; })()`); got != "32x32" {
		t.Errorf("group CI is %s, want the stimuli's 32x32", got)
	}
	if info := b.text(t, "#group-info"); !strings.Contains(info, "응답 4건") || !strings.Contains(info, "c = 0.") {
		t.Errorf("group CI info = %q", info)
	}
	counts := b.js(t, `['n-finished','n-running','n-abandoned'].map(i => document.getElementById(i).textContent).join('|')`)
	if counts != "4|1|1" {
		t.Errorf("counts = %s, want 4|1|1", counts)
	}
	if n := b.js(t, `String(document.querySelectorAll('#quality-rows tr').length)`); n != "4" {
		t.Errorf("quality table has %s rows, want 4", n)
	}
	// The always-left participant is flagged, and the left rate cell says why.
	var q struct {
		Replies []struct {
			RID   int64    `json:"r_id"`
			Flags []string `json:"flags"`
		} `json:"replies"`
	}
	if err := json.Unmarshal(adminGet(t, s, fmt.Sprintf("/api/admin/quality?id=%d", id)).Body, &q); err != nil || len(q.Replies) != 4 {
		t.Fatalf("quality: %v, %d replies", err, len(q.Replies))
	}
	for _, r := range q.Replies {
		got := b.js(t, fmt.Sprintf(`[...document.querySelectorAll('#quality-rows tr[data-rid="%d"] .flag')].map(f => f.dataset.flag).join(' ')`, r.RID))
		if want := strings.Join(r.Flags, " "); got != want {
			t.Errorf("reply %d shows flags %q, the server says %q", r.RID, got, want)
		}
	}
	leftCell := b.js(t, fmt.Sprintf(`document.querySelector('#quality-rows tr[data-rid="%d"] td[data-col=left_rate]').className`, q.Replies[1].RID))
	if !strings.Contains(strings.Join(q.Replies[1].Flags, " "), "side-bias") || !strings.Contains(leftCell, "flagged") {
		t.Errorf("always-left reply: flags %v, left cell class %q", q.Replies[1].Flags, leftCell)
	}
	if n := b.js(t, `String(document.querySelectorAll('#rt-hist rect.bar').length)`); n != "30" {
		t.Errorf("RT histogram has %s bars, want 30", n)
	}
	if n := b.js(t, `String(document.querySelectorAll('#infoval-plot circle.dot').length)`); n != "4" {
		t.Errorf("infoVal plot has %s dots, want 4", n)
	}
	ci := fmt.Sprintf("%s/api/admin/ci?id=%d", s.BaseURL, id)
	quality := fmt.Sprintf("%s/api/admin/quality?id=%d&format=csv", s.BaseURL, id)
	checkLinks(t, b, s, map[string]string{
		"a[data-link=group-png]":     ci + "&format=png&scaling=independent",
		"a[data-link=group-csv]":     ci + "&format=csv",
		"a[data-link=zip]":           ci + "&format=zip&scaling=independent",
		"a[data-link=quality-csv]":   quality,
		"a[data-link=quality-excel]": quality + "&bom=1",
	})

	// A click on a row shows that participant's CI.
	rid := q.Replies[1].RID
	b.do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#quality-rows tr[data-rid="%d"]`, rid))))
	b.waitJS(t, fmt.Sprintf(`document.body.dataset.selected === '%d'`, rid))
	if got := b.js(t, `(() => { const i = document.getElementById('reply-ci'); return i.naturalWidth + 'x' + i.naturalHeight; })()`); got != "32x32" {
		t.Errorf("reply CI is %s, want 32x32", got)
	}
	checkLinks(t, b, s, map[string]string{
		"a[data-link=reply-png]": fmt.Sprintf("%s&r_id=%d&format=png&scaling=independent", ci, rid),
		"a[data-link=reply-csv]": fmt.Sprintf("%s&r_id=%d&format=csv", ci, rid),
	})
	b.checkLayout(t, "results", 1366)
	b.shot(t, "27-results-1366")
	b.fullShot(t, "27-results-1366-full")

	// A constant scaling, for comparing packs.
	b.do(t, chromedp.Click(chromedp.CSS(`#scaling input[value=constant]`)))
	b.retype(t, "constant", "0.5")
	b.do(t, chromedp.Click(chromedp.ID("apply")))
	b.waitJS(t, `document.getElementById('group-info').textContent.includes('c = 0.5') && document.getElementById('reply-info').textContent.includes('c = 0.5')`)
	checkLinks(t, b, s, map[string]string{
		"a[data-link=group-png]": ci + "&format=png&scaling=constant&constant=0.5",
		"a[data-link=zip]":       ci + "&format=zip&scaling=constant&constant=0.5",
	})

	b.phone(t, 390, 844)
	b.do(t, chromedp.Reload())
	b.waitJS(t, `document.body.dataset.state === 'ready' && document.body.dataset.group === 'ready'`, time.Minute)
	b.checkLayout(t, "results on a phone", 390)
	b.shot(t, "28-results-390")
	b.fullShot(t, "28-results-390-full")
	// A tap (chromedp's mouse click never lands on a touch-only phone).
	b.js(t, fmt.Sprintf(`document.querySelector('#quality-rows tr[data-rid="%d"] td[data-col=name]').click(), ''`, rid))
	b.waitJS(t, fmt.Sprintf(`document.body.dataset.selected === '%d'`, rid))
	b.checkLayout(t, "a participant's CI on a phone", 390)
	b.shot(t, "29-results-390-reply")
	b.checkClean(t)
}

// checkLinks: each selected link has this address, and the address answers
// 200 to the admin with a file of the right type.
func checkLinks(t *testing.T, b *browserTab, s *Stack, want map[string]string) {
	t.Helper()
	for sel, href := range want {
		if got := b.js(t, fmt.Sprintf(`document.querySelector(%q)?.href ?? 'none'`, sel)); got != href {
			t.Errorf("%s goes to %s, want %s", sel, got, href)
			continue
		}
		r := adminGet(t, s, href)
		ct := r.Header.Get("Content-Type")
		kind := map[bool]string{true: "image/png", false: "text/csv"}[strings.Contains(href, "format=png")]
		switch {
		case strings.Contains(href, "format=zip"):
			kind = "application/zip"
		case strings.Contains(href, "/download") && !strings.Contains(href, "format=csv"):
			kind = "application/json"
		}
		if !strings.HasPrefix(ct, kind) {
			t.Errorf("%s answers %s, want %s", href, ct, kind)
		}
	}
}
