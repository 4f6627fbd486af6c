package runs

import (
	"context"
	"database/sql"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/trials"
)

// SubmitInput is a checked submit: the person, the pack they name, their
// answers as sent (a JSON array) and their run's token ("" for none, which
// stores nothing: only a run the server started can be submitted).
type SubmitInput struct {
	Person  model.Person
	PackID  int
	Answers []byte
	Token   string
}

// Submit stores a whole reply: every pair of the pack once, the person
// still fitting the pack. With a run's token it finishes the run in the
// same transaction, once the answers are the pairs and sides the run
// served and agree with those it saved. created is false for a retry that
// stored nothing new.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (created bool, err error) {
	if in.Token == "" {
		return false, model.Fail(model.UnknownRun)
	}
	pack, err := s.store.PackFiles(ctx, in.PackID)
	if err != nil {
		return false, err
	}
	if !pack.Fits(in.Person.Sex, in.Person.Age) {
		return false, model.Fail(model.NotForThisPack)
	}
	list, err := trials.Parse(in.Answers, pack, len(pack.Pairs))
	if err == nil {
		err = list.EachPairOnce(len(pack.Pairs))
	}
	if err != nil {
		return false, err
	}
	code := CompletionCode(s.secret, in.Token)
	r := &model.Reply{PackID: in.PackID, Person: in.Person, Answers: list.JSON,
		Token: sql.NullString{String: in.Token, Valid: true}, Completion: &code}
	return s.store.SubmitReply(ctx, r, s.now(), func(run *model.Run) error { return judge(pack, run, list) })
}

// judge checks a submitted list against the run it finishes, from the run's
// row alone.
func judge(pack *model.PackFiles, run *model.Run, list *trials.List) error {
	served, err := model.DecodeServed(pack, run.Served)
	if err != nil {
		return err
	}
	if err := list.AsServed(served); err != nil {
		return err
	}
	saved, err := trials.Decode(run.Answers, pack)
	if err != nil {
		return err
	}
	if !trials.Agree(saved, list.Trials) {
		return model.Fail(model.AnswersDiffer)
	}
	return nil
}
