package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/psyx-lab/psyx/store"
	"github.com/psyx-lab/psyx/store/pgtest"
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

// fakeFolder records what the store asked of the pack folder.
type fakeFolder struct {
	publishErr error
	published  []string
	withdrawn  []string
}

func (f *fakeFolder) Publish(name string) error {
	if f.publishErr != nil {
		return f.publishErr
	}
	f.published = append(f.published, name)
	return nil
}

func (f *fakeFolder) Withdraw(name string) error {
	f.withdrawn = append(f.withdrawn, name)
	return nil
}

func pack(name string, sex, lo, hi int) store.NewPack {
	return store.NewPack{Name: name, Sex: sex, AgeMin: lo, AgeMax: hi,
		Pairs: []store.Pair{{name + "_00001_ori.jpg", name + "_00001_inv.jpg"}}}
}

func TestMigrateConcurrentlyOnce(t *testing.T) {
	url := cluster.NewDatabase(t)
	var wg sync.WaitGroup
	applied := make([][]int, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := store.Open(context.Background(), url, 2)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			applied[i], errs[i] = st.Migrate(context.Background())
		}()
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != 1 {
		t.Fatalf("migration 1 applied %d times across 4 instances", total)
	}
}

func TestConstraints(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.CreatePack(ctx, pack("first", 2, 20, 29), &fakeFolder{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		np   store.NewPack
		want error
	}{
		{"same name", pack("first", 1, 50, 60), store.ErrPackNameTaken},
		{"range inside", pack("inside", 2, 22, 25), store.ErrPackOverlap},
		{"touching bound", pack("touch", 2, 29, 35), store.ErrPackOverlap},
		{"range around", pack("around", 2, 10, 40), store.ErrPackOverlap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeFolder{}
			_, err := st.CreatePack(ctx, tc.np, f)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if len(f.published) != 0 {
				t.Fatalf("folder published for a rejected pack")
			}
		})
	}
	for _, ok := range []store.NewPack{pack("adjacent", 2, 30, 39), pack("othersex", 1, 20, 29)} {
		if _, err := st.CreatePack(ctx, ok, &fakeFolder{}); err != nil {
			t.Errorf("%s: %v", ok.Name, err)
		}
	}
	// The database itself refuses what the API would never send.
	for _, q := range []string{
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('x', 3, 1, 2, 1, '[]')`,
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('y', 1, 9, 2, 1, '[]')`,
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('../z', 1, 90, 92, 1, '[]')`,
		`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers) VALUES (999, 'a', 'b', 'c', 1, 1, 'p', '[]')`,
	} {
		if _, err := st.DB().Exec(q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}

func TestCreatePublishFails(t *testing.T) {
	st := openStore(t)
	_, err := st.CreatePack(context.Background(), pack("broken", 1, 1, 2), &fakeFolder{publishErr: errors.New("disk full")})
	if err == nil {
		t.Fatal("create succeeded with its folder not published")
	}
	if list, _ := st.ListPacks(context.Background()); len(list) != 0 {
		t.Fatalf("row left behind: %v", list)
	}
}

type retirer struct{ retired, restored, purged []string }

func (r *retirer) Retire(name string) (string, error) {
	r.retired = append(r.retired, name)
	return "trash-" + name, nil
}
func (r *retirer) Restore(trash, name string) error {
	r.restored = append(r.restored, name)
	return nil
}
func (r *retirer) Purge(trash string) { r.purged = append(r.purged, trash) }

func TestDeleteCascades(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	id, err := st.CreatePack(ctx, pack("doomed", 1, 1, 2), &fakeFolder{})
	if err != nil {
		t.Fatal(err)
	}
	for i, token := range []string{"tok-aaaaaaaa", "tok-aaaaaaaa", "tok-bbbbbbbb"} {
		created, err := st.InsertReply(ctx, &store.Reply{PackID: id, Name: "n", Email: "e", No: "1", Sex: 1, Age: 1,
			Phone: "p", Answers: json.RawMessage(`[]`), Token: nullString(token)})
		if err != nil {
			t.Fatal(err)
		}
		if created != (i != 1) {
			t.Errorf("insert %d: created=%v", i, created)
		}
	}
	r := &retirer{}
	if err := st.DeletePack(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	if len(r.retired) != 1 || len(r.purged) != 1 || len(r.restored) != 0 {
		t.Errorf("folder calls %+v", r)
	}
	var n int
	st.DB().Get(&n, `SELECT count(*) FROM reply`)
	if n != 0 {
		t.Errorf("%d replies survived their pack", n)
	}
	if err := st.DeletePack(ctx, id, r); !errors.Is(err, store.ErrPackNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := st.InsertReply(ctx, &store.Reply{PackID: id, Answers: json.RawMessage(`[]`)}); !errors.Is(err, store.ErrPackNotFound) {
		t.Errorf("reply to a deleted pack: %v", err)
	}
}
