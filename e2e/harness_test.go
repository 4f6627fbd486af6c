// Package e2e runs Psyx the way it is deployed: the psyx binary under a real
// supervisord, behind a real nginx, on a real PostgreSQL, with the configs
// rendered from the same templates (and the same render code) that
// scripts/install.sh uses. Everything listens on loopback, lives in temp
// folders and is stopped when the test ends.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/psyx-lab/psyx/nginx"
	"github.com/psyx-lab/psyx/store/pgtest"
	"github.com/psyx-lab/psyx/supervisor"
)

var (
	cluster  *pgtest.Cluster
	psyxBin  string // built once per test binary by TestMain
	repoRoot string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	for _, tool := range []string{"nginx", "supervisord", "supervisorctl", "htpasswd"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %s not found: install nginx, supervisor and apache2-utils (scripts/test.sh does)\n", tool)
			return 1
		}
	}
	binDir, err := os.MkdirTemp("", "psyxbin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(binDir)
	// Readable by Nginx/Supervisor children whatever user they run as.
	if err := os.Chmod(binDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	psyxBin = filepath.Join(binDir, "psyx")
	if err := buildPsyx(psyxBin); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return pgtest.Main(m, &cluster)
}

// buildPsyx builds the service; with -race when the tests run with -race,
// so a data race in the service under this traffic fails the test too.
func buildPsyx(out string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, ".")...)
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build psyx: %w\n%s", err, b)
	}
	return nil
}

// StackOptions shape one stack.
type StackOptions struct {
	Instances    int // psyx processes behind one upstream; default 1
	PairsPerPack int // 0 = the service default (300); -1 = any size
	// Env adds settings (PSYX_NAME_PATTERN, ...) to every instance.
	Env map[string]string
}

// Stack is one running deployment.
type Stack struct {
	BaseURL                  string // http://127.0.0.1:<port>, Nginx
	AdminUser, AdminPassword string
	DataDir                  string // PsyxStatic-like: packs/, logs/, psyx.htpasswd
	DB                       *sqlx.DB
	Cluster                  *pgtest.Cluster
	DatabaseURL              string
	APIAddrs                 []string // host:port of each psyx instance, bypassing Nginx
	Programs                 []string // Supervisor program names, same order as APIAddrs
	RunDir                   string   // rendered configs, sockets, Nginx and supervisord logs

	supervisorConf string
	client         *http.Client
	admin          *http.Client
}

const (
	adminUser    = "admin"
	startTimeout = 90 * time.Second // a -race build migrating a fresh database
)

// StartStack brings up PostgreSQL database + supervisord(psyx) + nginx and
// returns once /api/health answers through Nginx and on every instance.
func StartStack(t *testing.T, opts StackOptions) *Stack {
	t.Helper()
	if opts.Instances <= 0 {
		opts.Instances = 1
	}
	root := shortTempDir(t)
	s := &Stack{
		AdminUser:      adminUser,
		AdminPassword:  randomHex(t, 12),
		DataDir:        filepath.Join(root, "PsyxStatic"),
		RunDir:         filepath.Join(root, "run"),
		Cluster:        cluster,
		supervisorConf: filepath.Join(root, "run", "supervisord.conf"),
	}
	for _, d := range []string{
		s.DataDir, filepath.Join(s.DataDir, "packs"), filepath.Join(s.DataDir, "logs"),
		s.RunDir, filepath.Join(s.RunDir, "programs"), filepath.Join(s.RunDir, "tmp"),
	} {
		mkdir(t, d)
	}
	t.Cleanup(func() {
		if t.Failed() {
			s.dumpLogs(t)
		}
	})

	s.DatabaseURL = cluster.NewDatabase(t)
	db, err := sqlx.Open("postgres", s.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.DB = db

	htpasswd := exec.Command("htpasswd", "-c", "-i", "-B", filepath.Join(s.DataDir, "psyx.htpasswd"), s.AdminUser)
	htpasswd.Stdin = strings.NewReader(s.AdminPassword + "\n")
	if out, err := htpasswd.CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}

	for i := 0; i < opts.Instances; i++ {
		s.Programs = append(s.Programs, supervisor.ProgramName(i))
		s.APIAddrs = append(s.APIAddrs, fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	}
	s.renderSupervisor(t, opts)
	nginxConf := s.renderNginx(t)

	s.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 2 * time.Minute}
	s.admin = &http.Client{
		Transport: basicAuth{user: s.AdminUser, password: s.AdminPassword, next: s.client.Transport},
		Timeout:   s.client.Timeout,
	}
	t.Cleanup(func() { s.client.CloseIdleConnections() })

	s.startSupervisord(t)
	startProcess(t, filepath.Join(s.RunDir, "nginx.out"), syscall.SIGTERM,
		"nginx", "-p", s.RunDir, "-c", nginxConf, "-e", filepath.Join(s.RunDir, "nginx-error.log"))

	for _, addr := range s.APIAddrs {
		waitHealthy(t, "http://"+addr+"/api/health")
	}
	waitHealthy(t, s.BaseURL+"/api/health")
	return s
}

// renderSupervisor writes supervisord.conf and the program file, with the
// renderer install.sh uses (psyx render-config).
func (s *Stack) renderSupervisor(t *testing.T, opts StackOptions) {
	t.Helper()
	sd := supervisor.Supervisord{RunDir: s.RunDir}
	if os.Geteuid() == 0 {
		sd.User = "root" // silences supervisord's warning about running as root
	}
	writeRendered(t, s.supervisorConf, sd.Render)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	switch {
	case opts.PairsPerPack > 0:
		env["PSYX_PAIRS_PER_PACK"] = fmt.Sprint(opts.PairsPerPack)
	case opts.PairsPerPack < 0:
		env["PSYX_PAIRS_PER_PACK"] = "0"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	p := supervisor.Programs{Command: psyxBin, DataDir: s.DataDir, User: u.Username, Home: u.HomeDir,
		DatabaseURL: s.DatabaseURL, Addrs: s.APIAddrs, Env: env}
	writeRendered(t, filepath.Join(s.RunDir, "programs", "psyx.conf"), p.Render)
}

// renderNginx writes the production site for this stack and a standalone
// nginx.conf around it; it returns the latter.
func (s *Stack) renderNginx(t *testing.T) string {
	t.Helper()
	port := freePort(t)
	s.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	site := filepath.Join(s.RunDir, "psyx.conf")
	writeRendered(t, site, nginx.Site{
		Listen: fmt.Sprintf("127.0.0.1:%d", port), ServerName: "localhost",
		HTMLDir: filepath.Join(repoRoot, "nginx", "html"), DataDir: s.DataDir,
		Upstreams: s.APIAddrs, Limits: nginx.DefaultLimits(),
	}.Render)
	conf := filepath.Join(s.RunDir, "nginx.conf")
	sa := nginx.Standalone{RunDir: s.RunDir, MimeTypes: "/etc/nginx/mime.types", SiteConf: site,
		WorkerConnections: nginx.DefaultWorkerConnections}
	if os.Geteuid() == 0 {
		// Workers would otherwise run as nobody, who cannot enter temp dirs.
		sa.User = "root root"
	}
	writeRendered(t, conf, sa.Render)
	return conf
}

// writeRendered renders a config into path.
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

func (s *Stack) startSupervisord(t *testing.T) {
	t.Helper()
	startProcess(t, filepath.Join(s.RunDir, "supervisord.out"), syscall.SIGTERM,
		"supervisord", "-n", "-c", s.supervisorConf)
	// After supervisord has stopped psyx (registered after, so run before):
	// a race or panic report in the service fails the test.
	t.Cleanup(func() { s.checkServiceStderr(t) })
	t.Cleanup(func() {
		// Stop psyx through Supervisor first, as a maintainer would, so its
		// exit status is recorded; supervisord itself gets SIGTERM afterwards.
		if out, err := s.supervisorctl("stop", "all"); err != nil {
			t.Logf("supervisorctl stop all: %v\n%s", err, out)
		}
	})
}

func (s *Stack) checkServiceStderr(t *testing.T) {
	for _, p := range s.Programs {
		b, err := os.ReadFile(filepath.Join(s.DataDir, "logs", p+"_supervisord_stderr.log"))
		if err != nil {
			continue
		}
		for _, bad := range []string{"WARNING: DATA RACE", "panic:", "fatal error:"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s stderr has %q:\n%s", p, bad, b)
				break
			}
		}
	}
}

// startProcess runs a foreground daemon until the test ends: stop signal
// first, SIGKILL if it has not exited 45 s later (psyx drains for up to 20 s).
func startProcess(t *testing.T, logPath string, stop syscall.Signal, name string, args ...string) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group: a Ctrl-C aimed at `go test` does not hit it
	// half-way; Pdeathsig: it does not outlive a killed test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		defer logFile.Close()
		cmd.Process.Signal(stop)
		select {
		case <-done:
		case <-time.After(45 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("%s did not stop within 45s of %v", name, stop)
		}
	})
}

// Supervisorctl runs supervisorctl against this stack's supervisord and
// returns its output; an error exit fails the test, except for `status`,
// which exits non-zero whenever a program is not running. Call it from the
// test goroutine only.
func (s *Stack) Supervisorctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.supervisorctl(args...)
	if err != nil && (len(args) == 0 || args[0] != "status") {
		t.Fatalf("supervisorctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *Stack) supervisorctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "supervisorctl", append([]string{"-c", s.supervisorConf}, args...)...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// ProgramState is a program's Supervisor state (RUNNING, STOPPING, ...).
func (s *Stack) ProgramState(program string) string {
	out, _ := s.supervisorctl("status", program)
	f := strings.Fields(out)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

func (s *Stack) dumpLogs(t *testing.T) {
	files := []string{
		filepath.Join(s.RunDir, "nginx-error.log"),
		filepath.Join(s.RunDir, "supervisord.log"),
		filepath.Join(s.DataDir, "logs", "api.log"),
	}
	for _, p := range s.Programs {
		files = append(files, filepath.Join(s.DataDir, "logs", p+"_supervisord_stderr.log"))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(b) > 8000 {
			b = append([]byte("...\n"), b[len(b)-8000:]...)
		}
		t.Logf("---- %s ----\n%s", f, b)
	}
}

// waitHealthy polls url until it answers 200.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	var last string
	waitFor(t, startTimeout, "healthy "+url, func() bool {
		resp, err := c.Get(url)
		if err != nil {
			last = err.Error()
			return false
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK
	}, func() string { return last })
}

// waitFor polls cond until it holds; never a fixed sleep. detail, if given,
// says what was seen last when it times out.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, detail ...func() string) {
	t.Helper()
	if err := poll(timeout, cond); err != nil {
		msg := fmt.Sprintf("timed out after %v waiting for %s", timeout, what)
		for _, d := range detail {
			msg += ": " + d()
		}
		t.Fatal(msg)
	}
}

var errTimeout = errors.New("timed out")

// poll is waitFor for goroutines other than the test's.
func poll(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return errTimeout
		}
		<-tick.C
	}
	return nil
}

// shortTempDir is t.TempDir with a short path: unix socket paths are
// limited to 108 bytes and test names are long.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "psyxe2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
