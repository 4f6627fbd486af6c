package main

import (
	"bytes"
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

// The service will not listen beyond loopback unless told to, since Nginx
// (and its basic auth) is meant to be the only way in.
func TestRefusesPublicListen(t *testing.T) {
	t.Setenv("PSYX_ADDR", "0.0.0.0:5999")
	t.Setenv("PSYX_DATA_DIR", t.TempDir())
	var out, errOut bytes.Buffer
	if code := run([]string{"serve"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not a loopback address") {
		t.Fatalf("code %d, stderr %q", code, errOut.String())
	}
}
