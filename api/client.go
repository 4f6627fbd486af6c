package api

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/psyx-lab/psyx/model"
)

const (
	maxClientBytes = 2 << 10
	maxClientText  = 512
)

// clientFacts are what the experiment page measures of the participant's
// machine, by kind; other keys are ignored.
var clientFacts = map[string]jsontext.Kind{
	"screen_w": '0', "screen_h": '0', "window_w": '0', "window_h": '0', "dpr": '0', "refresh_hz": '0',
	"touch": '0', "lang": '"', "tz": '"', "user_agent": '"',
}

// parseClient checks the optional "client" object of a start: at most 2 KB,
// numbers and short strings only, and returns the known facts as a JSON
// object (nil when absent).
func parseClient(raw []byte) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) > maxClientBytes {
		return nil, fmt.Errorf("client is larger than %d bytes", maxClientBytes)
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("client is not a JSON object")
	}
	out := []byte{'{'}
	for _, key := range []string{"screen_w", "screen_h", "window_w", "window_h", "dpr", "refresh_hz", "touch", "lang", "tz", "user_agent"} {
		v, ok := obj[key]
		if !ok || string(v) == "null" {
			continue
		}
		kind := clientFacts[key]
		if jsontext.Value(v).Kind() != kind {
			return nil, fmt.Errorf("client.%s is not a %s", key, map[jsontext.Kind]string{'0': "number", '"': "string"}[kind])
		}
		if kind == '0' {
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil || f < 0 || f > 1e6 {
				return nil, fmt.Errorf("client.%s is not a number in [0, 1000000]", key)
			}
			v = strconv.AppendFloat(nil, f, 'f', -1, 64)
		} else {
			text, ok := stringText(v)
			if !ok || len(text) > maxClientText || bytes.IndexByte(text, 0) >= 0 {
				return nil, fmt.Errorf("client.%s is not a string of at most %d bytes", key, maxClientText)
			}
			// Quoted afresh: PostgreSQL's jsonb refuses some escapes JSON allows.
			if v, err = jsontext.AppendQuote(nil, text); err != nil {
				return nil, fmt.Errorf("client.%s is not valid text", key)
			}
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, key...)
		out = append(out, '"', ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// parseEvents checks the optional "events" object of a progress save:
// cumulative counts as non-negative JSON integers. nil when absent.
func parseEvents(raw []byte) (*model.Events, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("events is not a JSON object")
	}
	var ev model.Events
	for key, dst := range map[string]*int{"blur": &ev.Blur, "hidden_ms": &ev.HiddenMS, "resized": &ev.Resized} {
		if _, ok := obj[key]; !ok {
			continue
		}
		n, _, ok := obj.integer(key)
		if !ok || n < 0 {
			return nil, fmt.Errorf("events.%s is not a count", key)
		}
		*dst = n
	}
	return &ev, nil
}
