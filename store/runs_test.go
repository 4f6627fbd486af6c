package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/store"
)

func tokenOf(i int) string { return fmt.Sprintf("token-%04d-abcdef", i) }

func startRun(t *testing.T, st *store.Store, np model.NewPack, id int, p model.Person, token string, now time.Time) (*model.Run, bool) {
	t.Helper()
	run, resumed, err := st.StartRun(context.Background(), newRun(t, np, id, p, token), now, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return run, resumed
}

// A start creates a run; the same person's start resumes it within the
// resume window, with their latest details, and opens a new one after.
func TestStartRunResume(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 4)
	id := createPack(t, st, np)
	p := person(1)
	first, resumed := startRun(t, st, np, id, p, tokenOf(1), t0)
	if resumed || first.Token != tokenOf(1) || first.Answered != 0 {
		t.Fatalf("first start: resumed=%v %+v", resumed, first)
	}
	if _, err := st.SaveProgress(ctx, first.Token, answers(np, 2, "F"), 2, nil, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	p.Phone, p.Age = "010-9999-8888", 26
	again, resumed := startRun(t, st, np, id, p, tokenOf(2), t0.Add(time.Hour))
	if !resumed || again.Token != first.Token || again.Answered != 2 || again.Phone != p.Phone || again.Age != 26 {
		t.Fatalf("start within the window: resumed=%v %+v", resumed, again)
	}
	var got, want []model.Pair
	json.Unmarshal(again.Served, &got)
	json.Unmarshal(served(t, np), &want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resumed order %v, want %v", got, want)
	}
	var saved [][]any
	if err := json.Unmarshal(again.Answers, &saved); err != nil || len(saved) != 2 {
		t.Fatalf("resumed answers %s", again.Answers)
	}

	// Seen at t0+1h; three hours later the window is closed.
	later, resumed := startRun(t, st, np, id, p, tokenOf(3), t0.Add(4*time.Hour))
	if resumed || later.Token != tokenOf(3) {
		t.Fatalf("start after the window: resumed=%v token %s", resumed, later.Token)
	}
	// The old run is kept (abandoned), no longer resumable.
	list, err := st.ListPacks(ctx, t0.Add(4*time.Hour), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if list[0].Running != 1 || list[0].Abandoned != 1 {
		t.Fatalf("running %d, abandoned %d; want 1 and 1", list[0].Running, list[0].Abandoned)
	}
	// Another person's start is their own run.
	other, resumed := startRun(t, st, np, id, person(2), tokenOf(4), t0.Add(4*time.Hour))
	if resumed || other.Token != tokenOf(4) {
		t.Fatalf("another person resumed %s", other.Token)
	}
}

// A token names one person's run in one pack: anybody else's start with it
// is refused, and so is a start with a finished run's token.
func TestStartRunToken(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	startRun(t, st, np, id, person(1), tokenOf(1), t0)
	run, resumed := startRun(t, st, np, id, person(1), tokenOf(1), t0.Add(time.Minute))
	if !resumed || run.Token != tokenOf(1) {
		t.Fatalf("the page's own token did not resume: %+v", run)
	}
	_, _, err := st.StartRun(ctx, newRun(t, np, id, person(2), tokenOf(1)), t0, time.Hour)
	wantReason(t, err, model.TokenUsed)

	r := &model.Reply{PackID: id, Person: person(1), Answers: answers(np, 2, "J"), Token: sql.NullString{String: tokenOf(1), Valid: true}}
	if _, err := st.SubmitReply(ctx, r, t0, func(*model.Run) error { return nil }); err != nil {
		t.Fatal(err)
	}
	_, _, err = st.StartRun(ctx, newRun(t, np, id, person(1), tokenOf(1)), t0, time.Hour)
	wantReason(t, err, model.TokenUsed)
	// Without the old token, the same person starts afresh.
	if run, resumed := startRun(t, st, np, id, person(1), tokenOf(9), t0); resumed || run.Token != tokenOf(9) {
		t.Fatalf("a new start after finishing resumed %+v", run)
	}
}

// Two starts of one person at once make one run, not two.
func TestStartRunRace(t *testing.T) {
	st := openStore(t)
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, _, err := st.StartRun(context.Background(), newRun(t, np, id, person(1), tokenOf(100+i)), t0, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = run.Token
		}()
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok != tokens[0] {
			t.Fatalf("racing starts got different runs: %v", tokens)
		}
	}
	var n int
	st.DB().Get(&n, `SELECT count(*) FROM run`)
	if n != 1 {
		t.Fatalf("%d runs for one person", n)
	}
}

func TestSaveProgress(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 6)
	id := createPack(t, st, np)
	run, _ := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	tests := []struct {
		name     string
		answers  json.RawMessage
		n        int
		events   *model.Events
		want     int
		wantErr  model.Reason
		wantSeen time.Time
	}{
		{"first three", answers(np, 3, "F"), 3, &model.Events{Blur: 1}, 3, "", t0.Add(1 * time.Minute)},
		{"the same again", answers(np, 3, "F"), 3, nil, 3, "", t0.Add(2 * time.Minute)},
		{"a shorter list", answers(np, 2, "F"), 2, nil, 3, "", t0.Add(3 * time.Minute)},
		{"more", answers(np, 5, "F"), 5, &model.Events{Blur: 2, HiddenMS: 1500}, 5, "", t0.Add(4 * time.Minute)},
		{"contradicts a saved answer", answers(np, 6, "J"), 6, nil, 0, model.ProgressConflict, t0.Add(4 * time.Minute)},
		{"a shorter contradiction", answers(np, 1, "J"), 1, nil, 0, model.ProgressConflict, t0.Add(4 * time.Minute)},
		{"an older events report", answers(np, 5, "F"), 5, &model.Events{Blur: 1, Resized: 3}, 5, "", t0.Add(7 * time.Minute)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.SaveProgress(ctx, run.Token, tc.answers, tc.n, tc.events, t0.Add(time.Duration(i+1)*time.Minute))
			if tc.wantErr != "" {
				wantReason(t, err, tc.wantErr)
			} else if err != nil || got != tc.want {
				t.Fatalf("saved %d, %v; want %d", got, err, tc.want)
			}
			r, err := st.Run(ctx, run.Token)
			if err != nil {
				t.Fatal(err)
			}
			if !r.LastSeen.Equal(tc.wantSeen) {
				t.Errorf("last seen %v, want %v", r.LastSeen, tc.wantSeen)
			}
		})
	}
	r, _ := st.Run(ctx, run.Token)
	var ev model.Events
	json.Unmarshal(r.Events, &ev)
	if ev != (model.Events{Blur: 2, HiddenMS: 1500, Resized: 3}) {
		t.Errorf("events %+v: each count must be the largest reported", ev)
	}
	_, err := st.SaveProgress(ctx, "no-such-token", answers(np, 1, "F"), 1, nil, t0)
	wantReason(t, err, model.UnknownRun)
}

// Concurrent duplicates of one save store it once and agree.
func TestSaveProgressConcurrentDuplicates(t *testing.T) {
	st := openStore(t)
	np := pack("female20s", 2, 20, 29, 10)
	id := createPack(t, st, np)
	run, _ := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + i%10
			got, err := st.SaveProgress(context.Background(), run.Token, answers(np, n, "F"), n, nil, t0)
			if err != nil || got < n {
				t.Errorf("save of %d: %d, %v", n, got, err)
			}
		}()
	}
	wg.Wait()
	r, _ := st.Run(context.Background(), run.Token)
	if r.Answered != 10 {
		t.Fatalf("answered %d after saves up to 10", r.Answered)
	}
}

// Submitting with a run's token finishes the run in the same transaction;
// a retry stores nothing; another person's or reply's reuse is refused.
func TestSubmitFinishesRun(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 3)
	id := createPack(t, st, np)
	run, _ := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	if _, err := st.SaveProgress(ctx, run.Token, answers(np, 2, "F"), 2, &model.Events{Blur: 4}, t0); err != nil {
		t.Fatal(err)
	}
	reply := func(p model.Person, ans json.RawMessage) *model.Reply {
		return &model.Reply{PackID: id, Person: p, Answers: ans, Token: sql.NullString{String: run.Token, Valid: true}}
	}
	pass := func(*model.Run) error { return nil }

	// The store hands the locked run to the caller's judgement, and a
	// refusal changes nothing.
	differ := func(r *model.Run) error {
		if r.Answered != 2 || r.Token != run.Token {
			t.Errorf("judged run %+v", r)
		}
		return model.Fail(model.AnswersDiffer)
	}
	_, err := st.SubmitReply(ctx, reply(person(1), answers(np, 3, "J")), t0, differ)
	wantReason(t, err, model.AnswersDiffer)
	_, err = st.SubmitReply(ctx, reply(person(2), answers(np, 3, "F")), t0, pass)
	wantReason(t, err, model.TokenUsed)
	created, err := st.SubmitReply(ctx, reply(person(1), answers(np, 3, "F")), t0.Add(time.Minute), pass)
	if err != nil || !created {
		t.Fatalf("submit: %v %v", created, err)
	}
	created, err = st.SubmitReply(ctx, reply(person(1), answers(np, 3, "F")), t0.Add(2*time.Minute), pass)
	if err != nil || created {
		t.Fatalf("retry: created=%v %v", created, err)
	}
	_, err = st.SubmitReply(ctx, reply(person(2), answers(np, 3, "F")), t0, pass)
	wantReason(t, err, model.TokenUsed)
	_, err = st.SubmitReply(ctx, reply(person(1), answers(np, 3, "J")), t0, pass)
	wantReason(t, err, model.TokenUsed)

	r, _ := st.Run(ctx, run.Token)
	if r.FinishedAt == nil || !r.FinishedAt.Equal(t0.Add(time.Minute)) || r.ReplyID == nil {
		t.Fatalf("run after submit: %+v", r)
	}
	var stored struct {
		Events    string     `db:"events"`
		StartedAt *time.Time `db:"started_at"`
		N         int        `db:"n"`
	}
	if err := st.DB().Get(&stored, `SELECT events::text, started_at, (SELECT count(*) FROM reply) AS n FROM reply LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if stored.N != 1 || stored.Events != `{"blur": 4, "resized": 0, "hidden_ms": 0}` || stored.StartedAt == nil || !stored.StartedAt.Equal(t0) {
		t.Fatalf("stored reply %+v", stored)
	}
	// Progress after the end changes nothing and is no error.
	if n, err := st.SaveProgress(ctx, run.Token, answers(np, 1, "J"), 1, nil, t0); err != nil || n != 2 {
		t.Fatalf("progress on a finished run: %d %v", n, err)
	}
}

// A reply without a run keeps its token; a different reply with it is
// refused and the first stays as it was.
func TestSubmitWithoutRun(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	a := &model.Reply{PackID: id, Person: person(1), Answers: answers(np, 2, "F"), Token: sql.NullString{String: "legacy-token", Valid: true}}
	if created, err := st.SubmitReply(ctx, a, t0, nil); err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	if created, err := st.SubmitReply(ctx, a, t0, nil); err != nil || created {
		t.Fatalf("retry: %v %v", created, err)
	}
	b := *a
	b.Person = person(2)
	_, err := st.SubmitReply(ctx, &b, t0, nil)
	wantReason(t, err, model.TokenUsed)
	var emails []string
	st.DB().Select(&emails, `SELECT email FROM reply`)
	if len(emails) != 1 || emails[0] != person(1).Email {
		t.Fatalf("replies %v", emails)
	}
	noToken := &model.Reply{PackID: id, Person: person(3), Answers: answers(np, 2, "J")}
	for range 2 {
		if created, err := st.SubmitReply(ctx, noToken, t0, nil); err != nil || !created {
			t.Fatalf("without a token: %v %v", created, err)
		}
	}
}

// The list's counts come from the tallies and the recently seen runs, and
// agree with counting the rows.
func TestListCounts(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	other := createPack(t, st, pack("male20s", 1, 20, 29, 2))
	for i := range 6 {
		startRun(t, st, np, id, person(i), tokenOf(i), t0.Add(time.Duration(i)*10*time.Minute))
	}
	for i := range 2 {
		r := &model.Reply{PackID: id, Person: person(i), Answers: answers(np, 2, "F"), Token: sql.NullString{String: tokenOf(i), Valid: true}}
		if _, err := st.SubmitReply(ctx, r, t0.Add(time.Hour), func(*model.Run) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// At t0+60m with a 30-minute limit: runs 2 (t0+20m) and 3 (t0+30m) are
	// abandoned (seen 30 minutes ago or longer), 4 and 5 running.
	list, err := st.ListPacks(ctx, t0.Add(time.Hour), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := list[0]
	if got.ID != id || got.Count != 2 || got.Running != 2 || got.Abandoned != 2 || got.LastReply == nil {
		t.Fatalf("pack %+v", got)
	}
	if list[1].ID != other || list[1].Count != 0 || list[1].Running != 0 || list[1].Abandoned != 0 || list[1].LastReply != nil {
		t.Fatalf("empty pack %+v", list[1])
	}
	var rows int
	st.DB().Get(&rows, `SELECT count(*) FROM reply WHERE p_id = $1`, id)
	if rows != got.Count {
		t.Fatalf("tally %d, rows %d", got.Count, rows)
	}
}

// A match is kept, and a pack deleted through another instance does not
// fool it: the run's insert fails, the match goes, the next one is found.
func TestMatchKeptUntilThePackGoes(t *testing.T) {
	ctx := context.Background()
	url := cluster.NewDatabase(t)
	open := func() *store.Store {
		st, err := store.Open(ctx, url, 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	a, b := open(), open()
	old := pack("female20s", 2, 20, 29, 2)
	oldID := createPack(t, b, old)
	if pf, err := a.MatchPack(ctx, 2, 25); err != nil || pf.ID != oldID {
		t.Fatalf("match: %v %v", pf, err)
	}
	if _, err := b.DeletePack(ctx, oldID, &folder{}); err != nil {
		t.Fatal(err)
	}
	newer := pack("women20s", 2, 18, 30, 2)
	newID := createPack(t, b, newer)
	_, _, err := a.StartRun(ctx, newRun(t, old, oldID, person(1), tokenOf(1)), t0, time.Hour)
	wantReason(t, err, model.NoSuitablePack)
	pf, err := a.MatchPack(ctx, 2, 25)
	if err != nil || pf.ID != newID {
		t.Fatalf("after the pack went, matched %v %v; want pack %d", pf, err, newID)
	}
	if _, _, err := a.StartRun(ctx, newRun(t, newer, newID, person(1), tokenOf(1)), t0, time.Hour); err != nil {
		t.Fatal(err)
	}
}
