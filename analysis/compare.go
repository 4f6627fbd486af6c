package analysis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/psyx-lab/psyx/inference"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// Permutations is how many random relabellings a comparison draws.
const Permutations = 1000

// CompareRequest names two sets of replies: every selected reply of two
// packs that show the same images (A ≠ B), or two lists of one pack's
// replies (A = B, the lists in AR and BR). Sel applies to both sets.
type CompareRequest struct {
	A, B   int
	AR, BR []int64
	Sel    Selection
}

// Comparison is where two sets' CIs differ: the pixel-wise Welch t map and
// its clusters with family-wise p-values (package inference), drawn on the
// packs' base face.
type Comparison struct {
	*inference.Comparison
	Base []float64
	Provenance
}

// comparer runs comparisons one at a time (each holds a few hundred MB for
// seconds), each once: a second request for the same sets waits for the
// first, a later one gets the kept result, and the page can ask how far one
// has come.
type comparer struct {
	mu      sync.Mutex
	done    *lru[*Comparison]
	flights map[string]*flight
	slot    chan struct{} // one comparison computes at a time
	wg      sync.WaitGroup
}

// flight is a comparison being computed.
type flight struct {
	packs    []int
	progress atomic.Int64
	finished chan struct{}
	res      *Comparison
	err      error
	cancel   context.CancelFunc
}

func newComparer() *comparer {
	return &comparer{done: newLRU[*Comparison](8), flights: map[string]*flight{}, slot: make(chan struct{}, 1)}
}

// Compare returns the comparison of two sets of replies, computing it once.
// A set with fewer than 2 replies is TooFewReplies; packs whose images
// differ are DifferentStimuli.
func (s *Service) Compare(ctx context.Context, req CompareRequest, th results.Thresholds) (*Comparison, error) {
	job, err := s.compareJob(ctx, req, th)
	if err != nil {
		return nil, err
	}
	f, res := s.cmp.start(s, job)
	if res != nil {
		return res, nil
	}
	select {
	case <-f.finished:
		return f.res, f.err
	case <-ctx.Done():
		return nil, ctx.Err() // the comparison goes on: the page asks again
	}
}

// CompareProgress tells how many of its permutations a comparison has
// drawn, and whether it is done (kept) or computing; neither: not started.
func (s *Service) CompareProgress(ctx context.Context, req CompareRequest, th results.Thresholds) (done int, computing, finished bool, err error) {
	job, err := s.compareJob(ctx, req, th)
	if err != nil {
		return 0, false, false, err
	}
	s.cmp.mu.Lock()
	defer s.cmp.mu.Unlock()
	if _, ok := s.cmp.done.get(job.key); ok {
		return Permutations, false, true, nil
	}
	if f, ok := s.cmp.flights[job.key]; ok {
		return int(f.progress.Load()), true, false, nil
	}
	return 0, false, false, nil
}

// compareJob is a comparison resolved: its sets' weights, design and key.
type compareJob struct {
	key    string
	packs  []int
	d      inference.Design
	base   []float64
	wa, wb [][]float64
	out    []int64
}

func (s *Service) compareJob(ctx context.Context, req CompareRequest, th results.Thresholds) (*compareJob, error) {
	pa, err := s.stats(ctx, req.A)
	if err != nil {
		return nil, err
	}
	setA, err := s.replies(ctx, req.A, pa)
	if err != nil {
		return nil, err
	}
	pkA, err := s.pick(ctx, req.A, pa, setA, req.Sel, th)
	if err != nil {
		return nil, err
	}
	job := &compareJob{d: design(pa.stats), base: pa.stats.Base(), packs: []int{req.A}}
	var pkB *picked
	setB := setA
	if req.B == req.A {
		if pkB, err = pkA.only(setA, req.BR); err == nil {
			pkA, err = pkA.only(setA, req.AR)
		}
	} else {
		var pb *pack
		if pb, err = s.stats(ctx, req.B); err != nil {
			return nil, err
		}
		if !pa.stats.SameStimuli(pb.stats) {
			return nil, model.Fail(model.DifferentStimuli)
		}
		if setB, err = s.replies(ctx, req.B, pb); err != nil {
			return nil, err
		}
		pkB, err = s.pick(ctx, req.B, pb, setB, req.Sel, th)
		job.packs = append(job.packs, req.B)
	}
	if err != nil {
		return nil, err
	}
	job.wa, _ = pkA.weights(setA)
	job.wb, _ = pkB.weights(setB)
	if len(job.wa) < 2 || len(job.wb) < 2 {
		return nil, model.Fail(model.TooFewReplies)
	}
	job.out = append(append([]int64{}, pkA.out...), pkB.out...)
	job.key = strconv.Itoa(req.A) + ":" + pkA.key + "|" + strconv.Itoa(req.B) + ":" + pkB.key
	return job, nil
}

// start returns the job's kept result, or the flight computing it
// (starting one when there is none).
func (c *comparer) start(s *Service, job *compareJob) (*flight, *Comparison) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if res, ok := c.done.get(job.key); ok {
		return nil, res
	}
	if f, ok := c.flights[job.key]; ok {
		return f, nil
	}
	// Not the request's context: a page that reloads finds the comparison
	// still going. Deleting one of its packs cancels it.
	ctx, cancel := context.WithCancel(context.Background())
	f := &flight{packs: job.packs, finished: make(chan struct{}), cancel: cancel}
	c.flights[job.key] = f
	c.wg.Go(func() {
		defer cancel()
		res, err := c.run(ctx, job, f)
		if ctx.Err() != nil && err != nil {
			err = model.Fail(model.PackNotFound, job.packs[0])
		}
		c.mu.Lock()
		delete(c.flights, job.key)
		if err == nil {
			c.done.put(job.key, res)
		}
		c.mu.Unlock()
		f.res, f.err = res, err
		close(f.finished)
	})
	return f, nil
}

func (c *comparer) run(ctx context.Context, job *compareJob, f *flight) (*Comparison, error) {
	select {
	case c.slot <- struct{}{}:
		defer func() { <-c.slot }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	seed := seedOf("compare", job.packs, job.key)
	res, err := inference.Compare(ctx, job.d, job.wa, job.wb, inference.CompareOptions{Permutations: Permutations, Seed: seed},
		func(done, _ int) { f.progress.Store(int64(done)) })
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", strings.SplitN(job.key, ",", 2)[0], err)
	}
	return &Comparison{Comparison: res, Base: job.base,
		Provenance: Provenance{Packs: job.packs, Replies: len(job.wa) + len(job.wb), Excluded: job.out, Seed: seed}}, nil
}

// forget cancels the comparisons of a deleted pack and drops those kept.
func (c *comparer) forget(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.flights {
		for _, p := range f.packs {
			if p == id {
				f.cancel()
			}
		}
	}
	c.done.deleteIf(func(_ string, res *Comparison) bool {
		for _, p := range res.Packs {
			if p == id {
				return true
			}
		}
		return false
	})
}

// close cancels every comparison and waits for them.
func (c *comparer) close() {
	c.mu.Lock()
	for _, f := range c.flights {
		f.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
}
