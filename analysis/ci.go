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

// Image is a CI ready to draw on its pack's base face or to write raw,
// with what went into it.
type Image struct {
	CI   results.CI
	base []float64
	Provenance

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

// Anti is rcicr's anti-CI: the CI with its sign flipped.
func (im *Image) Anti() *Image {
	out := &Image{CI: im.CI, base: im.base, Provenance: im.Provenance}
	out.CI.Pix = make([]float64, len(im.CI.Pix))
	for i, v := range im.CI.Pix {
		out.CI.Pix[i] = -v
	}
	return out
}

// WriteCSV writes the raw CI: one line per pixel row, top first.
func (im *Image) WriteCSV(w io.Writer) error { return results.WriteCSV(w, im.CI) }

// GroupCI is the unweighted mean of the selected replies' CIs (those
// without an answered trial have none), computed once per set of replies:
// a refresh draws it from the cache.
func (s *Service) GroupCI(ctx context.Context, id int, sel Selection, th results.Thresholds) (*Image, error) {
	p, set, pk, err := s.selected(ctx, id, sel, th, true)
	if err != nil {
		return nil, err
	}
	if im, ok := lockedGet(&p.mu, p.groups, pk.key); ok {
		return im, nil
	}
	rows, _ := pk.weights(set)
	if len(rows) == 0 {
		return nil, errNoReplies(id)
	}
	mean := make([]float64, p.stats.Pairs())
	for _, w := range rows {
		for i, v := range w {
			mean[i] += v / float64(len(rows))
		}
	}
	w, h := p.stats.Size()
	ci := results.CI{W: w, H: h, Pix: make([]float64, w*h), Replies: len(rows), Skipped: len(pk.in) - len(rows)}
	if err := p.stats.WeightedNoise(ctx, mean, ci.Pix); err != nil {
		return nil, fmt.Errorf("group CI of pack %d: %w", id, err)
	}
	im := &Image{CI: ci, base: p.stats.Base(), pngs: map[pngKey]pngDone{},
		Provenance: Provenance{Packs: []int{id}, Replies: len(rows), Excluded: pk.out}}
	lockedPut(&p.mu, p.groups, pk.key, im)
	return im, nil
}

// GroupPNG is GroupCI (or its anti-CI) drawn, from the cache when this
// scaling was drawn for this set of replies before.
func (s *Service) GroupPNG(ctx context.Context, id int, sel Selection, th results.Thresholds, anti bool,
	sc results.Scaling, constant float64) (*Image, []byte, float64, error) {
	im, err := s.GroupCI(ctx, id, sel, th)
	if err != nil {
		return nil, nil, 0, err
	}
	if anti {
		data, c, err := im.Anti().PNG(sc, constant)
		return im, data, c, err
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
	return &Image{CI: ci, base: p.stats.Base(), Provenance: Provenance{Packs: []int{id}, Replies: 1}}, nil
}

// ReplyCIs is a selection of a pack's replies whose CIs are drawn one at
// a time (Each): a zip of hundreds of CIs never holds them all.
type ReplyCIs struct {
	s    *Service
	id   int
	p    *pack
	set  *replySet
	pick *picked
	// Excluded are the r_ids the selection left out.
	Excluded []int64
}

// ReplyCIs applies sel to the pack's replies, as GroupCI does.
func (s *Service) ReplyCIs(ctx context.Context, id int, sel Selection, th results.Thresholds) (*ReplyCIs, error) {
	p, set, pk, err := s.selected(ctx, id, sel, th, true)
	if err != nil {
		return nil, err
	}
	return &ReplyCIs{s: s, id: id, p: p, set: set, pick: pk, Excluded: pk.out}, nil
}

// Each calls fn with every selected reply and its CI, in r_id order, and
// unanswered with each selected reply that has no answered trial (and so
// no CI).
func (rc *ReplyCIs) Each(ctx context.Context, fn func(r *model.Reply, im *Image) error, unanswered func(rid int64)) error {
	for _, i := range rc.pick.in {
		r := rc.set.replies[i]
		im, err := rc.s.replyImage(ctx, rc.id, rc.p, r)
		if model.ReasonOf(err) == model.NoAnswers {
			unanswered(r.ID)
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
