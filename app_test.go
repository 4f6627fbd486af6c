package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/internal/testkit"
	"github.com/psyx-lab/psyx/store/pgtest"
)

var cluster *pgtest.Cluster

// childEnv makes the test binary run the service itself, so fault tests can
// kill -9 a real process built with the same flags (-race included).
const childEnv = "PSYX_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "serve" {
		os.Exit(run([]string{"serve"}, os.Stdout, os.Stderr))
	}
	gin.SetMode(gin.ReleaseMode) // as serve does
	os.Exit(pgtest.Main(m, &cluster))
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"version", []string{"version"}, 0, "psyx "},
		{"help", []string{"help"}, 0, "usage: psyx"},
		{"unknown", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"pack without import", []string{"pack"}, 2, "usage: psyx"},
		{"import without folder", []string{"pack", "import", "--name", "a"}, 2, "exactly one folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.out) {
				t.Fatalf("code %d, output %q %q", code, out.String(), errOut.String())
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func testConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"PSYX_ADDR": freeAddr(t), "PSYX_DATABASE_URL": cluster.NewDatabase(t),
			"PSYX_DATA_DIR": t.TempDir(), "PSYX_PAIRS_PER_PACK": "1",
		}[k]
	}, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// waitFor polls a condition; the deadline only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// healthy tells whether the service at base answers /api/health with 200.
func healthy(base string) bool {
	res, err := http.Get(base + "/api/health")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == 200
}

func waitServing(t *testing.T, base string) {
	t.Helper()
	waitFor(t, "the service to answer", func() bool { return healthy(base) })
}

// On SIGTERM (here: the context ending) the service stops taking
// connections but lets an upload in flight finish and commit.
func TestAppDrainsOnShutdown(t *testing.T) {
	cfg := testConfig(t)
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := NewApp(ctx, cfg, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	base := "http://" + cfg.Addr
	waitServing(t, base)

	// An upload whose body we hold open.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	result := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/admin/create", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			result <- err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		result <- fmt.Sprint(res.StatusCode, " ", string(b))
	}()
	for _, kv := range [][2]string{{"pack_name", "drain"}, {"sex", "1"}, {"age_min", "1"}, {"age_max", "9"}} {
		mw.WriteField(kv[0], kv[1])
	}
	w, _ := mw.CreateFormFile("file", "d_00001_ori.jpg")
	w.Write(testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.JPEG))
	staging := filepath.Join(cfg.DataDir, ".staging")
	waitFor(t, "the upload to reach the handler", func() bool {
		entries, _ := os.ReadDir(staging)
		return len(entries) == 1
	})

	cancel() // what SIGTERM does in serve()
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", cfg.Addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-ran:
		t.Fatalf("Run returned with a request in flight: %v", err)
	default:
	}

	w, _ = mw.CreateFormFile("file", "d_00001_inv.jpg")
	w.Write(testkit.Encode(testkit.Stimulus(1, 1, 32), testkit.JPEG))
	mw.Close()
	pw.Close()
	if got := <-result; got != "200 Pack 1 Added." {
		t.Fatalf("in-flight upload got %q", got)
	}
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := app.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkAPILog(t, cfg.LogDir())
	if !strings.Contains(stderr.String(), "serving") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("lifecycle not on stderr: %q", stderr.String())
	}
}

// api.log links to today's dated file, which has one JSON line per request.
func checkAPILog(t *testing.T, dir string) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(dir, "api.log"))
	if err != nil {
		t.Fatalf("api.log: %v", err)
	}
	today := time.Now().In(mustSeoul(t)).Format("20060102")
	if filepath.Base(target) != "api."+today+".log" {
		t.Fatalf("api.log points at %s, want today's api.%s.log", target, today)
	}
	f, err := os.Open(filepath.Join(dir, "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var requests int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		if line["msg"] == "request" && line["path"] == "/api/admin/create" {
			requests++
			for _, k := range []string{"time", "level", "ip", "method", "status", "latency"} {
				if _, ok := line[k]; !ok {
					t.Errorf("request line lacks %q: %s", k, sc.Text())
				}
			}
			if line["ip"] != "127.0.0.1" {
				t.Errorf("ip %v", line["ip"])
			}
		}
	}
	if requests != 1 {
		t.Errorf("%d log lines for the one upload", requests)
	}
}

func mustSeoul(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPackImportCommand(t *testing.T) {
	cfg := testConfig(t)
	t.Setenv("PSYX_DATABASE_URL", cfg.DatabaseURL)
	t.Setenv("PSYX_DATA_DIR", cfg.DataDir)
	t.Setenv("PSYX_PAIRS_PER_PACK", "2")
	src := t.TempDir()
	testkit.WritePackFiles(t, src, "f", 2)
	os.WriteFile(filepath.Join(src, ".DS_Store"), []byte{1}, 0o644)
	args := []string{"pack", "import", "--name", "local", "--sex", "2", "--age-min", "20", "--age-max", "29", src}
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 || out.String() != "Pack 1 Added.\n" {
		t.Fatalf("code %d, out %q, err %q", code, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "skipped (not a stimulus image): .DS_Store") {
		t.Errorf("skipped file not reported: %q", errOut.String())
	}
	entries, _ := os.ReadDir(filepath.Join(cfg.DataDir, "packs", "local"))
	if len(entries) != 4 {
		t.Errorf("pack folder has %d files", len(entries))
	}
	out.Reset()
	errOut.Reset()
	if code := run(args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "Pack Existed") {
		t.Fatalf("second import: code %d, err %q", code, errOut.String())
	}
}
