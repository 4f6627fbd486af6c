package runs

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"strings"

	"github.com/psyx-lab/psyx/model"
)

// crockford is base32 without I, L, O and U: nothing to misread when a
// participant copies a code by hand.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// CompletionCode is the short code that confirms a finished run: 8
// characters derived from its token, shown as XXXX-XXXX. The researcher
// finds the same code beside the reply in the download.
func CompletionCode(token string) string {
	sum := sha256.Sum256([]byte(token))
	s := crockford.EncodeToString(sum[:5])
	return s[:4] + "-" + s[4:]
}

// Completion is what the thank-you screen shows: the code, and the lab's
// address that confirms the participation ("" when none is set).
type Completion struct {
	Code string `json:"code"`
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
	c := &Completion{Code: CompletionCode(run.Token)}
	if s.rules.CompletionURL != "" {
		c.URL = strings.NewReplacer("{code}", url.QueryEscape(c.Code),
			"{no}", url.QueryEscape(run.No)).Replace(s.rules.CompletionURL)
	}
	return c, nil
}
