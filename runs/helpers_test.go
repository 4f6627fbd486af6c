package runs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/store"
	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

var cluster *pgtest.Cluster

// secret keys the tests' completion codes.
var secret = []byte("0123456789abcdef0123456789abcdef")

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

// world is the rules on a fresh database with one pack of pairs pairs
// (female, 20–29) and a settable clock.
type world struct {
	st    *store.Store
	svc   *runs.Service
	clock *testkit.Clock
	pack  *model.PackFiles
	url   string
}

func newWorld(t *testing.T, pairs, maxConns int) *world {
	t.Helper()
	ctx := context.Background()
	url := cluster.NewDatabase(t)
	st := openStore(t, url, maxConns)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	np := model.NewPack{Name: "female20s", Sex: 2, AgeMin: 20, AgeMax: 29}
	for i := 1; i <= pairs; i++ {
		np.Pairs = append(np.Pairs, model.Pair{fmt.Sprintf("f_%05d_ori.png", i), fmt.Sprintf("f_%05d_inv.png", i)})
	}
	id, err := st.CreatePack(ctx, np, nopFolder{})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, clock: testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)), url: url}
	w.svc = w.service(st)
	if w.pack, err = st.PackFiles(ctx, id); err != nil {
		t.Fatal(err)
	}
	return w
}

// service is the rules on st with the world's clock.
func (w *world) service(st *store.Store) *runs.Service {
	return runs.New(st, &seeded{r: rand.New(rand.NewPCG(1, 2))}, w.clock.Now,
		runs.Rules{ResumeWithin: 2 * time.Hour, AbandonAfter: 30 * time.Minute}, secret)
}

func openStore(t *testing.T, url string, maxConns int) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url, maxConns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type nopFolder struct{}

func (nopFolder) Publish(string) error  { return nil }
func (nopFolder) Withdraw(string) error { return nil }

// seeded is a seeded generator safe for concurrent starts.
type seeded struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (s *seeded) Shuffle(n int, swap func(i, j int)) {
	s.mu.Lock()
	s.r.Shuffle(n, swap)
	s.mu.Unlock()
}
func (s *seeded) IntN(n int) int { s.mu.Lock(); defer s.mu.Unlock(); return s.r.IntN(n) }

// person i of a test: female, 25.
func person(i int) model.Person {
	return model.Person{Name: "홍길동", Email: fmt.Sprintf("p%d@example.com", i), No: fmt.Sprintf("2020%04d", i),
		Sex: 2, Age: 25, Phone: "010-1234-5678"}
}

// answers are the first n trials of a started run answered with keys, as
// a page sends them: each trial's files as served.
func answers(t *testing.T, st *runs.Started, n int, key string) []byte {
	t.Helper()
	var served [][2]string
	if err := json.Unmarshal(st.Run.Served, &served); err != nil {
		t.Fatal(err)
	}
	out := make([]any, n)
	for i := range n {
		out[i] = []any{key, 0.5 + float64(i%5)/10, served[i][0], served[i][1]}
	}
	return jsonMarshal(t, out)
}

func jsonMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantReason(t *testing.T, err error, reason model.Reason) {
	t.Helper()
	if model.ReasonOf(err) != reason {
		t.Fatalf("err = %v, want %s", err, reason)
	}
}
