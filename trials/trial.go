package trials

import "github.com/psyx-lab/psyx/model"

// Key is what the participant pressed.
type Key byte

// The keys: F chooses the left image, J the right one; a blank is a
// timeout.
const (
	KeyLeft    Key = 'F'
	KeyRight   Key = 'J'
	KeyTimeout Key = ' '
)

// Trial is one checked answer: what was pressed, how fast (to the
// millisecond) and where the two files shown sit in the pack.
type Trial struct {
	Key         Key
	RTms        int64
	Left, Right model.FileRef
}

// RT is the response time in seconds.
func (t Trial) RT() float64 { return float64(t.RTms) / 1000 }

// Pair is the 0-based pair of the pack the trial showed.
func (t Trial) Pair() int { return t.Left.Pair }

// Chosen is the file the participant chose; ok is false on a timeout.
func (t Trial) Chosen() (ref model.FileRef, ok bool) {
	switch t.Key {
	case KeyLeft:
		return t.Left, true
	case KeyRight:
		return t.Right, true
	}
	return model.FileRef{}, false
}

// Response is rcicr's coding of the trial: +1 when the ori image was
// chosen, −1 when the inv image was, 0 on a timeout (never counted as an
// answer).
func (t Trial) Response() int8 {
	ref, ok := t.Chosen()
	switch {
	case !ok:
		return 0
	case ref.Side == model.Ori:
		return 1
	}
	return -1
}
