package store_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/store"
)

// listWindows are the abandon times the list is asked with: shorter and
// longer than the fold's, and across the edge of a minute.
var listWindows = []time.Duration{30 * time.Second, 90 * time.Second, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// wantCounts checks the list's running and abandoned counts of every pack
// against a count of the run rows, at now and for each window.
func wantCounts(t *testing.T, st *store.Store, now time.Time, what string) {
	t.Helper()
	for _, window := range listWindows {
		list, err := st.ListPacks(context.Background(), now, window)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			var want struct {
				Running   int `db:"running"`
				Abandoned int `db:"abandoned"`
			}
			if err := st.DB().Get(&want, `SELECT count(*) FILTER (WHERE last_seen > $2) AS running,
				count(*) FILTER (WHERE last_seen <= $2) AS abandoned FROM run WHERE p_id = $1 AND finished_at IS NULL`,
				p.ID, now.Add(-window)); err != nil {
				t.Fatal(err)
			}
			if p.Running != want.Running || p.Abandoned != want.Abandoned {
				t.Fatalf("%s, window %v, pack %d: list says %d running %d abandoned, the rows %d and %d",
					what, window, p.ID, p.Running, p.Abandoned, want.Running, want.Abandoned)
			}
		}
	}
}

// runWalk drives the count tests' random runs over two packs: a step
// starts, saves, resumes or finishes one.
type runWalk struct {
	t      *testing.T
	st     *store.Store
	np     model.NewPack
	ids    []int
	rng    *rand.Rand
	tokens []string
}

func newRunWalk(t *testing.T, seed uint64) *runWalk {
	st := openStore(t)
	np := pack("female20s", 2, 20, 29, 3)
	return &runWalk{t: t, st: st, np: np, rng: rand.New(rand.NewPCG(seed, seed+1)),
		ids: []int{createPack(t, st, np), createPack(t, st, pack("male20s", 1, 20, 29, 3))}}
}

func (w *runWalk) any() string { return w.tokens[w.rng.IntN(len(w.tokens))] }

func (w *runWalk) start(step int, now time.Time) {
	token := tokenOf(step)
	startRun(w.t, w.st, w.np, w.ids[w.rng.IntN(2)], person(step), token, now)
	w.tokens = append(w.tokens, token)
}

func (w *runWalk) save(now time.Time) {
	if _, _, err := w.st.SaveProgress(context.Background(), w.any(), answers(w.np, 1, "F"), 1, nil, now); err != nil && model.ReasonOf(err) != model.ProgressConflict {
		w.t.Fatal(err)
	}
}

func (w *runWalk) touch(now time.Time) {
	if err := w.st.TouchRun(context.Background(), w.any(), now, nil, 5*time.Second); err != nil {
		w.t.Fatal(err)
	}
}

func (w *runWalk) finish(now time.Time) {
	tok := w.any()
	r, err := w.st.Run(context.Background(), tok)
	if err != nil {
		w.t.Fatal(err)
	}
	reply := &model.Reply{PackID: r.PackID, Person: r.Person, Answers: answers(w.np, 3, "F"), Token: sql.NullString{String: tok, Valid: true}}
	if _, err := w.st.SubmitReply(context.Background(), reply, now, func(*model.Run) error { return nil }); err != nil {
		w.t.Fatal(err)
	}
}

// Folding the minutes that left the window changes no count, whatever
// window it folds for and whatever window the list asks with: starts,
// saves, resumes and finishes of runs last seen before, at and after the
// watermark, in random order with folds in between.
func TestListCountsWithFolds(t *testing.T) {
	w := newRunWalk(t, 9)
	st, ctx, rng := w.st, context.Background(), w.rng
	now := t0
	folds := 0
	for step := range 500 {
		now = now.Add(time.Duration(rng.IntN(60)) * time.Second)
		switch op := rng.IntN(12); {
		case op < 4 || len(w.tokens) == 0:
			w.start(step, now)
		case op < 7:
			w.save(now)
		case op < 8:
			w.touch(now)
		case op < 9:
			w.finish(now)
		default:
			if err := st.FoldSeen(ctx, now.Add(-listWindows[rng.IntN(len(listWindows))])); err != nil {
				t.Fatal(err)
			}
			folds++
		}
		if step%25 == 24 {
			wantCounts(t, st, now, "step "+tokenOf(step))
		}
	}
	var since time.Time
	var below int
	st.DB().Get(&since, `SELECT since FROM seen_watermark`)
	st.DB().Get(&below, `SELECT count(*) FROM pack_seen WHERE minute < (SELECT since FROM seen_watermark)`)
	if folds == 0 || since.Before(t0) || below != 0 {
		t.Fatalf("%d folds, watermark %v, %d per-minute rows left below it", folds, since, below)
	}
	// A fold to an earlier minute than the watermark's does nothing.
	if err := st.FoldSeen(ctx, t0); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, st, now, "after a fold backwards")
}

// Folds racing saves that move runs out of the folded minutes, from many
// connections: every run is counted once, as gone or in its minute.
func TestFoldRacesSaves(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 3)
	id := createPack(t, st, np)
	const runs = 40
	for i := range runs {
		startRun(t, st, np, id, person(i), tokenOf(i), t0.Add(time.Duration(i)*time.Minute))
	}
	now := t0.Add(2 * time.Hour)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < runs; i += 8 {
				if _, _, err := st.SaveProgress(ctx, tokenOf(i), answers(np, 1, "F"), 1, nil, now.Add(time.Duration(i)*time.Second)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for m := range 40 {
		wg.Go(func() {
			if err := st.FoldSeen(ctx, t0.Add(time.Duration(m)*time.Minute)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wantCounts(t, st, now.Add(time.Minute), "after the race")
}

// The list's running and abandoned counts equal a count of the run rows at
// every moment, through starts, saves, resumes and finishes spread over
// minutes and hours (the counts are kept per minute of last_seen; the
// window's edge cuts a minute in two).
func TestListCountsAgainstRecount(t *testing.T) {
	w := newRunWalk(t, 7)
	st, rng := w.st, w.rng
	now := t0
	for step := range 400 {
		now = now.Add(time.Duration(rng.IntN(40)) * time.Second)
		switch op := rng.IntN(10); {
		case op < 4 || len(w.tokens) == 0:
			w.start(step, now)
		case op < 7:
			w.save(now)
		case op < 9:
			w.touch(now)
		default:
			w.finish(now)
		}
		if step%20 == 19 {
			wantCounts(t, st, now, "step "+tokenOf(step))
		}
	}
}
