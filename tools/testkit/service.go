package testkit

import (
	"net"
	"net/http"
	"testing"

	"github.com/psyx-lab/psyx/config"
)

// FreeAddr is a 127.0.0.1 address nothing listens on right now.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Config is the service's configuration for a test: a free port, this
// database, a fresh data folder, one pair per pack.
func Config(tb testing.TB, databaseURL string) config.Config {
	tb.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"PSYX_ADDR": FreeAddr(tb), "PSYX_DATABASE_URL": databaseURL,
			"PSYX_DATA_DIR": tb.TempDir(), "PSYX_PAIRS_PER_PACK": "1",
		}[k]
	}, "/nonexistent")
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// Healthy tells whether the service at base answers /api/health with 200.
func Healthy(base string) bool {
	res, err := http.Get(base + "/api/health")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}
