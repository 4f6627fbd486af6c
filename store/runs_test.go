package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/store"
)

func tokenOf(i int) string { return fmt.Sprintf("token-%04d-abcdef", i) }

// resumeOf is run i's resume code.
func resumeOf(i int) string { return fmt.Sprintf("AAAA-%04d", i) }

// startRun creates person p's run of pack id (np) under token.
func startRun(t *testing.T, st *store.Store, np model.NewPack, id int, p model.Person, token string, now time.Time) *model.Run {
	t.Helper()
	nr := newRun(t, np, id, p, token)
	var n int
	fmt.Sscanf(token, "token-%d", &n)
	nr.Resume = resumeOf(n)
	run, err := st.CreateRun(context.Background(), nr, now)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// A run is created under its token and resume code, and found again by
// either; a token or an open run's code is never given twice.
func TestCreateAndFindRun(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 4)
	id := createPack(t, st, np)
	first := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	if first.Token != tokenOf(1) || first.Answered != 0 || *first.Resume != resumeOf(1) {
		t.Fatalf("created %+v", first)
	}
	for name, find := range map[string]func() (*model.Run, error){
		"by token":  func() (*model.Run, error) { return st.Run(ctx, tokenOf(1)) },
		"by resume": func() (*model.Run, error) { return st.RunByResume(ctx, resumeOf(1)) },
	} {
		r, err := find()
		if err != nil || r.Token != tokenOf(1) || r.No != person(1).No {
			t.Fatalf("%s: %+v %v", name, r, err)
		}
	}
	_, err := st.Run(ctx, tokenOf(9))
	wantReason(t, err, model.UnknownRun)
	_, err = st.RunByResume(ctx, resumeOf(9))
	wantReason(t, err, model.UnknownRun)

	_, err = st.CreateRun(ctx, newRun(t, np, id, person(2), tokenOf(1)), t0)
	wantReason(t, err, model.TokenUsed)
	taken := newRun(t, np, id, person(2), tokenOf(2))
	taken.Resume = resumeOf(1)
	if _, err = st.CreateRun(ctx, taken, t0); !errors.Is(err, model.ErrResumeTaken) {
		t.Fatalf("an open run's resume code given twice: %v", err)
	}
	// Identity alone is no key: the same person may have several runs.
	startRun(t, st, np, id, person(1), tokenOf(3), t0)
	// Once the first run is finished its code may be drawn again, and the
	// unfinished run is the one it finds.
	r := &model.Reply{PackID: id, Person: person(1), Answers: answers(np, 4, "F"), Token: sql.NullString{String: tokenOf(1), Valid: true}}
	if _, err := st.SubmitReply(ctx, r, t0, func(*model.Run) error { return nil }); err != nil {
		t.Fatal(err)
	}
	taken.Token = tokenOf(4)
	if _, err := st.CreateRun(ctx, taken, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, err := st.RunByResume(ctx, resumeOf(1)); err != nil || r.Token != tokenOf(4) {
		t.Fatalf("by a code shared with a finished run: %+v %v", r, err)
	}
}

// A resume is written only when the run was not seen for a while or comes
// from a machine it has not seen: a reload storm is one row version.
func TestTouchRun(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	nr := newRun(t, np, id, person(1), tokenOf(1))
	nr.Resume, nr.Client = resumeOf(1), json.RawMessage(`{"window_w":1366}`)
	if _, err := st.CreateRun(ctx, nr, t0); err != nil {
		t.Fatal(err)
	}
	version := func() (xmin string, r *model.Run) {
		t.Helper()
		if err := st.DB().Get(&xmin, `SELECT xmin::text FROM run WHERE token = $1`, tokenOf(1)); err != nil {
			t.Fatal(err)
		}
		r, err := st.Run(ctx, tokenOf(1))
		if err != nil {
			t.Fatal(err)
		}
		return xmin, r
	}
	before, _ := version()
	for i := range 5 {
		if err := st.TouchRun(ctx, tokenOf(1), t0.Add(time.Duration(i)*time.Second), json.RawMessage(`{"window_w":1366}`), 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if after, r := version(); after != before || r.Resumes != 0 {
		t.Fatalf("quiet resumes wrote the row (%s → %s, resumes %d)", before, after, r.Resumes)
	}
	st.TouchRun(ctx, tokenOf(1), t0.Add(6*time.Second), nil, 5*time.Second)
	if _, r := version(); r.Resumes != 1 || !r.LastSeen.Equal(t0.Add(6*time.Second)) {
		t.Fatalf("a resume after the quiet time: %+v", r)
	}
	st.TouchRun(ctx, tokenOf(1), t0.Add(7*time.Second), json.RawMessage(`{"window_w":390}`), 5*time.Second)
	_, r := version()
	var clients []map[string]float64
	json.Unmarshal(r.Clients, &clients)
	if r.Resumes != 2 || len(clients) != 2 || clients[1]["window_w"] != 390 || string(r.Client) != `{"window_w": 390}` {
		t.Fatalf("a resume from another machine: resumes %d clients %s client %s", r.Resumes, r.Clients, r.Client)
	}
}

func TestSaveProgress(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 6)
	id := createPack(t, st, np)
	run := startRun(t, st, np, id, person(1), tokenOf(1), t0)
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
			got, _, err := st.SaveProgress(ctx, run.Token, tc.answers, tc.n, tc.events, t0.Add(time.Duration(i+1)*time.Minute))
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
	_, _, err := st.SaveProgress(ctx, "no-such-token", answers(np, 1, "F"), 1, nil, t0)
	wantReason(t, err, model.UnknownRun)
}

// Concurrent duplicates of one save store it once and agree.
func TestSaveProgressConcurrentDuplicates(t *testing.T) {
	st := openStore(t)
	np := pack("female20s", 2, 20, 29, 10)
	id := createPack(t, st, np)
	run := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + i%10
			got, _, err := st.SaveProgress(context.Background(), run.Token, answers(np, n, "F"), n, nil, t0)
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
	run := startRun(t, st, np, id, person(1), tokenOf(1), t0)
	if _, _, err := st.SaveProgress(ctx, run.Token, answers(np, 2, "F"), 2, &model.Events{Blur: 4}, t0); err != nil {
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
	if n, finished, err := st.SaveProgress(ctx, run.Token, answers(np, 1, "J"), 1, nil, t0); err != nil || n != 3 || !finished {
		t.Fatalf("progress on a finished run: %d %v %v", n, finished, err)
	}
}

// Only a run the server started can be submitted: a token of no run
// stores nothing.
func TestSubmitWithoutRun(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	a := &model.Reply{PackID: id, Person: person(1), Answers: answers(np, 2, "F"), Token: sql.NullString{String: "legacy-token", Valid: true}}
	_, err := st.SubmitReply(ctx, a, t0, func(*model.Run) error { return nil })
	wantReason(t, err, model.UnknownRun)
	var n int
	st.DB().Get(&n, `SELECT count(*) FROM reply`)
	if n != 0 {
		t.Fatalf("%d replies stored without a run", n)
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
	_, err := a.CreateRun(ctx, newRun(t, old, oldID, person(1), tokenOf(1)), t0)
	wantReason(t, err, model.NoSuitablePack)
	pf, err := a.MatchPack(ctx, 2, 25)
	if err != nil || pf.ID != newID {
		t.Fatalf("after the pack went, matched %v %v; want pack %d", pf, err, newID)
	}
	if _, err := a.CreateRun(ctx, newRun(t, newer, newID, person(1), tokenOf(1)), t0); err != nil {
		t.Fatal(err)
	}
}
