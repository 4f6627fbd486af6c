package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/store"
)

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
	seen := map[int]int{}
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		for _, v := range applied[i] {
			seen[v]++
		}
	}
	if len(seen) < 2 {
		t.Fatalf("migrations applied: %v", seen)
	}
	for v, n := range seen {
		if n != 1 {
			t.Errorf("migration %d applied %d times across 4 instances", v, n)
		}
	}
}

func TestConstraints(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	createPack(t, st, pack("first", 2, 20, 29, 1))
	tests := []struct {
		name string
		np   model.NewPack
		want model.Reason
	}{
		{"same name", pack("first", 1, 50, 60, 1), model.PackExisted},
		{"range inside", pack("inside", 2, 22, 25, 1), model.PackOverlapped},
		{"touching bound", pack("touch", 2, 29, 35, 1), model.PackOverlapped},
		{"range around", pack("around", 2, 10, 40, 1), model.PackOverlapped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &folder{}
			_, err := st.CreatePack(ctx, tc.np, f)
			wantReason(t, err, tc.want)
			if len(f.published) != 0 {
				t.Fatalf("folder published for a rejected pack")
			}
		})
	}
	for _, ok := range []model.NewPack{pack("adjacent", 2, 30, 39, 1), pack("othersex", 1, 20, 29, 1)} {
		if _, err := st.CreatePack(ctx, ok, &folder{}); err != nil {
			t.Errorf("%s: %v", ok.Name, err)
		}
	}
	// The database itself refuses what the API would never send.
	for _, q := range []string{
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('x', 3, 1, 2, 1, '[]')`,
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('y', 1, 9, 2, 1, '[]')`,
		`INSERT INTO pack (pack_name, sex, age_min, age_max, size, pairs) VALUES ('../z', 1, 90, 92, 1, '[]')`,
		`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers) VALUES (999, 'a', 'b', 'c', 1, 1, 'p', '[]')`,
		`INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, started_at, last_seen)
		 VALUES ('bad token!', 1, 'a', 'b', 'c', 1, 1, 'p', '[]', now(), now())`,
		`INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, started_at, last_seen, finished_at)
		 VALUES ('finished-no-reply', 1, 'a', 'b', 'c', 1, 1, 'p', '[]', now(), now(), now())`,
	} {
		if _, err := st.DB().Exec(q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}

func TestCreatePublishFails(t *testing.T) {
	st := openStore(t)
	_, err := st.CreatePack(context.Background(), pack("broken", 1, 1, 2, 1), &folder{publishErr: errors.New("disk full")})
	if err == nil {
		t.Fatal("create succeeded with its folder not published")
	}
	if list, _ := st.ListPacks(context.Background(), t0, time.Hour); len(list) != 0 {
		t.Fatalf("row left behind: %v", list)
	}
}

// Deleting a pack takes its replies, runs and tallies with it, and its
// folder leaves the served tree.
func TestDeleteCascades(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("doomed", 2, 20, 29, 2)
	id := createPack(t, st, np)
	for i := range 2 {
		startRun(t, st, np, id, person(i), tokenOf(i), t0)
	}
	r := &model.Reply{PackID: id, Person: person(0), Answers: answers(np, 2, "F")}
	r.Token.String, r.Token.Valid = tokenOf(0), true
	if _, err := st.SubmitReply(ctx, r, t0, func(*model.Run) error { return nil }); err != nil {
		t.Fatal(err)
	}
	f := &folder{}
	name, err := st.DeletePack(ctx, id, f)
	if err != nil || name != "doomed" {
		t.Fatalf("delete: %q %v", name, err)
	}
	if len(f.retired) != 1 || len(f.purged) != 1 || len(f.restored) != 0 {
		t.Errorf("folder calls %+v", f)
	}
	for _, table := range []string{"reply", "run", "pack_tally"} {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil || n != 0 {
			t.Errorf("%d rows of %s survived their pack (%v)", n, table, err)
		}
	}
	_, err = st.DeletePack(ctx, id, f)
	wantReason(t, err, model.PackNotFound)
	_, err = st.SubmitReply(ctx, r, t0, func(*model.Run) error { return nil })
	wantReason(t, err, model.UnknownRun)
	_, err = st.PackFiles(ctx, id)
	wantReason(t, err, model.PackNotFound)
}
