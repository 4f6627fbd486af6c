package analysis

import (
	"context"
	"errors"
	"fmt"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// hooks let a test watch and pause computations; nil in the service.
type hooks struct {
	// progress runs inside a computation of pack id (holding the slot,
	// its temp file written so far) after each batch of pairs, with the
	// load's context, which Forget and Close cancel.
	progress func(ctx context.Context, id, done int)
}

// oneAtATime runs work (a computation of pack id's statistics) holding
// the one slot of the process: each keeps every core busy while it decodes
// and takes up to ~60 MB of RSS for 300 pairs of 1024² (measured,
// docs/PERFORMANCE.md), so three packs uploaded together queue instead of
// tripling the peak. A load waiting for the slot gives up when its context
// ends; requests waiting for the load honour their own contexts (stats).
func (s *Service) oneAtATime(ctx context.Context, id int, work func() error) error {
	s.waiting.Add(1)
	select {
	case s.slot <- struct{}{}:
		s.waiting.Add(-1)
	case <-ctx.Done():
		s.waiting.Add(-1)
		return fmt.Errorf("compute stats of pack %d: wait: %w", id, ctx.Err())
	}
	s.running.Add(1)
	defer func() {
		s.running.Add(-1)
		<-s.slot
	}()
	return work()
}

// compute writes the statistics file of pack id, uploaded as images, at
// path, one computation at a time.
//
// What the pack's files hold is the pack's fault, never ours: an image too
// large by its header (nothing of it decoded), one that does not decode
// and images of different sizes become the conditions a researcher reads.
// The seed is the pack's id: a reply's infoVal is the same on every
// machine and after every recomputation.
func (s *Service) compute(ctx context.Context, id int, files []results.PairFiles, path string) error {
	opts := results.ComputeOptions{MaxPixels: s.maxPixels}
	if s.hooks.progress != nil {
		opts.Progress = func(done int) { s.hooks.progress(ctx, id, done) }
	}
	err := s.oneAtATime(ctx, id, func() error { return results.Compute(ctx, files, uint64(id), path, opts) })
	var (
		large  *results.ImageTooLargeError
		broken *results.UnreadableImageError
		mixed  *results.InconsistentPackError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &large):
		return model.Fail(model.ImageTooLarge, large.File, large.W, large.H)
	case errors.As(err, &broken):
		return model.Fail(model.UnreadableImage, broken.File, model.Echo(broken.Reason))
	case errors.As(err, &mixed):
		return model.Fail(model.MixedSizes, mixed.File, mixed.W, mixed.H, mixed.First, mixed.W0, mixed.H0)
	}
	return fmt.Errorf("compute stats of pack %d: %w", id, err)
}
