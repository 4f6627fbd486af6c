package e2e

// The browser kit of the page tests: one headless Chromium tab with its own
// profile, waits on what the page shows (no test sleeps), screenshots, the
// admin's password, dialogs, a slow upload, downloads, and other screens:
// a narrow window, a phone.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Screenshots of every key state, for a person to look at (git-ignored).
const artifacts = "test-artifacts"

type browserTab struct {
	ctx  context.Context
	mu   sync.Mutex
	errs []string // uncaught exceptions and console errors from the page
}

// newBrowserTab starts a fresh headless Chromium with its own profile, sized
// like the lab's laptops. Headless Chromium reports no pointer at all; the
// flag gives it the laptop's touchpad (a fine pointer that can hover).
func newBrowserTab(t *testing.T) *browserTab {
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
		// Pointer types: 4 = fine; hover types: 2 = hover.
		chromedp.Flag("blink-settings", "primaryPointerType=4,availablePointerTypes=4,primaryHoverType=2,availableHoverTypes=2"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelRoot() })

	b := &browserTab{ctx: ctx}
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

func (b *browserTab) note(s string) {
	b.mu.Lock()
	b.errs = append(b.errs, s)
	b.mu.Unlock()
}

// checkClean fails on page errors, except those with one of the allowed
// substrings (a 400 or 502 shows up as a failed resource load).
func (b *browserTab) checkClean(t *testing.T, allowed ...string) {
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

func (b *browserTab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// navigate opens url and returns the HTTP status of the document.
func (b *browserTab) navigate(t *testing.T, url string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(url))
	if err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	return resp.Status
}

// js evaluates an expression that yields a string.
func (b *browserTab) js(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// retype replaces a field's text the way a person does: select all, type.
func (b *browserTab) retype(t *testing.T, id, value string) {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).select()`, id)),
		chromedp.SendKeys(chromedp.ID(id), value))
}

func (b *browserTab) text(t *testing.T, css string) string {
	t.Helper()
	return b.js(t, fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? '').trim()`, css))
}

// shown tells whether the element is laid out (not hidden, not display:none).
func (b *browserTab) shown(t *testing.T, css string) bool {
	t.Helper()
	return b.js(t, fmt.Sprintf(`String((document.querySelector(%q)?.getClientRects().length ?? 0) > 0)`, css)) == "true"
}

// waitJS waits until the expression is truthy: the pages expose their state
// in the DOM (body data-state, data-step, data-trial), so no test sleeps.
func (b *browserTab) waitJS(t *testing.T, expr string, timeout ...time.Duration) {
	t.Helper()
	d := 30 * time.Second
	if len(timeout) > 0 {
		d = timeout[0]
	}
	deadline := time.Now().Add(d)
	var err error
	for {
		// A navigation (sign-up → experiment, reload) ends a poll early:
		// poll again on the new page. A timer, not requestAnimationFrame,
		// drives the poll: once, in a 300-trial run, rAF-driven polls missed
		// seven trials in a row, each on screen for 3 s.
		_, err = chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
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

func (b *browserTab) waitState(t *testing.T, state string, timeout time.Duration) {
	t.Helper()
	b.waitJS(t, fmt.Sprintf(`document.body.dataset.state === %q`, state), timeout)
}

func (b *browserTab) shot(t *testing.T, name string) {
	t.Helper()
	b.saveShot(t, name, chromedp.CaptureScreenshot())
}

// fullShot is shot of the whole page, below the fold too.
func (b *browserTab) fullShot(t *testing.T, name string) {
	t.Helper()
	b.saveShot(t, name, chromedp.FullScreenshot(100))
}

func (b *browserTab) saveShot(t *testing.T, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, capture)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ---- other screens ----------------------------------------------------------

// window makes the page width×height CSS pixels, as a narrowed (or zoomed)
// laptop window: the touchpad stays.
func (b *browserTab) window(t *testing.T, width, height int64) {
	t.Helper()
	b.do(t, chromedp.EmulateViewport(width, height))
}

// phone makes the tab a touch-only phone of width×height CSS pixels: mobile
// viewport (the page's meta viewport applies), touch events, no fine pointer
// and no hover.
func (b *browserTab) phone(t *testing.T, width, height int64) {
	t.Helper()
	b.do(t, chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(3)))
	if _, err := chromedp.Call(b.ctx, emulation.SetEmitTouchEventsForMouse,
		emulation.SetEmitTouchEventsForMouseParams{Enabled: true, Configuration: emulation.SetEmitTouchEventsForMouseConfigurationMobile}); err != nil {
		t.Fatal(err)
	}
}

// layoutProblems lists what is wrong with the page's text at the current
// size: a document wider than maxWidth (horizontal scrolling), an element
// with Korean text that may break inside a word (word-break other than
// keep-all, or no overflow-wrap: anywhere for long addresses), and every
// line break inside a word: before a Hangul syllable that follows anything
// but a space (신/청, 데스크톱)/에서, F/와).
func (b *browserTab) layoutProblems(t *testing.T, maxWidth int) []string {
	t.Helper()
	raw := b.js(t, fmt.Sprintf(`(() => {
		const out = [];
		const w = document.documentElement.scrollWidth;
		if (w > %d) out.push('document is ' + w + ' px wide');
		const hangul = /[가-힣]/;
		const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const styled = new Set();
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const el = node.parentElement;
			if (!hangul.test(node.data) || !el.getClientRects().length) continue;
			const cs = getComputedStyle(el);
			if (cs.wordBreak !== 'keep-all' || cs.overflowWrap !== 'anywhere') {
				styled.add(name(el) + ' (' + cs.wordBreak + ', ' + cs.overflowWrap + ')');
			}
			const r = document.createRange();
			let prevTop = null;
			for (let i = 0; i < node.data.length; i++) {
				r.setStart(node, i); r.setEnd(node, i + 1);
				const rect = r.getClientRects()[0];
				const top = rect ? Math.round(rect.top) : null;
				if (i > 0 && top !== null && prevTop !== null && top > prevTop + 2 && !/\s/.test(node.data[i - 1]) && hangul.test(node.data[i])) {
					out.push(name(el) + ': "' + node.data.slice(Math.max(0, i - 4), i) + '/' + node.data.slice(i, i + 4) + '"');
				}
				prevTop = top;
			}
		}
		if (styled.size) out.push(styled.size + ' elements with Korean text lack word-break: keep-all and overflow-wrap: anywhere: ' + [...styled].slice(0, 6).join(', '));
		return JSON.stringify(out);
	})()`, maxWidth))
	var out []string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("layout check: %v: %s", err, raw)
	}
	return out
}

// checkLayout fails the test on every layoutProblems item.
func (b *browserTab) checkLayout(t *testing.T, where string, maxWidth int) {
	t.Helper()
	for _, p := range b.layoutProblems(t, maxWidth) {
		t.Errorf("%s at %d px: %s", where, maxWidth, p)
	}
}

// boxes is the rounded bounding box (x,y,width,height) of every element css
// selects, in document order, each after the element's id or class.
func (b *browserTab) boxes(t *testing.T, css string) []string {
	t.Helper()
	return strings.Split(b.js(t, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(el => {
		const r = el.getBoundingClientRect();
		return (el.id || el.className || el.tagName) + ' ' + [r.x, r.y, r.width, r.height].map(Math.round).join(',');
	}).join('\n')`, css)), "\n")
}

// ---- the admin's browser ----------------------------------------------------

// answerAuth plays the researcher typing the password into the browser's
// login box whenever Nginx asks; Chromium then reuses it for the realm.
func (b *browserTab) answerAuth(t *testing.T, user, password string) {
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
func (b *browserTab) acceptDialogs(t *testing.T) <-chan string {
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
func (b *browserTab) throttleUpload(t *testing.T, bytesPerSecond float64) {
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
