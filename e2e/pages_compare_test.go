package e2e

// The comparison card of the results page (issue 17) in Chromium, for
// pages_analysis_test.go: two sets of replies picked in the table and
// compared on the page, its progress bar while the server permutes, the
// PNG and the cluster table against the API's JSON, and its errors in
// Korean.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// compareOnPage compares the view's two sets on the page, then makes the
// page say its errors.
func compareOnPage(t *testing.T, b *browserTab, s *Stack, fx analysisFixture, v analysisView) {
	t.Helper()
	for set, ids := range map[string][]int64{"A": v.a, "B": v.b} {
		for _, rid := range ids {
			v.press(t, b, fmt.Sprintf(`#quality-rows tr[data-rid="%d"] button[data-group=%s]`, rid, set))
		}
	}
	b.waitJS(t, fmt.Sprintf(`(c => c.dataset.a === %q && c.dataset.b === %q)(document.getElementById('compare-counts'))`, joinIDs(v.a), joinIDs(v.b)))
	// Every state the card goes through, as a person would have seen it.
	b.js(t, `(() => {
		const card = document.getElementById('compare-title').closest('section');
		window.seen = [];
		const note = () => seen.push({bar: !document.getElementById('compare-progress').hidden,
			now: +document.getElementById('compare-meter').getAttribute('aria-valuenow'),
			result: !document.getElementById('compare-result').hidden});
		new MutationObserver(note).observe(card, {subtree: true, attributes: true, childList: true, characterData: true});
		return '';
	})()`)
	v.press(t, b, "#compare-start")
	b.waitJS(t, `document.body.dataset.compare === 'ready' || (m => +m.getAttribute('aria-valuenow') > 0)(document.getElementById('compare-meter'))`, 4*time.Minute)
	if b.js(t, `document.body.dataset.compare`) != "ready" {
		b.js(t, `document.getElementById('compare-title').scrollIntoView(), ''`)
		b.shot(t, v.shots+"-compare-progress")
	} else {
		t.Log("the comparison was done before a progress answer came")
	}
	b.waitJS(t, `document.body.dataset.compare === 'ready'`, 4*time.Minute)
	var seen []struct {
		Bar    bool `json:"bar"`
		Now    int  `json:"now"`
		Result bool `json:"result"`
	}
	if err := json.Unmarshal([]byte(b.js(t, `JSON.stringify(seen)`)), &seen); err != nil || len(seen) == 0 {
		t.Fatalf("states seen: %v", err)
	}
	barFirst := -1
	for i, st := range seen {
		if st.Bar && !st.Result && barFirst < 0 {
			barFirst = i
		}
		if st.Result && barFirst < 0 {
			t.Errorf("the result showed (state %d) before the progress bar", i)
			break
		}
	}
	if last := seen[len(seen)-1]; barFirst < 0 || last.Now != 1000 || !last.Result || last.Bar {
		t.Errorf("progress bar first at state %d; last state %+v, want the bar full and gone, the result shown", barFirst, last)
	}
	query := fmt.Sprintf("/api/admin/compare?id=%d&a_r=%s&b_r=%s", fx.id, joinIDs(v.a), joinIDs(v.b))
	if polls := b.js(t, fmt.Sprintf(`(() => {
		const e = performance.getEntriesByType('resource');
		const job = e.find(x => x.name.endsWith(%q));
		return String(e.filter(x => x.name.includes('format=progress') && job && x.startTime < job.responseEnd).length);
	})()`, query)); polls == "0" {
		t.Error("the page never asked for the comparison's progress while it computed")
	}
	var cmp compareAnswer
	apiJSON(t, s, query, &cmp)
	var prog struct {
		Done     int  `json:"done"`
		Finished bool `json:"finished"`
	}
	apiJSON(t, s, query+"&format=progress", &prog)
	if !prog.Finished || prog.Done != cmp.Permutations {
		t.Errorf("progress after = %+v", prog)
	}
	if href := b.js(t, `document.querySelector('a[data-link=compare-json]').href`); href != s.BaseURL+query {
		t.Errorf("JSON link = %s, want %s", href, s.BaseURL+query)
	}
	checkLinks(t, b, s, map[string]string{
		"a[data-link=compare-png]": s.BaseURL + query + "&format=png",
		"a[data-link=compare-csv]": s.BaseURL + query + "&format=csv",
	})
	img, err := png.Decode(bytes.NewReader(adminGet(t, s, query+"&format=png").Body))
	if err != nil || img.Bounds().Dx() != analysisSide || b.js(t, `String(document.getElementById('compare-png').naturalWidth)`) != strconv.Itoa(analysisSide) {
		t.Errorf("comparison PNG: %v", err)
	}
	checkClusterTable(t, b, cmp, len(v.a), len(v.b))
	b.js(t, `document.getElementById('compare-title').scrollIntoView(), ''`)
	b.checkLayout(t, "comparison", v.width)
	b.shot(t, v.shots+"-compare")

	// Too few in a set: said before asking, and as the server says it.
	v.press(t, b, "#preset-clear")
	v.press(t, b, fmt.Sprintf(`#quality-rows tr[data-rid="%d"] button[data-group=A]`, v.a[0]))
	v.press(t, b, "#compare-start")
	b.waitJS(t, `document.body.dataset.compare === 'error'`)
	if msg := b.text(t, "#compare-message"); !strings.HasPrefix(msg, "각 집단에 2명 이상 필요합니다.") {
		t.Errorf("one reply in A: %q", msg)
	}
	if r := s.Get(t, s.AdminClient(), fmt.Sprintf("/api/admin/compare?a=%d&b=%d", fx.id, fx.twin)); r.Status != http.StatusBadRequest || string(r.Body) != "Too Few Replies" {
		t.Errorf("pack against its reply-less twin: %v", r)
	}
	v.press(t, b, `input[name=compare-mode][value=pack]`)
	b.js(t, fmt.Sprintf(`(s => { s.value = '%d'; s.dispatchEvent(new Event('change')); return s.selectedOptions[0].textContent; })(document.getElementById('compare-pack'))`, fx.twin))
	v.press(t, b, "#compare-start")
	b.waitJS(t, `document.body.dataset.compare === 'error'`, time.Minute)
	if msg := b.text(t, "#compare-message"); msg != "각 집단에 2명 이상 필요합니다." {
		t.Errorf("the server's Too Few Replies on the page: %q", msg)
	}
	b.checkLayout(t, "comparison error", v.width)
	b.shot(t, v.shots+"-compare-error")
}

// checkClusterTable: the page's cluster rows are the JSON's clusters.
func checkClusterTable(t *testing.T, b *browserTab, cmp compareAnswer, a, bn int) {
	t.Helper()
	if cmp.AReplies != a || cmp.BReplies != bn || len(cmp.Clusters) == 0 {
		t.Fatalf("comparison of %d and %d replies: %d and %d, %d clusters", a, bn, cmp.AReplies, cmp.BReplies, len(cmp.Clusters))
	}
	var rows [][]string
	raw := b.js(t, `JSON.stringify([...document.querySelectorAll('#cluster-rows tr')].map(tr => [...tr.cells].map(c => c.dataset.value ?? c.textContent)))`)
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		t.Fatal(err)
	}
	if want := min(len(cmp.Clusters), 30); len(rows) != want {
		t.Fatalf("cluster table has %d rows, want %d", len(rows), want)
	}
	sig := 0
	for i, r := range rows {
		c := cmp.Clusters[i]
		bbox := fmt.Sprintf("%d,%d,%d,%d", c.BBox[0], c.BBox[1], c.BBox[2], c.BBox[3])
		want := []string{strconv.Itoa(i + 1), strconv.Itoa(c.Sign), "", strconv.Itoa(c.Pixels), "", bbox, ""}
		p, _ := strconv.ParseFloat(r[2], 64)
		peak, _ := strconv.ParseFloat(r[4], 64)
		mass, _ := strconv.ParseFloat(r[6], 64)
		if r[0] != want[0] || r[1] != want[1] || r[3] != want[3] || r[5] != want[5] || p != c.P || peak != c.PeakT || mass != c.Mass {
			t.Errorf("cluster row %d = %v, the API's %+v", i, r, c)
		}
		if c.P < cmp.Alpha {
			sig++
		}
	}
	t.Logf("%d clusters, %d with p < %g", len(cmp.Clusters), sig, cmp.Alpha)
	if dir := b.js(t, `[...document.querySelectorAll('#cluster-rows td.dir')].map(td => td.textContent).filter((x, i, a) => a.indexOf(x) === i).sort().join()`); dir == "" || strings.Trim(strings.ReplaceAll(strings.ReplaceAll(dir, "A > B", ""), "B > A", ""), ",") != "" {
		t.Errorf("directions shown: %q", dir)
	}
}
