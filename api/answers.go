package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/psyx-lab/psyx/store"
)

const maxRT = 60

// pairIndex maps every file of a pack to its pair number (0-based) and side.
type pairIndex map[string]struct{ pair, side int }

func indexPairs(pairs []store.Pair) pairIndex {
	idx := make(pairIndex, 2*len(pairs))
	for i, p := range pairs {
		idx[p[0]] = struct{ pair, side int }{i, 0}
		idx[p[1]] = struct{ pair, side int }{i, 1}
	}
	return idx
}

// checkAnswers validates a reply's answers against its pack: exactly one
// answer per pair, each naming both files of that pair once. raw is valid
// JSON (decodeObject checked the whole body); one scan checks its shape.
func checkAnswers(raw json.RawMessage, idx pairIndex) error {
	s := scanner{b: raw}
	if !s.expect('[') {
		return errors.New("answers is not an array")
	}
	pairs := len(idx) / 2
	seen := make([]bool, pairs)
	n := 0
	for !s.expect(']') {
		if n > 0 && !s.expect(',') {
			return errors.New("answers is not an array") // unreachable for valid JSON
		}
		n++
		if n > pairs {
			return fmt.Errorf("answers has more entries than the pack's %d pairs", pairs)
		}
		left, right, err := checkAnswer(&s)
		if err != nil {
			return fmt.Errorf("answer %d: %w", n, err)
		}
		l, okL := idx[string(left)]
		r, okR := idx[string(right)]
		if !okL || !okR || l.pair != r.pair || l.side == r.side {
			return fmt.Errorf("answer %d: the two files are not a pair of this pack", n)
		}
		if seen[l.pair] {
			return fmt.Errorf("answer %d: pair answered twice", n)
		}
		seen[l.pair] = true
	}
	if n != pairs {
		return fmt.Errorf("answers has %d entries, the pack has %d pairs", n, pairs)
	}
	return nil
}

var errAnswerShape = errors.New("not [key, rt, left, right]")

// checkAnswer reads one [key, rt, left, right] and returns the file names.
func checkAnswer(s *scanner) (left, right []byte, err error) {
	if s.peek() != '[' {
		return nil, nil, errAnswerShape
	}
	s.i++
	var parts [4][]byte
	var kinds [4]byte
	for k := range parts {
		if k > 0 && !s.expect(',') {
			return nil, nil, errAnswerShape
		}
		if s.peek() == ']' {
			return nil, nil, errAnswerShape
		}
		parts[k], kinds[k] = s.value()
	}
	if !s.expect(']') {
		return nil, nil, errAnswerShape
	}
	key, ok := stringText(parts[0])
	if kinds[0] != kindString || !ok || len(key) != 1 || (key[0] != 'F' && key[0] != 'J' && key[0] != ' ') {
		return nil, nil, errors.New(`key is not "F", "J" or " "`)
	}
	if kinds[1] != kindNumber {
		return nil, nil, errors.New("rt is not a number")
	}
	v, err := strconv.ParseFloat(string(parts[1]), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > maxRT {
		return nil, nil, fmt.Errorf("rt is not a number of seconds in [0, %d]", maxRT)
	}
	if kinds[2] != kindString || kinds[3] != kindString {
		return nil, nil, errors.New("file names are not strings")
	}
	left, _ = stringText(parts[2])
	right, _ = stringText(parts[3])
	return left, right, nil
}
