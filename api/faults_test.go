package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/psyx-lab/psyx/tools/pgtest"
)

// The database going away gives 500s and a 503 health, never a hang or a
// crash, and the service recovers by itself when it comes back.
func TestDatabaseOutage(t *testing.T) {
	own := pgtest.New(t) // stopping the shared cluster would break other tests
	e := newEnv(t, envOptions{cluster: own})
	e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())

	if err := own.StopServer(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.get(t, "/api/health"), http.StatusServiceUnavailable, `{"status":"unavailable"}`)
	// ci?id=2 names a pack no cache knows: only the database could say it is
	// not there, so the answer must be ours (500), not the user's (400).
	for _, path := range []string{"/api/admin/list", "/api/admin/download?id=1", "/api/admin/ci?id=1",
		"/api/admin/ci?id=2", "/api/admin/quality?id=1"} {
		r := e.get(t, path)
		wantPrefix(t, r, http.StatusInternalServerError, "< SERVER ERROR >")
		if bytes.Contains([]byte(r.Body), []byte("dial")) || bytes.Contains([]byte(r.Body), []byte("sock")) {
			t.Errorf("500 body leaks internals: %q", r.Body)
		}
	}
	wantPrefix(t, e.postJSON(t, "/api/reply/start", person()), http.StatusInternalServerError, "< SERVER ERROR >")
	causes := 0
	for _, entry := range e.Logs.FilterLevelExact(zapcore.ErrorLevel).All() {
		if entry.ContextMap()["error"] != nil && entry.ContextMap()["status"] == int64(500) {
			causes++
		}
	}
	if causes < 3 {
		t.Errorf("%d of 3 server errors logged with their cause", causes)
	}

	if err := own.StartServer(); err != nil {
		t.Fatal(err)
	}
	// Pooled connections died with the server; each is dropped on first use.
	// The service must come back without a restart, within a few requests.
	healthy := false
	for range 20 {
		if r := e.get(t, "/api/health"); r.Status == http.StatusOK {
			healthy = true
			break
		}
	}
	if !healthy {
		t.Fatal("health never came back")
	}
	var last resp
	for range 20 {
		last = e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, answersFor(s.PicPairs), s.Token))
		if last.Status == 200 {
			break
		}
	}
	wantStatus(t, last, 200, "Reply Submitted.")
	if n := e.countReplies(t); n != 1 {
		t.Fatalf("%d replies", n)
	}
}

// An upload cut off half-way (the browser closed, the network dropped)
// leaves no folder, no staging files and no row.
func TestUploadCutOff(t *testing.T) {
	e := newEnv(t, envOptions{})
	ct, body := uploadBody(t, form{"cut", "2", "20", "29"}, packFiles("cut", 3))
	for _, cut := range []int{len(body) / 3, len(body) - 10} {
		req, err := http.NewRequest(http.MethodPost, e.URL+"/api/admin/create", io.NopCloser(bytes.NewReader(body[:cut])))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		req.ContentLength = int64(cut)
		wantPrefix(t, e.do(t, req), http.StatusBadRequest, "Invalid Upload")
		e.wantWhole(t, 0)
	}
}

func TestBodyLimits(t *testing.T) {
	e := newEnv(t, envOptions{})
	huge := `{"name":"` + string(bytes.Repeat([]byte("가"), 1<<19)) + `"}`
	wantPrefix(t, e.postJSON(t, "/api/reply/start", huge), http.StatusBadRequest, "Invalid Input: body larger than")
	// MaxUploadBytes is 8 MB in tests.
	files := []file{{Name: "big_00001_ori.jpg", Data: append(append([]byte{}, jpeg...), make([]byte, 9<<20)...)}}
	wantPrefix(t, e.upload(t, form{"big", "1", "1", "2"}, files), http.StatusBadRequest, "Upload Too Large")
	e.wantWhole(t, 0)
}
