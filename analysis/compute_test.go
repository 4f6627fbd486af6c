package analysis

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/tools/stack"
)

// pauser is a progress hook that stops each computation at its first
// batch until the test releases that pack (or the computation is
// cancelled), and records how many computations ran at once.
type pauser struct {
	svc     *Service
	entered chan int // a pack's computation reached its first pause
	mu      sync.Mutex
	release map[int]chan struct{}
	seen    map[int]bool
	most    atomic.Int32 // the most computations running at one pause
}

func pause(h *harness) *pauser {
	p := &pauser{svc: h.svc, entered: make(chan int, 16), release: map[int]chan struct{}{}, seen: map[int]bool{}}
	h.svc.hooks.progress = p.progress
	return p
}

func (p *pauser) gate(id int) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release[id] == nil {
		p.release[id] = make(chan struct{})
	}
	return p.release[id]
}

func (p *pauser) progress(ctx context.Context, id, _ int) {
	n := p.svc.running.Load()
	for m := p.most.Load(); n > m && !p.most.CompareAndSwap(m, n); m = p.most.Load() {
	}
	p.mu.Lock()
	first := !p.seen[id]
	p.seen[id] = true
	p.mu.Unlock()
	if !first {
		return
	}
	p.entered <- id
	select {
	case <-p.gate(id):
	case <-ctx.Done():
	}
}

func (p *pauser) free(id int) { close(p.gate(id)) }

// Removing a pack while its statistics compute cancels the computation:
// when the remove returns, neither the stats file nor the temp file is
// left, the request that waited gets "not found", and so does the next.
func TestRemoveDuringCompute(t *testing.T) {
	h := newHarness(t)
	id := h.pack(t, "gone", 20, 12)
	p := pause(h)
	waited := make(chan error, 1)
	go func() {
		_, err := h.svc.Quality(context.Background(), id, results.DefaultThresholds(), Selection{})
		waited <- err
	}()
	if got := <-p.entered; got != id {
		t.Fatalf("pack %d computing, want %d", got, id)
	}
	if files := h.statsFiles(t); len(files) != 1 || !results.IsTemp(files[0]) {
		t.Fatalf("mid-computation the stats folder holds %v, want one temp file", files)
	}
	if _, err := h.st.DeletePack(context.Background(), id, h.lib); err != nil {
		t.Fatal(err)
	}
	h.svc.Forget(id) // what the remove handler does after the delete commits
	if files := h.statsFiles(t); len(files) != 0 {
		t.Errorf("after the remove the stats folder holds %v", files)
	}
	p.free(id) // lets an uncancelled computation go on, to show what it leaves
	for _, err := range []error{<-waited, quality(h, id)} {
		if e, ok := err.(*model.Error); !ok || e.Reason != model.PackNotFound || e.Values[0] != id {
			t.Errorf("got %v, want Pack %d Not Found", err, id)
		}
	}
	if err := h.svc.Close(); err != nil {
		t.Fatal(err)
	}
	if files := h.statsFiles(t); len(files) != 0 {
		t.Errorf("once every load ended the stats folder holds %v", files)
	}
}

func quality(h *harness, id int) error {
	_, err := h.svc.Quality(context.Background(), id, results.DefaultThresholds(), Selection{})
	return err
}

// Three packs' statistics asked for at once are computed one at a time;
// a request queued behind them still gives up when its context ends.
func TestOneComputationAtATime(t *testing.T) {
	h := newHarness(t)
	ids := []int{h.pack(t, "one", 20, 4), h.pack(t, "two", 21, 4), h.pack(t, "three", 22, 4)}
	p := pause(h)
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() { errs <- quality(h, id) }()
	}
	running := <-p.entered
	// The other two reach the slot (or, without one, the pause).
	if err := stack.Poll(time.Minute, func() bool { return h.svc.waiting.Load()+int32(len(p.entered)) == 2 }); err != nil {
		t.Fatalf("%d loads waiting, %d paused", h.svc.waiting.Load(), len(p.entered))
	}

	// A request for a queued pack: its context, not the queue, decides
	// when it returns.
	queued := ids[0]
	if queued == running {
		queued = ids[1]
	}
	ctx := &watchedCtx{Context: context.Background(), waiting: make(chan struct{})}
	ctx.Context, ctx.cancel = context.WithCancel(ctx.Context)
	gaveUp := make(chan error, 1)
	go func() {
		_, err := h.svc.stats(ctx, queued)
		gaveUp <- err
	}()
	<-ctx.waiting
	ctx.cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled request waiting for a queued computation: %v", err)
	}

	done := map[int]bool{running: true}
	for range ids {
		p.free(running)
		if len(done) == len(ids) {
			break
		}
		running = <-p.entered
		if done[running] {
			t.Fatalf("pack %d computed twice", running)
		}
		done[running] = true
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := p.most.Load(); got != 1 {
		t.Errorf("%d computations ran at once, want 1", got)
	}
	for _, id := range ids {
		if _, err := results.Open(h.svc.statsPath(id)); err != nil {
			t.Errorf("pack %d: %v", id, err)
		}
	}
}

// watchedCtx tells when a request starts waiting on it.
type watchedCtx struct {
	context.Context
	cancel  context.CancelFunc
	once    sync.Once
	waiting chan struct{}
}

func (c *watchedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waiting) })
	return c.Context.Done()
}
