package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// The maintainer's whole flow through Nginx: a full 600-file pack uploaded,
// its images served from the data folder, a participant's start and submit,
// the reply in the download.
func TestPackAndReplyThroughNginx(t *testing.T) {
	s := StartStack(t, StackOptions{})
	dir := filepath.Join(t.TempDir(), "female20s")
	WritePackFiles(t, dir, "f20", 300)
	r := s.UploadDir(t, s.AdminClient(), "/api/admin/create", PackForm{"female20s", 2, 20, 29}, dir, nil)
	id := packID(t, r)

	packs := s.ListPacks(t)
	if len(packs) != 1 || packs[0].PID != id || packs[0].Name != "female20s" || packs[0].Size != 300 || packs[0].Count != 0 {
		t.Fatalf("list after create: %+v", packs)
	}

	// Every image is served under /packs/, byte for byte, cacheable.
	files, err := sortedNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 600 {
		t.Fatalf("generated %d files, want 600", len(files))
	}
	for i, f := range files {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got := s.Get(t, s.Client(), "/packs/female20s/"+f)
		if got.Status != http.StatusOK || !bytes.Equal(got.Body, want) {
			t.Fatalf("/packs/female20s/%s: status %d, %d bytes, want the uploaded %d bytes", f, got.Status, len(got.Body), len(want))
		}
		if i == 0 {
			if ct := got.Header.Get("Content-Type"); ct != "image/jpeg" {
				t.Errorf("image Content-Type %q", ct)
			}
			if cc := got.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
				t.Errorf("image Cache-Control %q, want a long max-age", cc)
			}
			if got.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing on images: %v", got.Header)
			}
		}
	}

	// No listings, nothing outside packs/, no staging folder.
	mkdir(t, filepath.Join(s.DataDir, ".staging", "upload-probe"))
	secret := "f20_00001_ori.jpg"
	if err := os.WriteFile(filepath.Join(s.DataDir, ".staging", "upload-probe", secret), []byte{0xFF, 0xD8, 0xFF}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/packs/", "/packs/female20s/", "/packs/female20s", "/packs/../psyx.htpasswd",
		"/.staging/upload-probe/" + secret, "/packs/../.staging/upload-probe/" + secret,
		"/packs/%2e%2e/.staging/upload-probe/" + secret, "/packs/..%2f.staging/upload-probe/" + secret,
		"/packs/.staging/upload-probe/" + secret, "/packs../.staging/upload-probe/" + secret,
		"/psyx.htpasswd", "/logs/api.log", "/packs/../logs/api.log",
	} {
		r := rawGet(t, s, path)
		if r.Status == http.StatusOK || bytes.Contains(r.Body, []byte("_00001_")) || bytes.Contains(r.Body, []byte("$2y$")) {
			t.Errorf("GET %s: must not be served, got %v", path, r)
		}
	}

	// A participant through Nginx.
	p := NewPerson(1, 2, 25)
	a := s.StartReply(t, "/api/reply/start", p)
	if a.PID != id || a.PackPath != "/packs/female20s" || len(a.PicPairs) != 300 {
		t.Fatalf("start: p_id %d, pack_path %q, %d pairs", a.PID, a.PackPath, len(a.PicPairs))
	}
	if r := s.Get(t, s.Client(), a.PackPath+"/"+a.PicPairs[0][0]); r.Status != http.StatusOK {
		t.Fatalf("first image of the assignment: %v", r)
	}
	sub := NewSubmission(p, a, a.Token)
	for i := 0; i < 2; i++ { // the second is a browser's retry
		if r := s.PostJSON(t, s.Client(), "/api/reply/submit", sub); r.Status != http.StatusOK || string(r.Body) != "Reply Submitted." {
			t.Fatalf("submit #%d: want 200 \"Reply Submitted.\", got %v", i+1, r)
		}
	}
	replies := s.Download(t, id)
	if len(replies) != 1 || replies[0].No != p.No || replies[0].Name != p.Name || len(replies[0].Answers) != 300 {
		t.Fatalf("download: %+v", replies)
	}
	if packs := s.ListPacks(t); packs[0].Count != 1 {
		t.Fatalf("list count after one reply: %+v", packs)
	}
}

// rawGet sends path exactly as written (no client-side cleaning of ../).
func rawGet(t *testing.T, s *Stack, path string) Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.BaseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, strings.TrimPrefix(s.BaseURL, "http://"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body.Bytes()}
}

// The service logs the participant's address as Nginx saw it, not Nginx's
// own, and a client cannot forge it.
func TestClientAddressInLog(t *testing.T) {
	s := StartStack(t, StackOptions{})
	client := &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext,
	}}
	defer client.CloseIdleConnections()
	probe := "/api/ip-probe-" + randomHex(t, 6)
	req, err := http.NewRequest(http.MethodGet, s.URL(probe), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Real-IP", "203.0.113.7")
	req.Header.Set("X-Forwarded-For", "203.0.113.8")
	if r := send(t, client, req); r.Status != http.StatusNotFound {
		t.Fatalf("GET %s: want the service's 404, got %v", probe, r)
	}
	line := s.WaitLogLine(t, probe)
	if ip := line.Str("ip"); ip != "127.0.0.2" {
		t.Errorf("api.log ip = %q, want the client's 127.0.0.2 (line %v)", ip, line)
	}
	for _, key := range []string{"method", "status", "level"} {
		if _, ok := line[key]; !ok {
			t.Errorf("api.log line without %q: %v", key, line)
		}
	}
}

// Bodies beyond the limits are refused by Nginx before they are read.
func TestBodyLimits(t *testing.T) {
	s := StartStack(t, StackOptions{})
	cases := []struct {
		path   string
		length int64
		admin  bool
	}{
		{"/api/admin/create", 1100 << 20, true}, // over the 1 GB pack limit
		{"/api/reply/submit", 3 << 20, false},   // a reply is ~20 KB
	}
	for _, c := range cases {
		auth := ""
		if c.admin {
			req, _ := http.NewRequest(http.MethodPost, "/", nil)
			req.SetBasicAuth(s.AdminUser, s.AdminPassword)
			auth = "Authorization: " + req.Header.Get("Authorization") + "\r\n"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", strings.TrimPrefix(s.BaseURL, "http://"))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", c.path, auth, c.length)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			t.Fatalf("POST %s with Content-Length %d: %v", c.path, c.length, err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with Content-Length %d: want 413, got %d", c.path, c.length, resp.StatusCode)
		}
	}
}
