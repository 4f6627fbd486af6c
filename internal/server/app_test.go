package server

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

	"github.com/psyx-lab/psyx/tools/testkit"
)

// On SIGTERM (here: the context ending) the service stops taking
// connections but lets an upload in flight finish and commit.
func TestAppDrainsOnShutdown(t *testing.T) {
	cfg := testConfig(t)
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := NewApp(ctx, cfg, "test", &stderr)
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
