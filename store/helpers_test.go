package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/store"
	"github.com/psyx-lab/psyx/tools/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cluster.NewDatabase(t), 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// folder records what the store asked of the pack folders; it stands for
// packs.Library, whose own tests cover the files.
type folder struct {
	publishErr                error
	published, withdrawn      []string
	retired, restored, purged []string
}

func (f *folder) Publish(name string) error {
	if f.publishErr != nil {
		return f.publishErr
	}
	f.published = append(f.published, name)
	return nil
}

func (f *folder) Withdraw(name string) error {
	f.withdrawn = append(f.withdrawn, name)
	return nil
}

func (f *folder) Retire(name string) (string, error) {
	f.retired = append(f.retired, name)
	return "trash-" + name, nil
}

func (f *folder) Restore(_, name string) error {
	f.restored = append(f.restored, name)
	return nil
}

func (f *folder) Purge(trash string) { f.purged = append(f.purged, trash) }

// pack is a pack of pairs pairs named <name>_0000i_ori/inv.jpg.
func pack(name string, sex, lo, hi, pairs int) model.NewPack {
	np := model.NewPack{Name: name, Sex: sex, AgeMin: lo, AgeMax: hi}
	for i := 1; i <= pairs; i++ {
		np.Pairs = append(np.Pairs, model.Pair{fmt.Sprintf("%s_%05d_ori.jpg", name, i), fmt.Sprintf("%s_%05d_inv.jpg", name, i)})
	}
	return np
}

func createPack(t *testing.T, st *store.Store, np model.NewPack) int {
	t.Helper()
	id, err := st.CreatePack(context.Background(), np, &folder{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// person i of a test.
func person(i int) model.Person {
	return model.Person{Name: "홍길동", Email: fmt.Sprintf("p%d@example.com", i), No: fmt.Sprintf("2020%04d", i),
		Sex: 2, Age: 25, Phone: "010-1234-5678"}
}

// served is np's pairs in pack order, as JSON.
func served(t *testing.T, np model.NewPack) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(np.Pairs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newRun is person p's start of pack id (np), shown in pack order, ori left.
func newRun(t *testing.T, np model.NewPack, id int, p model.Person, token string) model.NewRun {
	t.Helper()
	sv := &model.Served{PackID: id, Order: make([]int32, len(np.Pairs))}
	for i := range sv.Order {
		sv.Order[i] = int32(i << 1)
	}
	resume := fmt.Sprintf("ZZZZ-%04d", crc32.ChecksumIEEE([]byte(token))%10000)
	return model.NewRun{Token: token, Resume: resume, Person: p, Served: sv, ServedJSON: served(t, np)}
}

// answers are the first n of np's pairs answered F in 0.5 s, as stored.
func answers(np model.NewPack, n int, key string) json.RawMessage {
	var out []any
	for _, p := range np.Pairs[:n] {
		out = append(out, []any{key, 0.5, p[0], p[1]})
	}
	b, _ := json.Marshal(out)
	if b == nil || string(b) == "null" {
		return json.RawMessage(`[]`)
	}
	return b
}

// t0 is the tests' clock start.
var t0 = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

func wantReason(t *testing.T, err error, reason model.Reason) {
	t.Helper()
	if model.ReasonOf(err) != reason {
		t.Fatalf("err = %v, want %s", err, reason)
	}
}
