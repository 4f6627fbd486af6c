package store

import (
	"errors"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Domain errors the API turns into 400 messages.
var (
	ErrPackNameTaken = errors.New("pack name taken")
	ErrPackOverlap   = errors.New("pack condition overlaps another pack")
	ErrPackNotFound  = errors.New("pack not found")
)

// PostgreSQL SQLSTATE codes we act on.
const (
	codeUniqueViolation    = "23505"
	codeExclusionViolation = "23P01"
	codeForeignKey         = "23503"
)

func pqCode(err error) pqerror.Code {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
