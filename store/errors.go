package store

import (
	"errors"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// PostgreSQL SQLSTATE codes we act on.
const (
	codeUniqueViolation    = "23505"
	codeExclusionViolation = "23P01"
	codeForeignKey         = "23503"
)

// Constraints whose violation means something to the client.
const (
	constraintPackName  = "pack_name_key"
	constraintRunToken  = "run_pkey"
	constraintRunResume = "run_resume"
)

func pqCode(err error) pqerror.Code {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func pqConstraint(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Constraint
	}
	return ""
}
