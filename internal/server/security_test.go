package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/config"
)

// startApp runs the service in-process until the test ends.
func startApp(t *testing.T, cfg config.Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, cfg, "test", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
		app.Close()
	})
	base := "http://" + cfg.Addr
	waitServing(t, base)
	return base
}

// A client that never finishes its headers is cut off by the server.
func TestSlowClientCutOff(t *testing.T) {
	cfg := testConfig(t)
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	startApp(t, cfg)
	conn, err := net.Dial("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /api/reply/start HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	// The deadline only bounds a broken server; the server must close first.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	start := time.Now()
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("server kept a half-sent request open for %v", time.Since(start))
	}
	if strings.Contains(string(b), "200 OK") {
		t.Fatalf("half a request was answered: %q", b)
	}
}

// Participants' names, phones and e-mails never reach api.log, whether the
// request is accepted or refused.
func TestNoPersonalDataInLog(t *testing.T) {
	cfg := testConfig(t)
	base := startApp(t, cfg)
	people := []map[string]any{
		{"name": "김비밀", "email": "secret.mail@example.com", "no": "778899", "sex": 1, "age": 30, "phone": "010-9876-5432"},
		{"name": "Secretname", "email": "secret.mail@example.com", "no": "778899", "sex": 1, "age": 30, "phone": "010-9876-5432"},
		{"name": "김비밀", "email": "not-an-email-secret", "no": "778899", "sex": 1, "age": 30, "phone": "010-9876-5432"},
		{"name": "김비밀", "email": "secret.mail@example.com", "no": "778899", "sex": 1, "age": 30, "phone": "01098765432"},
	}
	for _, p := range people {
		for _, path := range []string{"/api/reply/start", "/api/reply/submit"} {
			b, _ := json.Marshal(p)
			res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 400 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
		}
	}
	log, err := os.ReadFile(filepath.Join(cfg.LogDir(), "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), `"status":400`); n != 8 {
		t.Fatalf("%d 400s logged, want 8:\n%s", n, log)
	}
	for _, secret := range []string{"김비밀", "Secretname", "secret.mail", "not-an-email-secret", "9876", "98765432"} {
		if strings.Contains(string(log), secret) {
			t.Errorf("api.log contains %q", secret)
		}
	}
}

// An upload that declares more bytes than the limit is refused before the
// server reads any of them: the body here never arrives.
func TestOversizeUploadRefusedEarly(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxUploadMB = 1
	base := startApp(t, cfg)
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", base+"/api/admin/create", pr)
	req.ContentLength = 2 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.HasPrefix(string(b), "Upload Too Large") {
		t.Fatalf("%d %q", res.StatusCode, b)
	}
}
