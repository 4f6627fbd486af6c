package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// basicAuth adds the admin's credentials to every request, as a browser does
// once the admin has logged in.
type basicAuth struct {
	user, password string
	next           http.RoundTripper
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.user, b.password)
	return b.next.RoundTrip(r)
}

// Client sends requests without credentials.
func (s *Stack) Client() *http.Client { return s.client }

// AdminClient sends every request with the admin's basic-auth credentials.
func (s *Stack) AdminClient() *http.Client { return s.admin }

// URL is path on Nginx.
func (s *Stack) URL(path string) string { return s.BaseURL + path }

// Response is a whole HTTP response, body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r Response) String() string { return fmt.Sprintf("%d %q", r.Status, r.Body) }

// send does req with c; transport errors fail the test.
func send(t *testing.T, c *http.Client, req *http.Request) Response {
	t.Helper()
	r, err := trySend(c, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return r
}

// trySend is send for goroutines and for requests expected to fail.
func trySend(c *http.Client, req *http.Request) (Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Get fetches url (absolute, or a path on Nginx).
func (s *Stack) Get(t *testing.T, c *http.Client, url string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.abs(url), nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, c, req)
}

// PostJSON posts v as JSON to url (absolute, or a path on Nginx).
func (s *Stack) PostJSON(t *testing.T, c *http.Client, url string, v any) Response {
	t.Helper()
	req := jsonRequest(t, s.abs(url), v)
	return send(t, c, req)
}

func jsonRequest(t *testing.T, url string, v any) *http.Request {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func (s *Stack) abs(url string) string {
	if strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://") {
		return url
	}
	return s.BaseURL + url
}

// PackInfo is one entry of /api/admin/list.
type PackInfo struct {
	PID    int    `json:"p_id"`
	Name   string `json:"pack_name"`
	Sex    int    `json:"sex"`
	AgeMin int    `json:"age_min"`
	AgeMax int    `json:"age_max"`
	Size   int    `json:"size"`
	Count  int    `json:"count"`
	Date   string `json:"date"`
}

// ListPacks is GET /api/admin/list through Nginx as the admin.
func (s *Stack) ListPacks(t *testing.T) []PackInfo {
	t.Helper()
	r := s.Get(t, s.admin, "/api/admin/list")
	if r.Status != http.StatusOK {
		t.Fatalf("list: %v", r)
	}
	var out []PackInfo
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("list: %v: %s", err, r.Body)
	}
	return out
}

// Person is the personal part of start and submit.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	No    string `json:"no"`
	Sex   int    `json:"sex"`
	Age   int    `json:"age"`
	Phone string `json:"phone"`
}

// NewPerson makes valid participant i; No is unique per i.
func NewPerson(i, sex, age int) Person {
	names := []string{"홍길동", "김상현", "이성호", "박민수", "최지우"}
	return Person{
		Name:  names[i%len(names)],
		Email: fmt.Sprintf("p%d@example.com", i),
		No:    fmt.Sprintf("S%07d", i),
		Sex:   sex,
		Age:   age,
		Phone: fmt.Sprintf("010-%04d-%04d", i/10000%10000, i%10000),
	}
}

// Assignment is the answer of /api/reply/start.
type Assignment struct {
	PID      int         `json:"p_id"`
	PackPath string      `json:"pack_path"`
	PicPairs [][2]string `json:"pic_pairs"`
}

// StartReply is POST /api/reply/start at url (absolute, or a path on Nginx)
// and must answer 200.
func (s *Stack) StartReply(t *testing.T, url string, p Person) Assignment {
	t.Helper()
	r := s.PostJSON(t, s.client, url, p)
	if r.Status != http.StatusOK {
		t.Fatalf("start: %v", r)
	}
	var a Assignment
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("start: %v: %s", err, r.Body)
	}
	return a
}

// Submission is the body of /api/reply/submit.
type Submission struct {
	Person
	PID     int     `json:"p_id"`
	Answers [][]any `json:"answers"`
	Token   string  `json:"token,omitempty"`
}

// NewSubmission answers every pair of a, cycling F, J and timeouts.
func NewSubmission(p Person, a Assignment, token string) Submission {
	keys := []string{"F", "J", " "}
	answers := make([][]any, len(a.PicPairs))
	for i, pair := range a.PicPairs {
		rt := 0.4 + float64(i%20)/10
		if keys[i%3] == " " {
			rt = 3
		}
		answers[i] = []any{keys[i%3], rt, pair[0], pair[1]}
	}
	return Submission{Person: p, PID: a.PID, Answers: answers, Token: token}
}

// Reply is one reply of a download.
type Reply struct {
	RID     int64   `json:"r_id"`
	PID     int     `json:"p_id"`
	Name    string  `json:"name"`
	No      string  `json:"no"`
	Age     int     `json:"age"`
	Date    string  `json:"date"`
	Answers [][]any `json:"answers"`
}

// Download is GET /api/admin/download?id= through Nginx as the admin.
func (s *Stack) Download(t *testing.T, pid int) []Reply {
	t.Helper()
	r := s.Get(t, s.admin, fmt.Sprintf("/api/admin/download?id=%d", pid))
	if r.Status != http.StatusOK {
		t.Fatalf("download %d: %v", pid, r)
	}
	var pack struct {
		Replies []Reply `json:"replies"`
	}
	if err := json.Unmarshal(r.Body, &pack); err != nil {
		t.Fatalf("download %d: %v", pid, err)
	}
	return pack.Replies
}

// LogLine is one JSON line of api.log.
type LogLine map[string]any

// Str is a string field, "" when absent.
func (l LogLine) Str(key string) string {
	s, _ := l[key].(string)
	return s
}

// APILog reads every line of logs/api.log (today's file).
func (s *Stack) APILog(t *testing.T) []LogLine {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.DataDir, "logs", "api.log"))
	if err != nil {
		t.Fatalf("api.log: %v", err)
	}
	var out []LogLine
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l LogLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatalf("api.log line is not JSON: %v: %s", err, line)
		}
		out = append(out, l)
	}
	return out
}

// WaitLogLine waits until api.log has a line with this path and returns it.
func (s *Stack) WaitLogLine(t *testing.T, path string) LogLine {
	t.Helper()
	var found LogLine
	waitFor(t, startTimeout, "api.log line for "+path, func() bool {
		for _, l := range s.APILog(t) {
			if l.Str("path") == path {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

func sortedNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}
