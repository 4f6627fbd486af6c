package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/api"
	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/store"
	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(pgtest.Main(m, &cluster))
}

// env is one service under test: a fresh database, a fresh data folder.
type env struct {
	URL     string
	Store   *store.Store
	DataDir string
	Logs    *observer.ObservedLogs
	Pairs   int
	Handler http.Handler // the same service, for requests made in-process
}

type envOptions struct {
	pairs   int
	cluster *pgtest.Cluster
	rand    runs.Randomizer
	clock   *testkit.Clock // nil: the real clock
	runs    runs.Rules     // zero: the defaults
	names   string         // the name pattern; "": Korean names
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	if opts.pairs == 0 {
		opts.pairs = 3
	}
	cl := opts.cluster
	if cl == nil {
		cl = cluster
	}
	core, logs := observer.New(zap.InfoLevel)
	svc := newService(t, cl.NewDatabase(t), opts, zap.New(core), 8<<20)
	srv := httptest.NewServer(svc.Handler)
	t.Cleanup(srv.Close)
	return &env{URL: srv.URL, Store: svc.Store, DataDir: svc.DataDir, Logs: logs, Pairs: opts.pairs, Handler: svc.Handler}
}

// service is the handler on a migrated database and a fresh data folder,
// wired as App wires it.
type service struct {
	Handler http.Handler
	Store   *store.Store
	DataDir string
}

func newService(tb testing.TB, dbURL string, opts envOptions, log *zap.Logger, maxUpload int64) service {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL, 20) // the service's default pool size
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	dataDir := tb.TempDir()
	return service{Handler: handlerFor(tb, st, dataDir, opts, log, maxUpload), Store: st, DataDir: dataDir}
}

// handlerFor wires a handler on st and dataDir, with caches of its own.
func handlerFor(tb testing.TB, st *store.Store, dataDir string, opts envOptions, log *zap.Logger, maxUpload int64) http.Handler {
	tb.Helper()
	lib, err := packs.NewLibrary(dataDir, opts.pairs, config.DefaultMaxImagePixels, log)
	if err != nil {
		tb.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now
	if opts.clock != nil {
		now = opts.clock.Now
	}
	if opts.rand == nil {
		opts.rand = rand.New(rand.NewPCG(1, 2))
	}
	rep, err := analysis.New(st, filepath.Join(dataDir, "packs"), filepath.Join(dataDir, "stats"), config.DefaultMaxImagePixels, log)
	if err != nil {
		tb.Fatal(err)
	}
	rep.UseStimuli(lib)
	tb.Cleanup(func() { rep.Close() }) // before the data folder goes: cleanups run last first
	rules := opts.runs
	if rules == (runs.Rules{}) {
		rules = runs.Rules{ResumeWithin: 2 * time.Hour, AbandonAfter: 30 * time.Minute}
	}
	h := api.New(api.Deps{
		Packs: st, Replies: st, Participants: runs.New(st, &lockedRand{r: opts.rand}, now, rules, testSecret), DB: st, Folders: lib, Log: log,
		Rules: api.Rules{Name: regexp.MustCompile(cmp.Or(opts.names, `^[가-힣]{2,}$`)), Phone: regexp.MustCompile(`^\d{3}-\d{4}-\d{4}$`),
			PhoneFormat: "###-####-####"},
		AbandonAfter:   rules.AbandonAfter,
		Location:       seoul,
		MaxUploadBytes: maxUpload,
		Now:            now,
		Analysis:       rep,
		Quality:        results.DefaultThresholds(),
		Completions:    st,
		Version:        "test",
		MaxImagePixels: packs.DefaultMaxImagePixels,
	})
	return h
}

// testSecret keys the tests' completion codes (a service reads its own
// from the database).
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// resp is a finished response.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (e *env) do(t *testing.T, req *http.Request) resp {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (e *env) get(t *testing.T, path string) resp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, req)
}

func (e *env) postJSON(t *testing.T, path string, body any) resp {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, e.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return e.do(t, req)
}

// file is one part of an upload.
type file = testkit.PackFile

// Small real images: the upload reads their width and height.
var (
	jpeg = testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.JPEG)
	png  = testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.PNG)
	// png48 is of another size than the rest.
	png48 = testkit.Encode(testkit.Stimulus(1, 0, 48), testkit.PNG)
)

// packFiles is a complete JPEG pack of n pairs, as a browser folder upload
// sends it (the file names carry the folder).
func packFiles(prefix string, n int) []file {
	files := testkit.PackFiles(prefix, n, testkit.JPEG)
	for i := range files {
		files[i].Name = "faces/" + files[i].Name
	}
	return files
}

// form is an upload's text fields, sent before the files; "-" leaves a
// field out.
type form struct{ name, sex, ageMin, ageMax string }

func (f form) fields() []testkit.Field {
	var out []testkit.Field
	for _, fl := range testkit.PackFields(f.name, f.sex, f.ageMin, f.ageMax) {
		if fl.Value != "-" {
			out = append(out, fl)
		}
	}
	return out
}

// uploadBody is a pack upload's Content-Type and body.
func uploadBody(tb testing.TB, f form, files []file) (string, []byte) {
	tb.Helper()
	return testkit.UploadBody(tb, f.fields(), files)
}

func (e *env) upload(t *testing.T, f form, files []file) resp {
	t.Helper()
	ct, body := uploadBody(t, f, files)
	req, err := http.NewRequest(http.MethodPost, e.URL+"/api/admin/create", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return e.do(t, req)
}

// createPack uploads a valid pack and returns its id.
func (e *env) createPack(t *testing.T, name string, sex, lo, hi int) int {
	t.Helper()
	r := e.upload(t, form{name, fmt.Sprint(sex), fmt.Sprint(lo), fmt.Sprint(hi)}, packFiles(name, e.Pairs))
	var id int
	if r.Status != http.StatusOK {
		t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
	}
	if _, err := fmt.Sscanf(r.Body, "Pack %d Added.", &id); err != nil {
		t.Fatalf("create %s: body %q", name, r.Body)
	}
	return id
}

func person() map[string]any {
	return map[string]any{"name": "홍길동", "email": "hong@example.com", "no": "2020123",
		"sex": 2, "age": 25, "phone": "010-1234-5678"}
}

type startReply struct {
	PackID   int             `json:"p_id"`
	PackPath string          `json:"pack_path"`
	PicPairs [][2]string     `json:"pic_pairs"`
	Token    string          `json:"token"`
	Resume   string          `json:"resume"`
	Answered int             `json:"answered"`
	Answers  json.RawMessage `json:"answers"`
}

func (e *env) start(t *testing.T, who map[string]any) startReply {
	t.Helper()
	r := e.postJSON(t, "/api/reply/start", who)
	if r.Status != http.StatusOK {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	var s startReply
	if err := json.Unmarshal([]byte(r.Body), &s); err != nil {
		t.Fatalf("start body %q: %v", r.Body, err)
	}
	return s
}

// answersFor answers every pair: keys cycle F, J, timeout.
func answersFor(pairs [][2]string) []any { return testkit.Answers(pairs, testkit.Cycle) }

func submitBody(who map[string]any, packID int, answers []any, token string) map[string]any {
	b := map[string]any{}
	for k, v := range who {
		b[k] = v
	}
	b["p_id"] = packID
	b["answers"] = answers
	if token != "" {
		b["token"] = token
	}
	return b
}

func (e *env) countReplies(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.Store.DB().Get(&n, `SELECT count(*) FROM reply`); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) countPacks(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.Store.DB().Get(&n, `SELECT count(*) FROM pack`); err != nil {
		t.Fatal(err)
	}
	return n
}

// dirEntries lists a folder of the data dir ("packs", ".staging").
func (e *env) dirEntries(t *testing.T, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(e.DataDir, sub))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	return names
}

func wantStatus(t *testing.T, r resp, status int, body string) {
	t.Helper()
	if r.Status != status || (body != "" && r.Body != body) {
		t.Fatalf("got %d %q, want %d %q", r.Status, shortBody(r.Body), status, body)
	}
}

func wantPrefix(t *testing.T, r resp, status int, prefix string) {
	t.Helper()
	if r.Status != status || !strings.HasPrefix(r.Body, prefix) {
		t.Fatalf("got %d %q, want %d starting %q", r.Status, r.Body, status, prefix)
	}
}

// errorsLogged is every error cause in the log, for failure messages.
func (e *env) errorsLogged() []any {
	var out []any
	for _, entry := range e.Logs.FilterLevelExact(zap.ErrorLevel).All() {
		out = append(out, entry.ContextMap()["error"])
	}
	return out
}

// submitAtOnce sends n copies of one submit body at the same moment, as a
// browser retrying over a bad network may, and wants 200 for each.
func (e *env) submitAtOnce(t *testing.T, n int, body []byte) {
	t.Helper()
	var wg sync.WaitGroup
	results := make([]resp, n)
	for i := range results {
		wg.Go(func() { results[i] = e.postJSON(t, "/api/reply/submit", string(body)) })
	}
	wg.Wait()
	for i, r := range results {
		if r.Status != 200 || r.Body != "Reply Submitted." {
			t.Errorf("copy %d: %d %q", i, r.Status, r.Body)
		}
	}
}

// wantWhole checks that n packs are stored, each with its folder and no
// other folder, and that nothing is left half-received in staging; it
// returns the folders' names.
func (e *env) wantWhole(t *testing.T, n int) []string {
	t.Helper()
	if got := e.countPacks(t); got != n {
		t.Fatalf("%d packs stored, want %d", got, n)
	}
	folders := e.dirEntries(t, "packs")
	if len(folders) != n {
		t.Fatalf("packs folder holds %v, want %d folders", folders, n)
	}
	if got := e.dirEntries(t, ".staging"); len(got) != 0 {
		t.Fatalf("staging holds %v", got)
	}
	return folders
}
