package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// child is the service running as its own process.
type child struct {
	env    []string
	Addr   string
	Base   string
	cmd    *exec.Cmd
	exited chan struct{}
	out    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startChild runs the service (the psyx binary TestMain built, -race
// included when the tests run with it) as its own process with these
// PSYX_* settings, and waits until it answers.
func startChild(t *testing.T, settings map[string]string) *child {
	t.Helper()
	c := &child{Addr: settings["PSYX_ADDR"], out: &syncBuffer{}}
	c.Base = "http://" + c.Addr
	c.env = os.Environ()
	for k, v := range settings {
		c.env = append(c.env, k+"="+v)
	}
	c.start(t)
	t.Cleanup(func() {
		c.kill(t)
		for _, bad := range []string{"DATA RACE", "panic:"} {
			if strings.Contains(c.out.String(), bad) {
				t.Errorf("service output has %q:\n%s", bad, c.out.String())
			}
		}
	})
	return c
}

func (c *child) start(t *testing.T) {
	t.Helper()
	c.cmd = exec.Command(psyxBin, "serve")
	c.cmd.Env = c.env
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(c.cmd, c.exited)
	waitFor(t, startTimeout, "the service to answer", func() bool {
		select {
		case <-c.exited:
			t.Fatalf("service exited at start:\n%s", c.out.String())
		default:
		}
		return testkit.Healthy(c.Base)
	})
}

// kill is kill -9: no draining, no deferred cleanup.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.cmd.Process.Kill()
	<-c.exited
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// childSettings are a fresh database and data folder on a free port.
func childSettings(t *testing.T, dbURL, dataDir string, pairs int) map[string]string {
	t.Helper()
	return map[string]string{
		"PSYX_ADDR": freeAddr(t), "PSYX_DATABASE_URL": dbURL, "PSYX_DATA_DIR": dataDir,
		"PSYX_PAIRS_PER_PACK": fmt.Sprint(pairs), "PSYX_CONFIG": "",
	}
}

// packUpload writes a multipart pack upload: fields first, then pairs of
// files of size bytes each (a real JPEG, padded).
func packUpload(w io.Writer, name string, sex, lo, hi, pairs, size int) (string, error) {
	mw := multipart.NewWriter(w)
	for _, kv := range [][2]string{{"pack_name", name}, {"sex", fmt.Sprint(sex)}, {"age_min", fmt.Sprint(lo)}, {"age_max", fmt.Sprint(hi)}} {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	data := testkit.PaddedJPEG(size)
	for i := 1; i <= pairs; i++ {
		for _, side := range []string{"ori", "inv"} {
			fw, err := mw.CreateFormFile("file", fmt.Sprintf("%s_%05d_%s.jpg", name, i, side))
			if err != nil {
				return "", err
			}
			if _, err := fw.Write(data); err != nil {
				return "", err
			}
		}
	}
	return mw.FormDataContentType(), mw.Close()
}

// post sends a body and returns status and text; a transport error is
// status 0 with the error's text.
func post(url, contentType string, body io.Reader) (int, string) {
	res, err := http.Post(url, contentType, body)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func get(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func createPack(t *testing.T, base, name string, sex, lo, hi, pairs int) {
	t.Helper()
	var buf bytes.Buffer
	ct, err := packUpload(&buf, name, sex, lo, hi, pairs, 64)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := post(base+"/api/admin/create", ct, &buf); status != 200 {
		t.Fatalf("create %s: %d %s", name, status, body)
	}
}

func participant() map[string]any {
	return map[string]any{"name": "홍길동", "email": "hong@example.com", "no": "2020123", "sex": 2, "age": 25, "phone": "010-1234-5678"}
}

// answerAll is the submit body for a start's answer: the participant and
// every pair answered F, as served.
func answerAll(started []byte) (map[string]any, error) {
	var s struct {
		PackID int         `json:"p_id"`
		Pairs  [][2]string `json:"pic_pairs"`
	}
	if err := json.Unmarshal(started, &s); err != nil {
		return nil, fmt.Errorf("start answer %q: %w", started, err)
	}
	sub := participant()
	sub["p_id"] = s.PackID
	var answers []any
	for _, p := range s.Pairs {
		answers = append(answers, []any{"F", 0.5, p[0], p[1]})
	}
	sub["answers"] = answers
	return sub, nil
}

func openDB(t *testing.T, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sqlx.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
