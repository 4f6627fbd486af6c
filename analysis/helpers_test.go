package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/store"
	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

// harness is the service on a migrated database and a fresh data folder,
// with the pack library the service's uploads use.
type harness struct {
	st      *store.Store
	lib     *packs.Library
	svc     *Service
	dataDir string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cluster.NewDatabase(t), 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := &harness{st: st, dataDir: t.TempDir()}
	if h.lib, err = packs.NewLibrary(h.dataDir, 0, 1024*1024, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if h.svc, err = New(st, filepath.Join(h.dataDir, "packs"), h.statsDir(), 1024*1024, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.svc.Close() })
	return h
}

func (h *harness) statsDir() string { return filepath.Join(h.dataDir, "stats") }

// pack publishes an rcicr-style pack of pairs pairs of 32² for men aged
// age, as `psyx pack import` does, and returns its id.
func (h *harness) pack(t *testing.T, name string, age, pairs int) int {
	t.Helper()
	src := t.TempDir()
	if _, err := testkit.WriteRCPack(src, testkit.RCOptions{Size: 32, Pairs: pairs, Prefix: name, Seed: uint64(age)}); err != nil {
		t.Fatal(err)
	}
	up, _, err := h.lib.StageDir(src)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Discard()
	meta, err := packs.ParseMeta(name, "1", fmt.Sprint(age), fmt.Sprint(age))
	if err != nil {
		t.Fatal(err)
	}
	id, err := packs.Register(context.Background(), h.st, meta, up)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// statsFiles lists the stats folder.
func (h *harness) statsFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(h.statsDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
