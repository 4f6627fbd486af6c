package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/psyx-lab/psyx/store"
)

// Answer is one trial: key, reaction time, and the two files as shown.
type Answer struct {
	Key   string
	RT    float64
	Left  string
	Right string
}

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
// answer per pair, each naming both files of that pair once.
func checkAnswers(raw json.RawMessage, pairs []store.Pair) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return errors.New("answers is not an array")
	}
	if len(items) != len(pairs) {
		return fmt.Errorf("answers has %d entries, the pack has %d pairs", len(items), len(pairs))
	}
	idx := indexPairs(pairs)
	seen := make([]bool, len(pairs))
	for i, item := range items {
		a, err := parseAnswer(item)
		if err != nil {
			return fmt.Errorf("answer %d: %w", i+1, err)
		}
		l, okL := idx[a.Left]
		r, okR := idx[a.Right]
		if !okL || !okR || l.pair != r.pair || l.side == r.side {
			return fmt.Errorf("answer %d: the two files are not a pair of this pack", i+1)
		}
		if seen[l.pair] {
			return fmt.Errorf("answer %d: pair answered twice", i+1)
		}
		seen[l.pair] = true
	}
	return nil
}

func parseAnswer(raw json.RawMessage) (Answer, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 4 {
		return Answer{}, errors.New("not [key, rt, left, right]")
	}
	var a Answer
	if err := json.Unmarshal(parts[0], &a.Key); err != nil || (a.Key != "F" && a.Key != "J" && a.Key != " ") {
		return Answer{}, errors.New(`key is not "F", "J" or " "`)
	}
	rt := bytes.TrimSpace(parts[1])
	if len(rt) == 0 || rt[0] == '"' {
		return Answer{}, errors.New("rt is not a number")
	}
	v, err := strconv.ParseFloat(string(rt), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > maxRT {
		return Answer{}, fmt.Errorf("rt is not a number of seconds in [0, %d]", maxRT)
	}
	a.RT = v
	if json.Unmarshal(parts[2], &a.Left) != nil || json.Unmarshal(parts[3], &a.Right) != nil {
		return Answer{}, errors.New("file names are not strings")
	}
	return a, nil
}
