package runs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strconv"

	"github.com/psyx-lab/psyx/model"
)

// StartInput is a checked start: the person, the page's token for its run
// ("" for one the server makes) and the page's facts about the machine.
type StartInput struct {
	Person model.Person
	Token  string
	Client json.RawMessage
}

// Started is the run a start made or resumed, and its pack.
type Started struct {
	Pack    *model.PackFiles
	Run     *model.Run
	Resumed bool
}

// Start matches the person to their pack and starts their run, or resumes
// the one they left: same order, answers saved so far.
func (s *Service) Start(ctx context.Context, in StartInput) (*Started, error) {
	token := in.Token
	if token == "" {
		token = rand.Text()
	}
	var st Started
	var err error
	// A kept match whose pack was deleted meanwhile fails once, and drops
	// the match: the second try asks the database.
	for range 2 {
		if st.Pack, err = s.store.MatchPack(ctx, in.Person.Sex, in.Person.Age); err != nil {
			break
		}
		served := s.shuffled(st.Pack)
		nr := model.NewRun{Token: token, Person: in.Person, Served: served, ServedJSON: served.AppendJSON(nil, st.Pack), Client: in.Client}
		st.Run, st.Resumed, err = s.store.StartRun(ctx, nr, s.now(), s.rules.ResumeWithin)
		if model.ReasonOf(err) != model.NoSuitablePack {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return &st, nil
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
// "token","answered","answers"}. Written by hand: pic_pairs and answers are
// JSON already (made here, or kept by PostgreSQL), and encoding/json would
// check and copy their 13 KB again.
func (st *Started) AppendJSON(b []byte) []byte {
	run := st.Run
	b = append(b, `{"p_id":`...)
	b = strconv.AppendInt(b, int64(st.Pack.ID), 10)
	b = append(b, `,"pack_path":"/packs/`...)
	b = append(b, st.Pack.Name...) // [a-z0-9_]: nothing to escape
	b = append(b, `","pic_pairs":`...)
	b = append(b, run.Served...)
	b = append(b, `,"token":"`...)
	b = append(b, run.Token...) // [A-Za-z0-9-]
	b = append(b, `","answered":`...)
	b = strconv.AppendInt(b, int64(run.Answered), 10)
	b = append(b, `,"answers":`...)
	b = append(b, run.Answers...)
	return append(b, '}')
}
