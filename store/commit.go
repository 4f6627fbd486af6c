package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// outcome is what became of a transaction whose COMMIT failed.
type outcome int

const (
	committed outcome = iota
	rolledBack
	unknown // the database could not be asked
)

// commit commits tx. A failed COMMIT may still have committed: the
// connection can die after the server wrote the commit but before we heard
// it. Then applied (a read on a fresh connection) tells which happened, so
// the caller can finish or undo what it did outside the database (a pack
// folder published or retired).
func (s *Store) commit(ctx context.Context, tx *sqlx.Tx, applied func(ctx context.Context) (bool, error)) (outcome, error) {
	err := tx.Commit()
	if err == nil {
		return committed, nil
	}
	err = fmt.Errorf("commit: %w", err)
	yes, qerr := applied(ctx)
	switch {
	case qerr != nil:
		return unknown, err
	case yes:
		return committed, nil
	}
	return rolledBack, err
}
