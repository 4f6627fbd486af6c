package api

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/psyx-lab/psyx/model"
)

const (
	maxRT      = 60 // seconds
	maxRTChars = 20
)

// trial is one checked answer: what was pressed, how fast, and which two
// files of the pack were shown left and right.
type trial struct {
	key         byte // 'F', 'J' or ' ' (timeout)
	rtMS        int64
	left, right model.FileRef
}

// answerList is a checked list of answers: the trials and the same list as
// normalised JSON, the form that is stored (rt rounded to the millisecond,
// no spaces).
type answerList struct {
	trials []trial
	json   []byte
}

// parseAnswers reads raw (a JSON array, valid JSON) as [key, rt, left,
// right] entries naming files of pack; at most max entries. It checks each
// entry's shape and values; which pairs may stand where is the caller's.
func parseAnswers(raw []byte, pack *model.PackFiles, max int) (*answerList, error) {
	d := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(d)
	d.Reset(bytes.NewBuffer(raw))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, errors.New("answers is not an array")
	}
	list := &answerList{json: make([]byte, 0, len(raw)), trials: make([]trial, 0, min(max, 512))}
	list.json = append(list.json, '[')
	for d.PeekKind() != ']' {
		n := len(list.trials) + 1
		if n > max {
			return nil, fmt.Errorf("answers has more entries than the pack's %d pairs", max)
		}
		t, err := readAnswer(d, pack)
		if err != nil {
			return nil, fmt.Errorf("answer %d: %w", n, err)
		}
		if n > 1 {
			list.json = append(list.json, ',')
		}
		list.json = t.appendJSON(list.json, pack)
		list.trials = append(list.trials, t)
	}
	list.json = append(list.json, ']')
	return list, nil
}

var errAnswerShape = errors.New("not [key, rt, left, right]")

// readAnswer reads one [key, rt, left, right].
func readAnswer(d *jsontext.Decoder, pack *model.PackFiles) (trial, error) {
	var t trial
	if d.PeekKind() != '[' {
		return t, errAnswerShape
	}
	if _, err := d.ReadToken(); err != nil {
		return t, errAnswerShape
	}
	var parts [4]jsontext.Value
	for i := range parts {
		if d.PeekKind() == ']' {
			return t, errAnswerShape
		}
		v, err := d.ReadValue()
		if err != nil {
			return t, errAnswerShape
		}
		parts[i] = v
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != ']' {
		return t, errAnswerShape
	}
	key, ok := stringText(parts[0])
	if !ok || len(key) != 1 || (key[0] != 'F' && key[0] != 'J' && key[0] != ' ') {
		return t, errors.New(`key is not "F", "J" or " "`)
	}
	t.key = key[0]
	ms, err := parseRT(parts[1])
	if err != nil {
		return t, err
	}
	t.rtMS = ms
	left, okL := stringText(parts[2])
	right, okR := stringText(parts[3])
	if !okL || !okR {
		return t, errors.New("file names are not strings")
	}
	l, okL := pack.File(left)
	r, okR := pack.File(right)
	if !okL || !okR || l.Pair != r.Pair || l.Side == r.Side {
		return t, errors.New("the two files are not a pair of this pack")
	}
	t.left, t.right = l, r
	return t, nil
}

// parseRT reads a response time: a plain JSON number (no exponent) of at
// most 20 characters, in [0, 60] seconds, rounded to the millisecond. The
// limits keep a number from overflowing PostgreSQL's numeric or bloating
// every later download with thousands of digits.
func parseRT(v jsontext.Value) (int64, error) {
	if v.Kind() != '0' {
		return 0, errors.New("rt is not a number")
	}
	if len(v) > maxRTChars || bytes.ContainsAny(v, "eE") {
		return 0, fmt.Errorf("rt is not a plain number of at most %d characters", maxRTChars)
	}
	s, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(s) || s < 0 || s > maxRT {
		return 0, fmt.Errorf("rt is not a number of seconds in [0, %d]", maxRT)
	}
	return int64(math.Round(s * 1000)), nil
}

// appendJSON appends t as it is stored: ["F",0.734,"left","right"]. The
// file names are the pack's own, which hold no character JSON escapes.
func (t trial) appendJSON(b []byte, pack *model.PackFiles) []byte {
	b = append(b, '[', '"', t.key, '"', ',')
	b = strconv.AppendFloat(b, float64(t.rtMS)/1000, 'f', -1, 64)
	b = append(b, ',', '"')
	b = append(b, pack.Pairs[t.left.Pair][t.left.Side]...)
	b = append(b, '"', ',', '"')
	b = append(b, pack.Pairs[t.right.Pair][t.right.Side]...)
	return append(b, '"', ']')
}

// eachPairOnce checks that the trials answer every pair of the pack once.
func (l *answerList) eachPairOnce(pairs int) error {
	seen := make([]bool, pairs)
	for i, t := range l.trials {
		if seen[t.left.Pair] {
			return fmt.Errorf("answer %d: pair answered twice", i+1)
		}
		seen[t.left.Pair] = true
	}
	if len(l.trials) != pairs {
		return fmt.Errorf("answers has %d entries, the pack has %d pairs", len(l.trials), pairs)
	}
	return nil
}

// asServed checks that trial i showed the files of the run's trial i on
// the same sides, for every trial given.
func (l *answerList) asServed(served *model.Served) error {
	if len(l.trials) > len(served.Order) {
		return fmt.Errorf("answers has %d entries, the run served %d trials", len(l.trials), len(served.Order))
	}
	for i, t := range l.trials {
		if left, right := served.Trial(i); t.left != left || t.right != right {
			return fmt.Errorf("answer %d: not the pair shown at trial %d, or not on the sides it was shown", i+1, i+1)
		}
	}
	return nil
}
