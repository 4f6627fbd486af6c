package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Secret returns the secret named name, storing fresh (32 random bytes the
// caller made) first when the database has none: the first instance to ask
// decides it, and every instance then shares it.
func (s *Store) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	var value []byte
	var err error
	// An instance that lost the race to store its own reads the winner's
	// on the second pass: the first statement's snapshot predates it.
	for range 2 {
		err = s.db.GetContext(ctx, &value, `
WITH made AS (INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
SELECT value FROM made UNION ALL SELECT value FROM app_secret WHERE name = $1 LIMIT 1`, name, fresh)
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return value, nil
}
