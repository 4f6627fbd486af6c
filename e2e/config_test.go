package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/nginx"
)

// The site as install.sh renders it for production (port 80, a domain,
// HTTPS, two instances) is valid Nginx; nginx -t checks it without binding.
func TestProductionSiteConfigIsValid(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSignedCert(t, dir)
	data := filepath.Join(dir, "PsyxStatic")
	mkdir(t, filepath.Join(data, "packs"))
	mkdir(t, filepath.Join(dir, "tmp"))
	site := filepath.Join(dir, "psyx.conf")
	writeRendered(t, site, nginx.Site{
		Listen: "80", ServerName: "psyx.example.org", HTMLDir: filepath.Join(repoRoot, "nginx", "html"),
		DataDir: data, Upstreams: []string{"127.0.0.1:5000", "127.0.0.1:5001"},
		TLS: &nginx.TLS{Listen: "443", Cert: cert, Key: key}, Limits: nginx.DefaultLimits(),
	}.Render)
	conf := filepath.Join(dir, "nginx.conf")
	writeRendered(t, conf, nginx.Standalone{RunDir: dir, MimeTypes: "/etc/nginx/mime.types", SiteConf: site,
		WorkerConnections: nginx.DefaultWorkerConnections}.Render)
	out, err := exec.Command("nginx", "-t", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	b, err := os.ReadFile(site)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listen 443 ssl;", "return 301 https://", "server 127.0.0.1:5001"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("rendered site lacks %q", want)
		}
	}
}

// What the issue asks of the configs, read from the templates themselves.
func TestTemplatesKeepTheirPromises(t *testing.T) {
	site := readRepoFile(t, "nginx/psyx.conf.tmpl")
	m := regexp.MustCompile(`(?s)location \^~ /api/admin/ \{.*?client_max_body_size (\d+)m;`).FindStringSubmatch(site)
	if m == nil {
		t.Fatal("no client_max_body_size in the /api/admin/ location")
	}
	if mb, _ := strconv.Atoi(m[1]); mb < 512 {
		t.Errorf("upload limit %d MB, want at least 512", mb)
	}
	for _, want := range []string{"proxy_request_buffering off;", "X-Real-IP $remote_addr", "X-Forwarded-For $proxy_add_x_forwarded_for", "autoindex off;"} {
		if !strings.Contains(site, want) {
			t.Errorf("site template lacks %q", want)
		}
	}

	prog := readRepoFile(t, "supervisor/psyx.conf.tmpl")
	wait := regexp.MustCompile(`(?m)^stopwaitsecs=(\d+)$`).FindStringSubmatch(prog)
	if wait == nil {
		t.Fatal("no stopwaitsecs")
	}
	// The service's default drain deadline (config.Default) is 20 s.
	if secs, _ := strconv.Atoi(wait[1]); time.Duration(secs)*time.Second <= 20*time.Second {
		t.Errorf("stopwaitsecs=%d is not longer than the 20s drain deadline", secs)
	}
	for _, want := range []string{"stopsignal=TERM", "autostart=true", "autorestart=true",
		"stdout_logfile_backups=14", "stderr_logfile_backups=14",
		"_supervisord_stdout.log", "_supervisord_stderr.log"} {
		if !strings.Contains(prog, want) {
			t.Errorf("supervisor template lacks %q", want)
		}
	}
}

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func selfSignedCert(t *testing.T, dir string) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "psyx.example.org"},
		DNSNames:     []string{"psyx.example.org"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// writeRendered renders a config into path, in-process, with the code
// `psyx render-config` runs.
func writeRendered(t *testing.T, path string, render func(io.Writer) error) {
	t.Helper()
	var b bytes.Buffer
	if err := render(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
