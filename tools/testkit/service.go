package testkit

import (
	"net"
	"net/http"
	"testing"
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

// Env is the service's settings for a test, as PSYX_* variables: a free
// port, this database, a fresh data folder, one pair per pack. (A map, not
// a config.Config: the config package depends on results, whose tests use
// this kit.)
func Env(tb testing.TB, databaseURL string) map[string]string {
	tb.Helper()
	return map[string]string{
		"PSYX_ADDR": FreeAddr(tb), "PSYX_DATABASE_URL": databaseURL,
		"PSYX_DATA_DIR": tb.TempDir(), "PSYX_PAIRS_PER_PACK": "1",
	}
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
