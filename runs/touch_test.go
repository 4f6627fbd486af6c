package runs_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/store"
)

// touchCounter is the store, counting the TouchRun calls the rules make.
type touchCounter struct {
	*store.Store
	calls atomic.Int64
}

func (c *touchCounter) TouchRun(ctx context.Context, token string, now time.Time, client json.RawMessage, quiet time.Duration) error {
	c.calls.Add(1)
	return c.Store.TouchRun(ctx, token, now, client, quiet)
}

// A resume seen within seconds from a machine the run knows is answered
// without an UPDATE; a new machine or a pause of 5 s or more is written.
// Whenever the rules skip the UPDATE, running it anyway changes nothing.
func TestResumeTouchesOnlyWhatChanges(t *testing.T) {
	w := newWorld(t, 4, 4)
	ctx := context.Background()
	counter := &touchCounter{Store: w.st}
	svc := runs.New(counter, &seeded{}, w.clock.Now, runs.Rules{ResumeWithin: 2 * time.Hour, AbandonAfter: 30 * time.Minute}, secret)
	laptop := json.RawMessage(`{"screen_w":1920,"dpr":1.5,"lang":"ko-KR"}`)
	phone := json.RawMessage(`{"screen_w":390,"dpr":3,"lang":"ko-KR"}`)
	st, err := w.svc.Start(ctx, runs.StartInput{Person: person(1), Token: "page-token-1", Client: laptop})
	if err != nil {
		t.Fatal(err)
	}
	state := func() (resumes int, clients string) {
		r, err := w.st.Run(ctx, st.Run.Token)
		if err != nil {
			t.Fatal(err)
		}
		return r.Resumes, string(r.Clients)
	}
	for i, step := range []struct {
		after  time.Duration
		client json.RawMessage
		write  bool
	}{
		{time.Second, nil, false},
		{time.Second, laptop, false},
		{time.Second, json.RawMessage(`{"lang":"ko-KR","dpr":1.5,"screen_w":1920}`), false}, // the same machine, keys in another order
		{time.Second, phone, true},
		{time.Second, phone, false},
		{time.Second, laptop, false},
		{5 * time.Second, nil, true},
		{4 * time.Second, nil, false},
	} {
		w.clock.Advance(step.after)
		resumes, clients := state()
		calls := counter.calls.Load()
		got, err := svc.Start(ctx, runs.StartInput{Person: person(1), Token: st.Run.Token, Client: step.client})
		if err != nil || !got.Resumed {
			t.Fatalf("step %d: %+v %v", i, got, err)
		}
		if wrote := counter.calls.Load() > calls; wrote != step.write {
			t.Fatalf("step %d: touched %v, want %v", i, wrote, step.write)
		}
		if !step.write {
			// What the rules skipped, the store would have skipped too.
			if err := w.st.TouchRun(ctx, st.Run.Token, w.clock.Now(), step.client, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if r, c := state(); r != resumes || c != clients {
				t.Fatalf("step %d: skipped, but the store's UPDATE changed resumes %d → %d, clients %s → %s", i, resumes, r, clients, c)
			}
		}
	}
}
