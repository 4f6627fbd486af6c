package results

import "errors"

// PairFiles names the two images of one stimulus pair (absolute paths). In a
// pack, pair i is index i of the slice.
type PairFiles struct {
	Ori, Inv string
}

// Trial is one answer of a reply.
type Trial struct {
	Pair     int     // 0-based pair index in the pack
	Response int8    // +1 ori chosen, −1 inv chosen, 0 timeout
	Left     bool    // the left key (F) was pressed
	RT       float64 // response time in seconds
}

// Events are a run's page events: cumulative counts kept by the page.
type Events struct {
	Blur     int // times the page lost focus
	HiddenMS int // total milliseconds the page was hidden
	Resized  int // times the window changed size
}

// Errors a caller can test with errors.Is.
var (
	// ErrNoAnswers: a reply without an answered trial has no CI and no
	// infoVal (its noise average over zero trials is undefined).
	ErrNoAnswers = errors.New("results: reply has no answered trial")
	// ErrNoReplies: a group CI needs at least one reply with an answer.
	ErrNoReplies = errors.New("results: no reply with an answered trial")
	// ErrBadTrial: a trial names a pair outside the pack, a pair twice, or
	// a response other than −1, 0, +1.
	ErrBadTrial = errors.New("results: bad trial")
	// ErrCorrupt: a stats file is truncated, damaged or not a stats file at
	// all. Compute it again.
	ErrCorrupt = errors.New("results: stats file corrupt")
	// ErrVersion: a stats file was written by another format version.
	// Compute it again.
	ErrVersion = errors.New("results: stats file has another format version")
)

// InconsistentPackError reports images of different sizes in one pack. The
// API answers it with 400 and the text of Error.
type InconsistentPackError struct {
	What string // which files differ and how, by base name
}

// Error returns "Inconsistent Pack: <What>", the message the API shows.
func (e *InconsistentPackError) Error() string { return "Inconsistent Pack: " + e.What }
