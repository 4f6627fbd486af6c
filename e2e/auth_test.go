package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/nginx"
)

// Nginx guards the admin page and the whole admin API; a request without
// the right password never reaches the service.
func TestAdminNeedsPassword(t *testing.T) {
	s := StartStack(t, StackOptions{})
	anon := s.Client()
	wrong := &http.Client{Transport: basicAuth{user: s.AdminUser, password: "not-" + s.AdminPassword, next: anon.Transport}}
	unknown := &http.Client{Transport: basicAuth{user: "root", password: s.AdminPassword, next: anon.Transport}}

	guarded := []string{
		"/admin", "/admin/", "/admin/index.html",
		"/api/admin/list", "/api/admin/download?id=1", "/api/admin/remove?id=1",
	}
	for _, path := range guarded {
		for name, c := range map[string]*http.Client{"no credentials": anon, "wrong password": wrong, "unknown user": unknown} {
			r := s.Get(t, c, path)
			if r.Status != http.StatusUnauthorized {
				t.Errorf("GET %s with %s: want 401, got %v", path, name, r)
			}
			if name == "no credentials" && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("GET %s: 401 without a Basic challenge: %v", path, r.Header)
			}
		}
	}
	r := s.UploadDir(t, anon, "/api/admin/create", PackForm{"nopass", 1, 20, 29}, t.TempDir(), nil)
	if r.Status != http.StatusUnauthorized {
		t.Errorf("create without credentials: want 401, got %v", r)
	}

	admin := s.AdminClient()
	if r := s.Get(t, admin, "/api/admin/list"); r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Errorf("list as admin: want 200 [], got %v", r)
	}
	if r := s.Get(t, admin, "/admin"); r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/admin as admin: want 200 text/html, got %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := s.Get(t, admin, "/admin"); !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("/admin may be cached: Cache-Control %q", r.Header.Get("Cache-Control"))
	}

	// A path only the service answers (404): refused attempts must leave no
	// line in api.log; the admin's own request proves lines do get written.
	probe := "/api/admin/probe-" + randomHex(t, 6)
	for _, c := range []*http.Client{anon, wrong, unknown} {
		if r := s.Get(t, c, probe); r.Status != http.StatusUnauthorized {
			t.Fatalf("GET %s: want 401, got %v", probe, r)
		}
	}
	if r := s.Get(t, admin, probe); r.Status != http.StatusNotFound {
		t.Fatalf("GET %s as admin: want the service's 404, got %v", probe, r)
	}
	s.WaitLogLine(t, probe)
	n := 0
	for _, l := range s.APILog(t) {
		if l.Str("path") == probe {
			n++
		}
	}
	if n != 1 {
		t.Errorf("api.log has %d lines for %s, want 1 (the admin's): refused requests reached the service", n, probe)
	}
}

// Another site's page cannot make a logged-in admin's browser create or
// delete packs; the admin page itself (same origin) and scripts can.
func TestCrossSiteChangesRefused(t *testing.T) {
	s := StartStack(t, StackOptions{PairsPerPack: 2})
	admin := s.AdminClient()
	dir := filepath.Join(t.TempDir(), "xs")
	WritePackFiles(t, dir, "xs", 2)
	form := PackForm{"xs", 1, 20, 29}

	crossSite := map[string]http.Header{
		"foreign Origin":          {"Origin": {"http://evil.example"}},
		"Sec-Fetch-Site: cross":   {"Sec-Fetch-Site": {"cross-site"}},
		"same-site other origin":  {"Origin": {"http://admin.evil.example:8080"}, "Sec-Fetch-Site": {"same-site"}},
		"foreign Origin, no port": {"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"same-origin"}},
		// Another service on the same host (a different port) is another site.
		"same host, other port":           {"Origin": {otherPortOrigin(t, s.BaseURL)}},
		"https Origin for this http site": {"Origin": {strings.Replace(s.BaseURL, "http:", "https:", 1)}},
		"a link opened from a mail":       {"Sec-Fetch-Site": {"none"}, "Sec-Fetch-Mode": {"navigate"}, "Sec-Fetch-User": {"?1"}},
	}
	for name, h := range crossSite {
		if r := s.UploadDir(t, admin, "/api/admin/create", form, dir, h); r.Status != http.StatusForbidden {
			t.Errorf("create with %s: want 403, got %v", name, r)
		}
	}
	if packs := s.ListPacks(t); len(packs) != 0 {
		t.Fatalf("a refused create left packs: %+v", packs)
	}
	if names, _ := sortedNames(filepath.Join(s.DataDir, "packs")); len(names) != 0 {
		t.Fatalf("a refused create left folders: %v", names)
	}

	sameOrigin := http.Header{"Origin": {s.BaseURL}, "Sec-Fetch-Site": {"same-origin"}}
	id := packID(t, s.UploadDir(t, admin, "/api/admin/create", form, dir, sameOrigin))

	for name, h := range crossSite {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, err := http.NewRequest(method, s.URL("/api/admin/remove?id="+itoa(id)), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header = h.Clone()
			if r := send(t, admin, req); r.Status != http.StatusForbidden {
				t.Errorf("%s remove with %s: want 403, got %v", method, name, r)
			}
		}
	}
	if packs := s.ListPacks(t); len(packs) != 1 {
		t.Fatalf("a refused remove deleted the pack: %+v", packs)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir, "packs", "xs")); err != nil {
		t.Fatalf("a refused remove touched the folder: %v", err)
	}
	// A script (no Origin, no Sec-Fetch-Site) may.
	if r := s.Get(t, admin, "/api/admin/remove?id="+itoa(id)); r.Status != http.StatusOK || string(r.Body) != "Pack "+itoa(id)+" Deleted." {
		t.Errorf("remove from a script: want 200 \"Pack %d Deleted.\", got %v", id, r)
	}
}

// otherPortOrigin is base (http://host:port) on the next port.
func otherPortOrigin(t *testing.T, base string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return "http://" + net.JoinHostPort(host, strconv.Itoa(n+1))
}

// The admin door is limited per address: a password-guessing loop is
// answered at most burst + rate × elapsed times before it meets a 429 (a
// count, so a slow machine checks the same bound as a fast one), while a
// results page's worth of requests (a hundred participants' images and the
// rest) from another address all pass.
func TestAdminDoorLimited(t *testing.T) {
	s := StartStack(t, StackOptions{})
	limits := nginx.DefaultLimits()
	guess := clientFrom("127.0.0.5")
	guess.Transport = basicAuth{user: s.AdminUser, password: "guess", next: guess.Transport}
	const workers = 8
	maxSends := int64(4 * limits.AdminBurst)
	start := time.Now()
	var sent, answered atomic.Int64
	var first429 atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for first429.Load() == 0 && sent.Add(1) <= maxSends {
				r, err := trySend(guess, mustGet(s.URL("/api/admin/list")))
				switch {
				case err != nil:
				case r.Status == http.StatusTooManyRequests:
					first429.CompareAndSwap(0, int64(time.Since(start)))
				default:
					answered.Add(1)
				}
			}
		})
	}
	wg.Wait()
	at := time.Duration(first429.Load())
	if at == 0 {
		t.Fatalf("%d password guesses and no 429", maxSends)
	}
	// Each worker may have one guess in flight when the first 429 lands.
	bound := int64(limits.AdminBurst) + int64(at.Seconds()*float64(limits.AdminRate)) + 1 + workers
	if n := answered.Load(); n > bound {
		t.Fatalf("%d password guesses answered before the first 429 at %v; the limit allows %d", n, at, bound)
	}

	page := clientFrom("127.0.0.6")
	page.Transport = basicAuth{user: s.AdminUser, password: s.AdminPassword, next: page.Transport}
	statuses := make(chan int, 150)
	for i := range cap(statuses) {
		wg.Go(func() {
			path := []string{"/admin/results.html", "/api/admin/list", fmt.Sprintf("/api/admin/ci?id=1&r_id=%d", i)}[i%3]
			r, err := trySend(page, mustGet(s.URL(path)))
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- r.Status
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st == http.StatusTooManyRequests {
			t.Fatal("a results page's worth of requests met the admin limit")
		}
	}
}
