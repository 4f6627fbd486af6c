package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// trials reads a stored reply's answers ([key, rt, left, right] each) as
// the trials results counts: which pair, which side was chosen, which key,
// how fast.
func trials(pack *model.PackFiles, answers []byte) ([]results.Trial, error) {
	d := jsontext.NewDecoder(bytes.NewBuffer(answers))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, fmt.Errorf("answers are not an array")
	}
	var out []results.Trial
	for d.PeekKind() == '[' {
		var v [4]string
		if _, err := d.ReadToken(); err != nil {
			return nil, err
		}
		for i := range v {
			tok, err := d.ReadToken()
			if err != nil {
				return nil, fmt.Errorf("answer %d: %w", len(out)+1, err)
			}
			v[i] = tok.String()
		}
		if _, err := d.ReadToken(); err != nil {
			return nil, fmt.Errorf("answer %d: %w", len(out)+1, err)
		}
		t, err := trial(pack, v)
		if err != nil {
			return nil, fmt.Errorf("answer %d: %w", len(out)+1, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func trial(pack *model.PackFiles, v [4]string) (results.Trial, error) {
	left, okL := pack.File([]byte(v[2]))
	right, okR := pack.File([]byte(v[3]))
	if !okL || !okR || left.Pair != right.Pair {
		return results.Trial{}, fmt.Errorf("not a pair of pack %d", pack.ID)
	}
	rt, err := strconv.ParseFloat(v[1], 64)
	if err != nil {
		return results.Trial{}, fmt.Errorf("rt %q: %w", v[1], err)
	}
	t := results.Trial{Pair: left.Pair, Left: v[0] == "F", RT: rt}
	chosen := left
	switch v[0] {
	case "F":
	case "J":
		chosen = right
	default:
		return t, nil // a timeout
	}
	t.Response = 1
	if chosen.Side == model.Inv {
		t.Response = -1
	}
	return t, nil
}

// events reads a reply's stored event counts.
func events(raw []byte) results.Events {
	var ev model.Events
	json.Unmarshal(raw, &ev) // stored by the API: an object of counts, or {}
	return results.Events{Blur: ev.Blur, HiddenMS: ev.HiddenMS, Resized: ev.Resized}
}
