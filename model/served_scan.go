package model

// scanServed reads a served order as the server stores it and PostgreSQL
// gives it back, [["left", "right"], ...] with file names that need no
// escaping, without encoding/json: decoding it into strings was a third of
// a submit's CPU. Only the left file is looked up, as DecodeServed does.
// ok is false for anything else (an escape, another shape, an unknown
// file): DecodeServed then reads it the slow way, with its errors.
func scanServed(pack *PackFiles, raw []byte) (order []int32, ok bool) {
	s := served{b: raw}
	if !s.byte('[') {
		return nil, false
	}
	order = make([]int32, 0, len(pack.Pairs))
	if s.byte(']') {
		return order, s.end()
	}
	for {
		if !s.byte('[') {
			return nil, false
		}
		left, ok := s.str()
		if !ok || !s.byte(',') {
			return nil, false
		}
		if _, ok := s.str(); !ok || !s.byte(']') {
			return nil, false
		}
		ref, ok := pack.File(left)
		if !ok {
			return nil, false
		}
		order = append(order, int32(ref.Pair<<1|ref.Side))
		if s.byte(']') {
			return order, s.end()
		}
		if !s.byte(',') {
			return nil, false
		}
	}
}

// served is a cursor over a served order's JSON.
type served struct {
	b []byte
	i int
}

func (s *served) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

// byte consumes c after any white space.
func (s *served) byte(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str is a string without escapes or control characters.
func (s *served) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		s.i++
	}
	return nil, false
}

func (s *served) end() bool {
	s.space()
	return s.i == len(s.b)
}
