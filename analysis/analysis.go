// Package analysis serves a pack's results: it keeps each pack's statistics
// (computed once from its images by package results, kept in a file per
// pack), reads replies through a small interface, and caches what does not
// change: the group CI per set of replies, each reply's infoVal.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// Source is what results read from the database.
type Source interface {
	PackFiles(ctx context.Context, id int) (*model.PackFiles, error)
	ReplyCount(ctx context.Context, id int) (int, error)
	PackReplies(ctx context.Context, id int, each func(r *model.Reply, repeat bool) error) error
	PackReply(ctx context.Context, id int, rid int64) (*model.Reply, error)
}

// Service answers CIs and quality tables. It is safe for concurrent use.
type Service struct {
	src       Source
	packsDir  string // packs/<name>/ holds a pack's images
	statsDir  string // <p_id>.stats per pack
	maxPixels int    // the largest image a computation decodes
	log       *zap.Logger

	// ctx is the parent of every load's context; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	// slot is held by the one statistics computation that runs at a time
	// (see compute.go); waiting and running count the loads queued for it
	// and the one inside.
	slot             chan struct{}
	waiting, running atomic.Int32
	hooks            hooks

	mu      sync.Mutex
	packs   map[int]*pack
	ticks   uint64 // counts requests for statistics, to order them by use
	loading sync.WaitGroup

	cmp     *comparer
	stimuli StimuliReader // nil: no pack is generated (UseStimuli)
}

// maxOpen is how many packs' statistics are kept open (about 28 MB each for
// 300 pairs: the infoVal reference); a researcher looks at one or two at a
// time, and reopening one costs tens of milliseconds.
const maxOpen = 4

// pack is one pack's statistics, loaded (or computed) once, and its caches.
type pack struct {
	ready chan struct{} // closed once stats or err is set
	stats *results.Stats
	err   error
	used  uint64 // when it was last asked for, in Service.ticks; 0: never
	// cancel stops the load (Forget); gone marks a pack forgotten while a
	// request waited for it. gone is guarded by Service.mu.
	cancel context.CancelFunc
	gone   bool

	mu       sync.Mutex
	set      *replySet          // the replies as last read; see replies
	infoVals map[int64]float64  // by r_id: a reply and its pack never change
	groups   *lru[*Image]       // group CIs by selection
	reliab   *lru[*Reliability] // reliability by selection
}

// newPack is an entry whose statistics are still to load.
func newPack() *pack {
	return &pack{ready: make(chan struct{}), infoVals: map[int64]float64{}, groups: newLRU[*Image](8),
		reliab: newLRU[*Reliability](8)}
}

// New prepares the stats folder. A computation decodes no image of more
// than maxImagePixels pixels (width × height, read from its header).
func New(src Source, packsDir, statsDir string, maxImagePixels int, log *zap.Logger) (*Service, error) {
	if maxImagePixels < 1 {
		return nil, fmt.Errorf("new analysis: max image pixels %d", maxImagePixels)
	}
	if err := os.MkdirAll(statsDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", statsDir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{src: src, packsDir: packsDir, statsDir: statsDir, maxPixels: maxImagePixels, log: log,
		ctx: ctx, cancel: cancel, slot: make(chan struct{}, 1), packs: map[int]*pack{}, cmp: newComparer()}, nil
}

func (s *Service) statsPath(id int) string {
	return filepath.Join(s.statsDir, strconv.Itoa(id)+".stats")
}

// Prepare computes a new pack's statistics file in the background, so the
// researcher's first look at its results does not wait for it; they are
// opened when first asked for.
func (s *Service) Prepare(id int) {
	s.loading.Go(func() {
		p := s.entry(id)
		<-p.ready
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.packs[id] == p && p.used == 0 {
			delete(s.packs, id) // nobody asked for it yet: do not keep it open
		}
	})
}

// entry returns the pack's entry, starting its load when there is none and
// letting the least recently used one go when more than maxOpen are open.
// A pack let go is dropped, not closed: a request may still be reading it,
// and its file is closed when the garbage collector takes it.
func (s *Service) entry(id int) *pack {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.packs[id]
	if p == nil {
		ctx, cancel := context.WithCancel(s.ctx)
		p = newPack()
		p.cancel = cancel
		s.packs[id] = p
		s.loading.Go(func() {
			defer cancel()
			s.load(ctx, id, p)
		})
		s.evict(id)
	}
	return p
}

// evict drops the least recently used loaded pack other than keep while
// more than maxOpen are held.
func (s *Service) evict(keep int) {
	for len(s.packs) > maxOpen {
		oldest := -1
		for id, p := range s.packs {
			select {
			case <-p.ready:
			default:
				continue // still loading
			}
			if id != keep && (oldest < 0 || p.used < s.packs[oldest].used) {
				oldest = id
			}
		}
		if oldest < 0 {
			return
		}
		delete(s.packs, oldest)
	}
}

// stats waits for the pack's statistics, or for ctx (a computation may be
// queued behind another). The load goes on without the request (a client
// that gives up does not waste the work); a failed load is forgotten so
// that the next request tries again, and a pack deleted meanwhile is not
// found.
func (s *Service) stats(ctx context.Context, id int) (*pack, error) {
	p := s.entry(id)
	select {
	case <-p.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.gone {
		return nil, model.Fail(model.PackNotFound, id)
	}
	if p.err != nil {
		if s.packs[id] == p {
			delete(s.packs, id)
		}
		return nil, p.err
	}
	s.ticks++
	p.used = s.ticks
	return p, nil
}

// load opens the pack's stats file, computing it first when it is missing
// or not a whole, current one. ctx ends when the pack is forgotten or the
// service closes.
func (s *Service) load(ctx context.Context, id int, p *pack) {
	defer close(p.ready)
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		p.err = err
		return
	}
	if s.stimuli != nil {
		g, base, err := s.generated(pf.Name)
		if err == nil {
			p.stats, p.err = s.loadGenerated(ctx, id, g, base)
			return
		}
		if !errors.Is(err, fs.ErrNotExist) {
			p.err = fmt.Errorf("parameters of pack %d: %w", id, err)
			return
		}
	}
	path := s.statsPath(id)
	st, err := results.Open(path)
	if err == nil {
		p.stats = st
		return
	}
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, results.ErrCorrupt) && !errors.Is(err, results.ErrVersion) {
		p.err = fmt.Errorf("open stats of pack %d: %w", id, err)
		return
	}
	files := make([]results.PairFiles, len(pf.Pairs))
	for i, pr := range pf.Pairs {
		dir := filepath.Join(s.packsDir, pf.Name)
		files[i] = results.PairFiles{Ori: filepath.Join(dir, pr[model.Ori]), Inv: filepath.Join(dir, pr[model.Inv])}
	}
	if p.err = s.compute(ctx, id, files, path); p.err != nil {
		return
	}
	s.log.Info("computed the statistics of a pack", zap.Int("p_id", id))
	if p.stats, err = results.Open(path); err != nil {
		p.err = fmt.Errorf("open stats of pack %d: %w", id, err)
	}
}

// Close stops the loads in flight (a computation is cancelled and leaves
// no file), waits for them and closes every pack's statistics.
func (s *Service) Close() error {
	s.cancel()
	s.cmp.close()
	s.loading.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for id, p := range s.packs {
		if p.stats != nil {
			errs = append(errs, p.stats.Close())
		}
		delete(s.packs, id)
	}
	return errors.Join(errs...)
}

// Forget drops a deleted pack's statistics and caches, and its file. A
// computation of it is cancelled and waited for (it stops within a batch
// of pairs), so when Forget returns neither its stats file nor its temp
// file is left, and requests that waited for it find no pack.
func (s *Service) Forget(id int) {
	s.cmp.forget(id)
	s.mu.Lock()
	p := s.packs[id]
	delete(s.packs, id)
	if p != nil {
		p.gone = true
	}
	s.mu.Unlock()
	if p != nil {
		p.cancel()
		<-p.ready
		if p.stats != nil {
			p.stats.Close()
		}
	}
	if err := os.Remove(s.statsPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Error("remove the statistics of a deleted pack", zap.Int("p_id", id), zap.Error(err))
	}
}

// Sweep removes what a crash can leave in the stats folder: half-written
// files whose writer is dead, and the statistics of packs deleted
// meanwhile. exists holds the packs the database has (id by name).
func (s *Service) Sweep(exists map[string]int) error {
	ids := make(map[string]bool, len(exists))
	for _, id := range exists {
		ids[strconv.Itoa(id)+".stats"] = true
	}
	entries, err := os.ReadDir(s.statsDir)
	if err != nil {
		return fmt.Errorf("sweep stats: %w", err)
	}
	for _, e := range entries {
		if ids[e.Name()] || results.IsTemp(e.Name()) { // temp files: below
			continue
		}
		path := filepath.Join(s.statsDir, e.Name())
		s.log.Warn("sweep: removing statistics of no pack", zap.String("file", path))
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("sweep %s: %w", path, err)
		}
	}
	// A temp file whose writer died (a kill during a computation) is
	// unlocked and goes; another instance's computation holds its lock
	// and its file stays.
	n, err := results.RemoveTemps(s.statsDir)
	if err != nil {
		return fmt.Errorf("sweep stats: %w", err)
	}
	if n > 0 {
		s.log.Warn("sweep: removed unfinished statistics", zap.Int("files", n))
	}
	return nil
}
