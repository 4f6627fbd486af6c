package runs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// StartInput is a checked start: the person, the run they name (its token,
// the page's own id for it; or the resume code they typed; "" for none)
// and the page's facts about the machine.
type StartInput struct {
	Person model.Person
	Token  string
	Resume string // as NormalizeCode made it
	Client json.RawMessage
}

// Started is the run a start made or resumed, and its pack; Finished is set
// instead when the run named was finished already.
type Started struct {
	Pack     *model.PackFiles
	Run      *model.Run
	Resumed  bool
	Finished *Completion
}

// touchQuiet is how long a resumed run is not written again: a page reload
// storm costs one write, and last_seen stays within seconds.
const touchQuiet = 5 * time.Second

// Start resumes the run the person names by its token or resume code, or
// else matches them to their pack and starts a new run. A run is theirs
// only when its student number and e-mail are the ones they typed; who
// they say they are never finds, changes or reveals a run by itself.
func (s *Service) Start(ctx context.Context, in StartInput) (*Started, error) {
	if in.Token != "" || in.Resume != "" {
		st, err := s.resume(ctx, in)
		if st != nil || err != nil {
			return st, err
		}
	}
	return s.startNew(ctx, in)
}

// resume finds the run the start names, by its token (a page's own id for
// its run) and else by the resume code typed; nil, nil when a token names
// no run yet and no code was typed (the start makes one under it).
func (s *Service) resume(ctx context.Context, in StartInput) (*Started, error) {
	run, byToken, err := s.named(ctx, in)
	if err != nil {
		return nil, err
	}
	if run == nil {
		return nil, nil
	}
	// Checked before anything of the run is used: the answer to someone
	// else's token or code is the same whatever their run is.
	if run.No != in.Person.No || run.Email != in.Person.Email {
		if byToken {
			return nil, model.Fail(model.TokenUsed)
		}
		return nil, model.Fail(model.UnknownResume)
	}
	pack, err := s.store.PackFiles(ctx, run.PackID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case run.FinishedAt != nil:
		done, err := s.completion(ctx, run)
		if err != nil {
			return nil, err
		}
		return &Started{Pack: pack, Run: run, Finished: done}, nil
	case now.Sub(run.LastSeen) >= s.rules.ResumeWithin:
		// Left too long ago: a new run, under a new token (this one is taken).
		in.Token, in.Resume = "", ""
		return s.startNew(ctx, in)
	}
	if needsTouch(run, now, in.Client) {
		if err := s.store.TouchRun(ctx, run.Token, now, in.Client, touchQuiet); err != nil {
			return nil, err
		}
	}
	return &Started{Pack: pack, Run: run, Resumed: true}, nil
}

// named is the run a start names, and whether by its token.
func (s *Service) named(ctx context.Context, in StartInput) (*model.Run, bool, error) {
	if in.Token != "" {
		run, err := s.store.Run(ctx, in.Token)
		if model.ReasonOf(err) != model.UnknownRun {
			return run, true, err
		}
	}
	if in.Resume == "" {
		return nil, false, nil
	}
	run, err := s.store.RunByResume(ctx, in.Resume)
	if model.ReasonOf(err) == model.UnknownRun {
		return nil, false, model.Fail(model.UnknownResume)
	}
	return run, false, err
}

// startNew matches the person to their pack and starts a run there.
func (s *Service) startNew(ctx context.Context, in StartInput) (*Started, error) {
	token := in.Token
	if token == "" {
		token = rand.Text()
	}
	var err error
	// A kept match whose pack was deleted meanwhile fails once and drops
	// the match; a resume code drawn twice is drawn again.
	for range 3 {
		var pack *model.PackFiles
		if pack, err = s.store.MatchPack(ctx, in.Person.Sex, in.Person.Age); err != nil {
			return nil, err
		}
		served := s.shuffled(pack)
		nr := model.NewRun{Token: token, Resume: newResumeCode(), Person: in.Person, Served: served,
			ServedJSON: served.AppendJSON(nil, pack), Client: in.Client}
		var run *model.Run
		run, err = s.store.CreateRun(ctx, nr, s.now())
		switch {
		case err == nil:
			return &Started{Pack: pack, Run: run}, nil
		case model.ReasonOf(err) == model.TokenUsed && in.Token != "":
			// Two starts of one page raced: the other made the run.
			st, err := s.resume(ctx, in)
			if st == nil && err == nil {
				err = errors.New("start: the run that took this token is gone")
			}
			return st, err
		case errors.Is(err, model.ErrResumeTaken), model.ReasonOf(err) == model.NoSuitablePack:
			continue
		}
		return nil, err
	}
	return nil, err
}

// shuffled is every pair of the pack once in random order, each pair's
// sides swapped at random: the left file is shown on the left.
func (s *Service) shuffled(pack *model.PackFiles) *model.Served {
	order := make([]int32, len(pack.Pairs))
	for i := range order {
		order[i] = int32(i << 1)
	}
	s.rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i := range order {
		order[i] |= int32(s.rand.IntN(2))
	}
	return &model.Served{PackID: pack.ID, Order: order}
}

// AppendJSON appends the start's answer: {"p_id","pack_path","pic_pairs",
// "token","resume","answered","answers"}, or for a finished run
// {"finished":true,"p_id","token","completion","url"}. Written by hand:
// pic_pairs and answers are JSON already (made here, or kept by
// PostgreSQL), and encoding/json would check and copy their 13 KB again.
func (st *Started) AppendJSON(b []byte) []byte {
	run := st.Run
	if st.Finished != nil {
		tail, _ := json.Marshal(st.Finished) // two strings: cannot fail
		b = append(b, `{"finished":true,"p_id":`...)
		b = strconv.AppendInt(b, int64(st.Pack.ID), 10)
		b = append(b, `,"token":"`...)
		b = append(b, run.Token...)
		b = append(b, `",`...)
		return append(b, tail[1:]...)
	}
	b = append(b, `{"p_id":`...)
	b = strconv.AppendInt(b, int64(st.Pack.ID), 10)
	b = append(b, `,"pack_path":"/packs/`...)
	b = append(b, st.Pack.Name...) // [a-z0-9_]: nothing to escape
	b = append(b, `","pic_pairs":`...)
	b = append(b, run.Served...)
	b = append(b, `,"token":"`...)
	b = append(b, run.Token...) // [A-Za-z0-9-]
	b = append(b, '"')
	if run.Resume != nil {
		b = append(b, `,"resume":"`...)
		b = append(b, *run.Resume...) // Crockford base32 and a dash
		b = append(b, '"')
	}
	b = append(b, `,"answered":`...)
	b = strconv.AppendInt(b, int64(run.Answered), 10)
	b = append(b, `,"answers":`...)
	b = append(b, run.Answers...)
	return append(b, '}')
}
