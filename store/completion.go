package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/psyx-lab/psyx/model"
)

// ReplyByCompletion finds the reply whose completion code is code (the
// oldest, should two runs ever share one); none is errUnknownCompletion.
func (s *Store) ReplyByCompletion(ctx context.Context, code string) (*model.Completed, error) {
	var c model.Completed
	err := s.db.GetContext(ctx, &c, `
SELECT r.r_id, r.p_id, p.pack_name, r.name, r.no, r.created_at
FROM reply r JOIN pack p USING (p_id) WHERE r.completion = $1 ORDER BY r.r_id LIMIT 1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnknownCompletion
	}
	if err != nil {
		return nil, fmt.Errorf("find completion code: %w", err)
	}
	return &c, nil
}

// Completion is the code of the finished run a token names, from its
// reply; a run not finished is RunNotFinished, no run UnknownRun.
func (s *Store) Completion(ctx context.Context, token string) (string, error) {
	var code sql.NullString
	err := s.db.GetContext(ctx, &code, `
SELECT reply.completion FROM run LEFT JOIN reply USING (r_id) WHERE run.token = $1`, token)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", errUnknownRun
	case err != nil:
		return "", fmt.Errorf("read completion code: %w", err)
	case !code.Valid:
		return "", errRunNotFinished
	}
	return code.String, nil
}
