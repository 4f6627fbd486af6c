package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/trials"
)

// Image is a CI ready to draw on its pack's base face or to write raw.
type Image struct {
	CI   results.CI
	base []float64

	pngs map[pngKey]pngDone // group images only: drawn once per scaling
}

type pngKey struct {
	scaling  results.Scaling
	constant float64
}

type pngDone struct {
	data     []byte
	constant float64
}

// PNG draws the CI on the base face as rcicr does and returns the PNG and
// the scaling constant used.
func (im *Image) PNG(sc results.Scaling, constant float64) ([]byte, float64, error) {
	key := pngKey{sc, constant}
	if done, ok := im.pngs[key]; ok {
		return done.data, done.constant, nil
	}
	var buf bytes.Buffer
	c, err := results.RenderPNG(&buf, im.CI, im.base, sc, constant)
	if err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), c, nil
}

// WriteCSV writes the raw CI: one line per pixel row, top first.
func (im *Image) WriteCSV(w io.Writer) error { return results.WriteCSV(w, im.CI) }

// groupCache is a pack's latest group CI and the number of replies it was
// computed from. Replies are only ever added, so the count names the set.
type groupCache struct {
	replies int
	image   *Image
}

// GroupCI is the unweighted mean of the pack's replies' CIs, computed once
// per set of replies: a refresh draws it from the cache.
func (s *Service) GroupCI(ctx context.Context, id int) (*Image, error) {
	count, err := s.src.ReplyCount(ctx, id)
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, errNoReplies(id)
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.group != nil && p.group.replies == count {
		return p.group.image, nil
	}
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	var all [][]trials.Trial
	err = s.src.PackReplies(ctx, id, func(r *model.Reply, _ bool) error {
		ts, err := trials.Decode(r.Answers, pf)
		if err != nil {
			return fmt.Errorf("reply %d: %w", r.ID, err)
		}
		all = append(all, ts)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ci, err := p.stats.GroupCI(ctx, all)
	if errors.Is(err, results.ErrNoReplies) {
		return nil, errNoReplies(id)
	}
	if err != nil {
		return nil, fmt.Errorf("group CI of pack %d: %w", id, err)
	}
	im := &Image{CI: ci, base: p.stats.Base(), pngs: map[pngKey]pngDone{}}
	p.group = &groupCache{replies: len(all), image: im}
	return im, nil
}

// GroupPNG is GroupCI drawn, from the cache when this scaling was drawn
// for this set of replies before.
func (s *Service) GroupPNG(ctx context.Context, id int, sc results.Scaling, constant float64) (*Image, []byte, float64, error) {
	im, err := s.GroupCI(ctx, id)
	if err != nil {
		return nil, nil, 0, err
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, nil, 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	data, c, err := im.PNG(sc, constant)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(im.pngs) > 16 { // scalings a researcher tried; keep memory bounded
		clear(im.pngs)
	}
	im.pngs[pngKey{sc, constant}] = pngDone{data, c}
	return im, data, c, nil
}

func errNoReplies(id int) error { return model.Fail(model.NoReplies, id) }

// ReplyCI is one reply's CI.
func (s *Service) ReplyCI(ctx context.Context, id int, rid int64) (*Image, error) {
	if _, err := s.src.ReplyCount(ctx, id); err != nil {
		return nil, err // PackNotFound before UnknownReply
	}
	r, err := s.src.PackReply(ctx, id, rid)
	if err != nil {
		return nil, err
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.replyImage(ctx, id, p, r)
}

func (s *Service) replyImage(ctx context.Context, id int, p *pack, r *model.Reply) (*Image, error) {
	pf, err := s.src.PackFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	ts, err := trials.Decode(r.Answers, pf)
	if err != nil {
		return nil, fmt.Errorf("reply %d: %w", r.ID, err)
	}
	ci, err := p.stats.ReplyCI(ctx, ts)
	if errors.Is(err, results.ErrNoAnswers) {
		return nil, model.Fail(model.NoAnswers, r.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("CI of reply %d: %w", r.ID, err)
	}
	return &Image{CI: ci, base: p.stats.Base()}, nil
}

// EachReplyCI calls fn with every reply of the pack and its CI, in r_id
// order; replies without an answered trial have none and are skipped. One
// CI is in memory at a time.
func (s *Service) EachReplyCI(ctx context.Context, id int, fn func(r *model.Reply, im *Image) error) error {
	if _, err := s.src.ReplyCount(ctx, id); err != nil {
		return err
	}
	p, err := s.stats(ctx, id)
	if err != nil {
		return err
	}
	var replies []*model.Reply
	err = s.src.PackReplies(ctx, id, func(r *model.Reply, _ bool) error {
		replies = append(replies, r)
		return nil
	})
	if err != nil {
		return err
	}
	if len(replies) == 0 {
		return errNoReplies(id)
	}
	for _, r := range replies {
		im, err := s.replyImage(ctx, id, p, r)
		if model.ReasonOf(err) == model.NoAnswers {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(r, im); err != nil {
			return err
		}
	}
	return nil
}
