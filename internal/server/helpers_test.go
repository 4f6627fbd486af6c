package server

import (
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/store/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // as serve does
	os.Exit(pgtest.Main(m, &cluster))
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
