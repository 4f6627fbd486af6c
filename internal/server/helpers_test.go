package server

import (
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // as serve does
	os.Exit(pgtest.Main(m, &cluster))
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

func waitServing(t *testing.T, base string) {
	t.Helper()
	waitFor(t, "the service to answer", func() bool { return testkit.Healthy(base) })
}

// testConfig is the service's configuration on a fresh database (testkit.Env).
func testConfig(t *testing.T) config.Config {
	t.Helper()
	env := testkit.Env(t, cluster.NewDatabase(t))
	cfg, err := config.Load(func(k string) string { return env[k] }, "/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
