package results

import (
	"errors"
	"fmt"
)

// PairFiles names the two images of one stimulus pair (absolute paths). In a
// pack, pair i is index i of the slice.
type PairFiles struct {
	Ori, Inv string
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

// InconsistentPackError reports images of different sizes in one pack:
// File is W×H where First, the pack's first image, is W0×H0 (base names).
type InconsistentPackError struct {
	File, First  string
	W, H, W0, H0 int
}

func (e *InconsistentPackError) Error() string {
	return fmt.Sprintf("results: %s is %dx%d, %s is %dx%d", e.File, e.W, e.H, e.First, e.W0, e.H0)
}

// ImageTooLargeError reports an image whose header says more pixels than
// Compute's limit; nothing of it was decoded. File is its base name.
type ImageTooLargeError struct {
	File string
	W, H int
}

func (e *ImageTooLargeError) Error() string {
	return fmt.Sprintf("results: %s is %dx%d, more pixels than allowed", e.File, e.W, e.H)
}

// UnreadableImageError reports an image that does not decode (cut short,
// corrupt, not PNG or JPEG) or cannot be opened (missing, not a regular
// file); Reason is the decoder's or the system's.
type UnreadableImageError struct {
	File, Reason string
}

func (e *UnreadableImageError) Error() string {
	return fmt.Sprintf("results: %s: %s", e.File, e.Reason)
}
