package e2e

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/nginx"
	"github.com/psyx-lab/psyx/tools/stack"
)

// The HTTPS variant through a real Nginx, with a recording upstream in
// place of psyx: plain HTTP serves ACME challenges and sends everything
// else to HTTPS (keeping a non-443 port), and the service hears the scheme,
// host and port exactly as the browser sent them, which its Origin check
// compares against.
func TestHTTPSSiteAndForwardedHeaders(t *testing.T) {
	dir := shortTempDir(t)
	cert, key := selfSignedCert(t, dir)
	html, data := filepath.Join(dir, "html"), filepath.Join(dir, "PsyxStatic")
	for _, d := range []string{filepath.Join(html, ".well-known", "acme-challenge"), filepath.Join(data, "packs"), filepath.Join(dir, "tmp")} {
		mkdir(t, d)
	}
	if err := os.WriteFile(filepath.Join(html, ".well-known", "acme-challenge", "tok123"), []byte("proof"), 0o644); err != nil {
		t.Fatal(err)
	}
	htpasswd := exec.Command("htpasswd", "-c", "-i", "-B", filepath.Join(data, "psyx.htpasswd"), "admin")
	htpasswd.Stdin = strings.NewReader("pw\n")
	if out, err := htpasswd.CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}

	var mu sync.Mutex
	var seen http.Header
	var seenHost string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen, seenHost = r.Header.Clone(), r.Host
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(upstream.Close)

	httpAddr, httpsAddr := freeAddr(t), freeAddr(t)
	_, httpsPort, _ := net.SplitHostPort(httpsAddr)
	site := filepath.Join(dir, "psyx.conf")
	writeRendered(t, site, nginx.Site{
		Listen: httpAddr, ServerName: "localhost", HTMLDir: html, DataDir: data,
		Upstreams: []string{strings.TrimPrefix(upstream.URL, "http://")},
		TLS:       &nginx.TLS{Listen: httpsAddr, Cert: cert, Key: key}, Limits: nginx.DefaultLimits(),
	}.Render)
	sa := nginx.Standalone{RunDir: dir, MimeTypes: "/etc/nginx/mime.types", SiteConf: site, WorkerConnections: 1024}
	if os.Geteuid() == 0 {
		sa.User = "root root"
	}
	writeRendered(t, filepath.Join(dir, "nginx.conf"), sa.Render)
	runNginx(t, dir)
	waitFor(t, 30*time.Second, "nginx listening on "+httpsAddr, func() bool {
		c, err := net.Dial("tcp", httpsAddr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	c := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	tests := []struct {
		name, method, url, host string
		admin                   bool
		status                  int
		location, body          string // location: the redirect's; body: the answer's
		proto                   string // the upstream's X-Forwarded-Proto; "" = not proxied
	}{
		{"ACME challenge over HTTP", "GET", "http://" + httpAddr + "/.well-known/acme-challenge/tok123", "psyx.test", false, 200, "", "proof", ""},
		{"admin over HTTP moves to HTTPS", "GET", "http://" + httpAddr + "/api/admin/list", "psyx.test", true, 301, "https://psyx.test:" + httpsPort + "/api/admin/list", "", ""},
		{"participant over HTTP moves too", "POST", "http://" + httpAddr + "/api/reply/start?x=1", "psyx.test", false, 301, "https://psyx.test:" + httpsPort + "/api/reply/start?x=1", "", ""},
		{"admin API over HTTPS", "GET", "https://" + httpsAddr + "/api/admin/list", "psyx.test:" + httpsPort, true, 200, "", "ok", "https"},
		{"participant API over HTTPS", "POST", "https://" + httpsAddr + "/api/reply/start", "psyx.test:" + httpsPort, false, 200, "", "ok", "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tt.host
			if tt.admin {
				req.SetBasicAuth("admin", "pw")
			}
			r := send(t, c, req)
			if r.Status != tt.status || r.Header.Get("Location") != tt.location || (tt.body != "" && string(r.Body) != tt.body) {
				t.Fatalf("got %v, Location %q; want %d, Location %q, body %q", r, r.Header.Get("Location"), tt.status, tt.location, tt.body)
			}
			mu.Lock()
			defer mu.Unlock()
			if tt.proto == "" {
				if seen != nil {
					t.Errorf("reached the service: %v", seen)
				}
				return
			}
			if r.Header.Get("Strict-Transport-Security") == "" {
				t.Error("no HSTS header over HTTPS")
			}
			for name, want := range map[string]string{"X-Forwarded-Proto": tt.proto, "X-Forwarded-Host": tt.host, "Authorization": ""} {
				if got := seen.Get(name); got != want {
					t.Errorf("service saw %s %q, want %q", name, got, want)
				}
			}
			if seenHost != tt.host {
				t.Errorf("service saw Host %q, want %q", seenHost, tt.host)
			}
		})
	}
}

// runNginx runs nginx with dir/nginx.conf until the test ends.
func runNginx(t *testing.T, dir string) {
	t.Helper()
	path, err := stack.LookTool("nginx")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "nginx-error.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	out, err := os.Create(filepath.Join(dir, "nginx.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		out.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "nginx-error.log"))
			t.Logf("nginx-error.log:\n%s", b)
		}
	})
}

func freeAddr(t *testing.T) string {
	t.Helper()
	a, err := stack.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return a
}
