// Package e2e runs Psyx the way it is deployed: the psyx binary under a real
// supervisord, behind a real nginx, on a real PostgreSQL, with the configs
// rendered by the code scripts/install.sh uses (psyx render-config). The
// stack itself is tools/stack; this file adapts it to tests. Everything
// listens on loopback, lives in temp folders and is stopped when the test
// ends.
package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/stack"
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
		if _, err := stack.LookTool(tool); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
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

// Stack is one running deployment (tools/stack's, whose fields and
// methods it has), with HTTP clients for the tests.
type Stack struct {
	*stack.Stack
	client *http.Client
	admin  *http.Client
}

const startTimeout = 90 * time.Second // a -race build migrating a fresh database

// StartStack brings up a PostgreSQL database + supervisord(psyx) + nginx
// and returns once /api/health answers through Nginx and on every
// instance; everything stops when the test ends.
func StartStack(t *testing.T, opts StackOptions) *Stack {
	t.Helper()
	root := shortTempDir(t)
	st, err := stack.Start(stack.Options{
		Cluster: cluster, PsyxBin: psyxBin, HTMLDir: filepath.Join(repoRoot, "nginx", "html"), Root: root,
		Instances: opts.Instances, PairsPerPack: opts.PairsPerPack, Env: opts.Env, StartTimeout: startTimeout,
	})
	if err != nil {
		t.Fatalf("start stack: %v\n%s", err, logTail(root))
	}
	s := &Stack{Stack: st}
	s.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 2 * time.Minute}
	s.admin = &http.Client{
		Transport: basicAuth{user: s.AdminUser, password: s.AdminPassword, next: s.client.Transport},
		Timeout:   s.client.Timeout,
	}
	t.Cleanup(func() {
		s.client.CloseIdleConnections()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Log(st.LogTail())
		}
	})
	return s
}

// logTail is what a stack that failed to start left in root.
func logTail(root string) string {
	var out strings.Builder
	for _, f := range []string{"run/nginx-error.log", "run/supervisord.log", "PsyxStatic/logs/psyx_supervisord_stderr.log"} {
		if b, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			fmt.Fprintf(&out, "---- %s ----\n%s\n", f, b)
		}
	}
	return out.String()
}

// Supervisorctl runs supervisorctl against this stack's supervisord and
// returns its output; an error exit fails the test, except for `status`,
// which exits non-zero whenever a program is not running. Call it from the
// test goroutine only.
func (s *Stack) Supervisorctl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.Stack.Supervisorctl(args...)
	if err != nil && (len(args) == 0 || args[0] != "status") {
		t.Fatalf("supervisorctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// supervisorctl is Supervisorctl for goroutines: the error is returned.
func (s *Stack) supervisorctl(args ...string) (string, error) {
	return s.Stack.Supervisorctl(args...)
}

// waitHealthy polls url until it answers 200.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	if err := stack.WaitHealthy(startTimeout, url, nil); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds (stack.Poll: never a fixed sleep), the
// one wait of this package. detail, if given, says what was seen last when
// it times out.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, detail ...func() string) {
	t.Helper()
	if err := stack.Poll(timeout, cond); err != nil {
		msg := fmt.Sprintf("timed out after %v waiting for %s", timeout, what)
		for _, d := range detail {
			msg += ": " + d()
		}
		t.Fatal(msg)
	}
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

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
