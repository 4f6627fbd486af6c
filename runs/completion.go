package runs

import (
	"context"
	"net/url"
	"strings"

	"github.com/psyx-lab/psyx/model"
)

// Completion is what the thank-you screen shows: the code, and the lab's
// address that confirms the participation ("" when none is set).
type Completion struct {
	Code string `json:"completion"`
	URL  string `json:"url"`
}

// Completion answers a finished run's completion code and, when the lab
// set one, its credit address with {code} and {no} filled in.
func (s *Service) Completion(ctx context.Context, token string) (*Completion, error) {
	run, err := s.store.Run(ctx, token)
	if err != nil {
		return nil, err
	}
	if run.FinishedAt == nil {
		return nil, model.Fail(model.RunNotFinished)
	}
	return s.completion(ctx, run)
}

func (s *Service) completion(ctx context.Context, run *model.Run) (*Completion, error) {
	code, err := s.store.Completion(ctx, run.Token)
	if err != nil {
		return nil, err
	}
	c := &Completion{Code: code}
	if s.rules.CompletionURL != "" {
		c.URL = strings.NewReplacer("{code}", url.QueryEscape(code),
			"{no}", url.QueryEscape(run.No)).Replace(s.rules.CompletionURL)
	}
	return c, nil
}
