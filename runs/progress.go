package runs

import (
	"context"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/trials"
)

// Progress saves a run's answers so far and its event counts: retried or
// repeated saves change nothing, and every answer is judged by the order
// and sides the run served. It returns how many answers are saved, and
// whether the run is finished already (a page that did not know: it shows
// its thank-you screen).
func (s *Service) Progress(ctx context.Context, token string, answers []byte, ev *model.Events) (answered int, finished bool, err error) {
	served, err := s.store.RunServed(ctx, token)
	if err != nil {
		return 0, false, err
	}
	pack, err := s.store.PackFiles(ctx, served.PackID)
	if err != nil {
		return 0, false, err
	}
	list, err := trials.Parse(answers, pack, len(served.Order))
	if err == nil {
		err = list.AsServed(served)
	}
	if err != nil {
		return 0, false, err
	}
	return s.store.SaveProgress(ctx, token, list.JSON, len(list.Trials), ev, s.now())
}
