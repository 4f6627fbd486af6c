package stimuli

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns wraps one of them (with
// %w), so a caller picks its answer with errors.Is and words its own message;
// the texts here are for logs, not for end users.
var (
	// ErrImgSize: an image side outside [MinSize, MaxSize].
	ErrImgSize = errors.New("stimuli: image size out of range")
	// ErrNScales: nscales outside [1, MaxScales].
	ErrNScales = errors.New("stimuli: nscales out of range")
	// ErrTiling: the image side is not a multiple of 2^(nscales−1), so the
	// finest scale cannot tile it (rcicr's validateTiling).
	ErrTiling = errors.New("stimuli: image size not divisible by 2^(nscales-1)")
	// ErrSigma: a Gabor sigma that is not a finite number > 0.
	ErrSigma = errors.New("stimuli: sigma must be finite and > 0")
	// ErrNoiseType: a noise type other than sinusoid or gabor.
	ErrNoiseType = errors.New("stimuli: unknown noise type")
	// ErrNotSquare: a base image whose width and height differ (see NotSquareError).
	ErrNotSquare = errors.New("stimuli: base image is not square")
	// ErrFlatImage: contrast stretching asked of an image with max == min
	// (see FlatImageError). rcicr refuses it too (generateStimuli2IFC).
	ErrFlatImage = errors.New("stimuli: base image has no contrast")
	// ErrShape: slice lengths that do not match the sizes given with them
	// (params ≠ trials × nparams, out ≠ size², a trial index out of range…).
	ErrShape = errors.New("stimuli: lengths do not match")
	// ErrTooLarge: a trial or parameter count beyond the limits given or
	// beyond MaxTrials / MaxParams / MaxValues.
	ErrTooLarge = errors.New("stimuli: too large")
	// ErrCorrupt: an encoded parameter matrix (binary or CSV) that is damaged,
	// truncated or malformed.
	ErrCorrupt = errors.New("stimuli: damaged parameter data")
	// ErrNotFinite: a parameter or pixel value that is NaN or ±Inf.
	ErrNotFinite = errors.New("stimuli: value is not finite")
)

// NotSquareError is a base image that is not square. It matches ErrNotSquare.
type NotSquareError struct{ Width, Height int }

func (e *NotSquareError) Error() string {
	return fmt.Sprintf("stimuli: base image is %d×%d, not square", e.Width, e.Height)
}

// Is makes errors.Is(err, ErrNotSquare) true.
func (e *NotSquareError) Is(target error) bool { return target == ErrNotSquare }

// FlatImageError is a base image whose every grey value is Value, so that
// (x−min)/(max−min) would be 0/0. It matches ErrFlatImage.
type FlatImageError struct{ Value float64 }

func (e *FlatImageError) Error() string {
	return fmt.Sprintf("stimuli: base image has no contrast (every pixel is %g)", e.Value)
}

// Is makes errors.Is(err, ErrFlatImage) true.
func (e *FlatImageError) Is(target error) bool { return target == ErrFlatImage }

// fmtShape and fmtTooLarge wrap ErrShape and ErrTooLarge with the numbers.
func fmtShape(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrShape}, args...)...)
}

func fmtTooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTooLarge}, args...)...)
}
