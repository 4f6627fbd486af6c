package inference

import (
	"errors"
	"fmt"
)

// Errors a caller can test with errors.Is. Bad input always comes back as
// one of the typed errors below, which unwrap to these; the API layer words
// the message a person reads (for instance ErrTooFewReplies → 400 "Too Few
// Replies").
var (
	// ErrTooFewReplies: a statistic needs more replies than it was given
	// (see TooFewRepliesError for how many).
	ErrTooFewReplies = errors.New("too few replies")
	// ErrShape: a slice or image has the wrong length or size for the pack.
	ErrShape = errors.New("shape mismatch")
	// ErrTooLarge: a size is beyond the package's limits (limits.go), refused
	// before anything is allocated.
	ErrTooLarge = errors.New("input too large")
	// ErrBadValue: a weight, response, Gram entry or noise value that is not
	// finite or not allowed.
	ErrBadValue = errors.New("bad value")
	// ErrBadOption: an option out of its range (negative splits or
	// permutations, a threshold that is not a finite number > 0, …).
	ErrBadOption = errors.New("bad option")
	// ErrNoAnswers: a reply without an answered trial has no CI.
	ErrNoAnswers = errors.New("reply has no answered trial")
)

// TooFewRepliesError says which reply set is too small. It unwraps to
// ErrTooFewReplies.
type TooFewRepliesError struct {
	Set  string // "a" or "b" for Compare's sets, "" for the one set of the others
	Have int
	Need int
}

func (e *TooFewRepliesError) Error() string {
	if e.Set == "" {
		return fmt.Sprintf("%d replies, need at least %d", e.Have, e.Need)
	}
	return fmt.Sprintf("set %s: %d replies, need at least %d", e.Set, e.Have, e.Need)
}

// Unwrap lets errors.Is(err, ErrTooFewReplies) hold.
func (e *TooFewRepliesError) Unwrap() error { return ErrTooFewReplies }

// ShapeError says which input has the wrong length. It unwraps to ErrShape.
type ShapeError struct {
	What string // e.g. "a weights row 3", "Gram", "base"
	Got  int
	Want int
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("%s has length %d, want %d", e.What, e.Got, e.Want)
}

// Unwrap lets errors.Is(err, ErrShape) hold.
func (e *ShapeError) Unwrap() error { return ErrShape }

// LimitError says which size is beyond its limit. It unwraps to ErrTooLarge.
type LimitError struct {
	What string
	Got  int
	Max  int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is %d, limit %d", e.What, e.Got, e.Max)
}

// Unwrap lets errors.Is(err, ErrTooLarge) hold.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

// ValueError says where a value is not finite or not allowed. It unwraps to
// ErrBadValue.
type ValueError struct {
	What  string // e.g. "a weights row 2", "Gram", "noise"
	Index int    // position within What
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: bad value at %d", e.What, e.Index)
}

// Unwrap lets errors.Is(err, ErrBadValue) hold.
func (e *ValueError) Unwrap() error { return ErrBadValue }
