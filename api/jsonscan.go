package api

import (
	"bytes"
	"encoding/json"
)

// scanner walks JSON text that json.Valid has already accepted. Validity is
// given, so it only has to find where each value starts and ends and what
// kind it is: one light pass instead of encoding/json's reflection, which
// was most of a submit's CPU (docs/PERFORMANCE.md).
type scanner struct {
	b []byte
	i int
}

// Kinds of value, by their first byte.
const (
	kindString = '"'
	kindNumber = '0'
	kindArray  = '['
	kindObject = '{'
	kindOther  = 'l' // true, false, null
)

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// value skips one value and returns its bytes and kind.
func (s *scanner) value() (raw []byte, kind byte) {
	s.ws()
	start := s.i
	switch c := s.b[s.i]; {
	case c == '"':
		s.skipString()
		kind = kindString
	case c == '[' || c == '{':
		s.skipNested()
		kind = c
	case c == '-' || (c >= '0' && c <= '9'):
		for s.i < len(s.b) && bytes.IndexByte([]byte("+-.0123456789eE"), s.b[s.i]) >= 0 {
			s.i++
		}
		kind = kindNumber
	default:
		for s.i < len(s.b) && s.b[s.i] >= 'a' && s.b[s.i] <= 'z' {
			s.i++
		}
		kind = kindOther
	}
	return s.b[start:s.i], kind
}

func (s *scanner) skipString() {
	s.i++ // opening quote
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	s.i++
}

func (s *scanner) skipNested() {
	depth := 0
	for {
		switch s.b[s.i] {
		case '"':
			s.skipString()
			continue
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		s.i++
		if depth == 0 {
			return
		}
	}
}

// expect consumes c if it is next.
func (s *scanner) expect(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.i++
	return true
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
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}
