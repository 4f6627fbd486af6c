package trials

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/psyx-lab/psyx/model"
)

// List is a checked list of answers: the trials, and the same list as
// normalised JSON, the form that is stored and compared (rt rounded to the
// millisecond, no spaces).
type List struct {
	Trials []Trial
	JSON   []byte
}

// decoders are reused: a decoder keeps its state buffers between calls.
var decoders = sync.Pool{New: func() any { return new(jsontext.Decoder) }}

// Parse reads raw (valid JSON, as the API's body decoder returns it) as a
// JSON array of at most max [key, rt, left, right] entries naming files of
// pack. It checks each entry's shape and values; which pairs may stand
// where is for EachPairOnce and AsServed. Failures are *model.Error.
func Parse(raw []byte, pack *model.PackFiles, max int) (*List, error) {
	d := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(d)
	d.Reset(bytes.NewBuffer(raw))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, model.Fail(NotAnArray)
	}
	l := &List{JSON: make([]byte, 0, len(raw)), Trials: make([]Trial, 0, min(max, 512))}
	l.JSON = append(l.JSON, '[')
	for d.PeekKind() != ']' {
		n := len(l.Trials) + 1
		if n > max {
			return nil, model.Fail(TooManyAnswers, max)
		}
		t, reason := readTrial(d, pack)
		if reason != "" {
			return nil, failAt(reason, n)
		}
		if n > 1 {
			l.JSON = append(l.JSON, ',')
		}
		l.JSON = AppendJSON(l.JSON, t, pack)
		l.Trials = append(l.Trials, t)
	}
	if _, err := d.ReadToken(); err != nil {
		return nil, model.Fail(NotAnArray)
	}
	l.JSON = append(l.JSON, ']')
	return l, nil
}

// failAt is reason at trial n, with the limit its message names.
func failAt(reason model.Reason, n int) *model.Error {
	switch reason {
	case RTTooLong:
		return model.Fail(reason, n, MaxRTChars)
	case RTOutOfRange:
		return model.Fail(reason, n, MaxRT)
	}
	return model.Fail(reason, n)
}

// Decode reads answers as the database keeps them (what Parse made, as
// PostgreSQL prints it). A stored list that does not parse is our fault,
// not the reader's: the error is a plain one.
func Decode(stored []byte, pack *model.PackFiles) ([]Trial, error) {
	l, err := Parse(stored, pack, len(pack.Pairs))
	if err != nil {
		return nil, fmt.Errorf("stored answers of pack %d: %v", pack.ID, err)
	}
	return l.Trials, nil
}

// readTrial reads one [key, rt, left, right]; a failure is its reason.
func readTrial(d *jsontext.Decoder, pack *model.PackFiles) (Trial, model.Reason) {
	var t Trial
	if d.PeekKind() != '[' {
		return t, BadShape
	}
	if _, err := d.ReadToken(); err != nil {
		return t, BadShape
	}
	var parts [4]jsontext.Value
	for i := range parts {
		if d.PeekKind() == ']' {
			return t, BadShape
		}
		v, err := d.ReadValue()
		if err != nil {
			return t, BadShape
		}
		parts[i] = v
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != ']' {
		return t, BadShape
	}
	key, ok := stringText(parts[0])
	if !ok || len(key) != 1 || (Key(key[0]) != KeyLeft && Key(key[0]) != KeyRight && Key(key[0]) != KeyTimeout) {
		return t, BadKey
	}
	t.Key = Key(key[0])
	ms, reason := parseRT(parts[1])
	if reason != "" {
		return t, reason
	}
	t.RTms = ms
	left, okL := stringText(parts[2])
	right, okR := stringText(parts[3])
	if !okL || !okR {
		return t, FilesNotStrings
	}
	l, okL := pack.File(left)
	r, okR := pack.File(right)
	if !okL || !okR || l.Pair != r.Pair || l.Side == r.Side {
		return t, NotAPair
	}
	t.Left, t.Right = l, r
	return t, ""
}

// parseRT reads a response time: a plain JSON number (no exponent) of at
// most MaxRTChars characters, in [0, MaxRT] seconds, rounded to the
// millisecond.
func parseRT(v jsontext.Value) (int64, model.Reason) {
	if v.Kind() != '0' {
		return 0, RTNotANumber
	}
	if len(v) > MaxRTChars || bytes.ContainsAny(v, "eE") {
		return 0, RTTooLong
	}
	s, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(s) || s < 0 || s > MaxRT {
		return 0, RTOutOfRange
	}
	return int64(math.Round(s * 1000)), ""
}

// stringText is the content of a JSON string value: the bytes in place
// when it has no escapes, else decoded.
func stringText(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	s, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return nil, false
	}
	return s, true
}
