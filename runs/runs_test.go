package runs_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/trials"
)

// A start shows every pair once, each on random sides, and its answer is
// the JSON the page reads; a second start of the person resumes the run.
func TestStart(t *testing.T) {
	w := newWorld(t, 20, 4)
	ctx := context.Background()
	st, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1"})
	if err != nil {
		t.Fatal(err)
	}
	served, err := model.DecodeServed(w.pack, st.Run.Served)
	if err != nil {
		t.Fatal(err)
	}
	seen, swapped := map[int]bool{}, 0
	for i := range served.Order {
		left, right := served.Trial(i)
		if left.Pair != right.Pair || seen[left.Pair] {
			t.Fatalf("trial %d: %v %v", i, left, right)
		}
		seen[left.Pair] = true
		swapped += left.Side
	}
	if len(seen) != 20 || swapped == 0 || swapped == 20 {
		t.Fatalf("%d pairs shown, %d with inv on the left", len(seen), swapped)
	}
	var page struct {
		PID      int         `json:"p_id"`
		Path     string      `json:"pack_path"`
		Pairs    [][2]string `json:"pic_pairs"`
		Token    string      `json:"token"`
		Answered int         `json:"answered"`
		Answers  []any       `json:"answers"`
	}
	if err := json.Unmarshal(st.AppendJSON(nil), &page); err != nil {
		t.Fatal(err)
	}
	if page.PID != w.pack.ID || page.Path != "/packs/female20s" || len(page.Pairs) != 20 || page.Token != "page-token-1" ||
		page.Answered != 0 || page.Answers == nil {
		t.Fatalf("start answer %+v", page)
	}
	again, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1"})
	if err != nil || !again.Resumed {
		t.Fatalf("second start: %+v %v", again, err)
	}
	if order, err := model.DecodeServed(w.pack, again.Run.Served); err != nil || !slices.Equal(order.Order, served.Order) {
		t.Fatalf("resumed with another order: %v", err)
	}
	other := person(2)
	other.Age = 40
	_, err = w.svc.Start(ctx, runs.StartInput{Person: other})
	wantReason(t, err, model.NoSuitablePack)
}

// Progress is judged by the order and sides the run served.
func TestProgress(t *testing.T) {
	w := newWorld(t, 6, 4)
	ctx := context.Background()
	st, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _, err := w.svc.Progress(ctx, st.Run.Token, answers(t, st, 3, "F"), &model.Events{Blur: 1}); err != nil || n != 3 {
		t.Fatalf("progress: %d %v", n, err)
	}
	var served [][2]string
	json.Unmarshal(st.Run.Served, &served)
	swapped := jsonMarshal(t, []any{[]any{"F", 0.5, served[0][1], served[0][0]}})
	_, _, err = w.svc.Progress(ctx, st.Run.Token, swapped, nil)
	wantReason(t, err, trials.NotAsServed)
	_, _, err = w.svc.Progress(ctx, st.Run.Token, answers(t, st, 4, "J"), nil)
	wantReason(t, err, model.ProgressConflict)
	_, _, err = w.svc.Progress(ctx, "no-such-run", answers(t, st, 1, "F"), nil)
	wantReason(t, err, model.UnknownRun)
}

// A submit is judged against the run's row alone: the pairs and sides it
// served, the answers it saved.
func TestSubmit(t *testing.T) {
	w := newWorld(t, 4, 4)
	ctx := context.Background()
	st, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Progress(ctx, st.Run.Token, answers(t, st, 2, "F"), nil); err != nil {
		t.Fatal(err)
	}
	in := func(p model.Person, ans []byte) runs.SubmitInput {
		return runs.SubmitInput{Person: p, PackID: w.pack.ID, Answers: ans, Token: st.Run.Token}
	}
	_, err = w.svc.Submit(ctx, in(person(1), answers(t, st, 4, "J")))
	wantReason(t, err, model.AnswersDiffer)
	var served [][2]string
	json.Unmarshal(st.Run.Served, &served)
	reordered := []any{}
	for _, i := range []int{1, 0, 2, 3} {
		reordered = append(reordered, []any{"F", 0.5, served[i][0], served[i][1]})
	}
	_, err = w.svc.Submit(ctx, in(person(1), jsonMarshal(t, reordered)))
	wantReason(t, err, trials.NotAsServed)
	old := person(1)
	old.Age = 31
	_, err = w.svc.Submit(ctx, in(old, answers(t, st, 4, "F")))
	wantReason(t, err, model.NotForThisPack)
	_, err = w.svc.Submit(ctx, in(person(1), answers(t, st, 3, "F")))
	wantReason(t, err, trials.WrongCount)
	if created, err := w.svc.Submit(ctx, in(person(1), answers(t, st, 4, "F"))); err != nil || !created {
		t.Fatalf("submit: %v %v", created, err)
	}
	if created, err := w.svc.Submit(ctx, in(person(1), answers(t, st, 4, "F"))); err != nil || created {
		t.Fatalf("retry: %v %v", created, err)
	}
	done, err := w.svc.Completion(ctx, st.Run.Token)
	if err != nil || done.Code != runs.CompletionCode(secret, st.Run.Token) {
		t.Fatalf("completion %+v %v", done, err)
	}
}

// A submit needs no second connection while its transaction holds one:
// with every other connection of the pool taken, and a fresh process's
// caches (nothing known of the run), it still finishes at once.
func TestSubmitWithThePoolHeld(t *testing.T) {
	w := newWorld(t, 3, 4)
	ctx := context.Background()
	st, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1"})
	if err != nil {
		t.Fatal(err)
	}
	const pool = 2
	fresh := openStore(t, w.url, pool)
	svc := w.service(fresh)
	if _, err := fresh.PackFiles(ctx, w.pack.ID); err != nil { // the pack, as a running service has it
		t.Fatal(err)
	}
	held, err := fresh.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	created, err := svc.Submit(sctx, runs.SubmitInput{Person: person(1), PackID: w.pack.ID, Answers: answers(t, st, 3, "F"), Token: st.Run.Token})
	if err != nil || !created {
		t.Fatalf("submit with %d of %d connections held: %v %v", pool-1, pool, created, err)
	}
}
