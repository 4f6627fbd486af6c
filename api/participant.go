package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Rules are the participant checks; name and phone differ between labs.
type Rules struct {
	Name  *regexp.Regexp
	Phone *regexp.Regexp
}

var (
	emailRE   = regexp.MustCompile(`^[A-Za-z0-9]+[A-Za-z0-9.+_-]*@[A-Za-z0-9._-]+\.[a-zA-Z0-9]+$`)
	numberRE  = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	jsonIntRE = regexp.MustCompile(`^-?[0-9]{1,9}$`)
)

// Participant is the personal part of start and submit.
type Participant struct {
	Name  string
	Email string
	No    string
	Sex   int
	Age   int
	Phone string
}

// fields is a JSON object kept raw, so each field's type can be checked
// exactly ("25" and 25.5 are not ages).
type fields map[string]json.RawMessage

// decodeObject reads one JSON object and nothing after it. The fields are
// slices of body, not copies; a repeated key keeps its last value.
func decodeObject(body []byte) (fields, error) {
	if !json.Valid(body) {
		return nil, errors.New("body is not valid JSON")
	}
	s := scanner{b: body}
	if !s.expect('{') {
		return nil, errors.New("body is not a JSON object")
	}
	f := fields{}
	if s.expect('}') {
		return f, nil
	}
	for {
		rawKey, _ := s.value()
		key, _ := stringText(rawKey)
		if !utf8.Valid(key) {
			// Name it as encoding/json would (U+FFFD); no field of ours matches.
			var k string
			json.Unmarshal(rawKey, &k)
			key = []byte(k)
		}
		s.expect(':')
		raw, _ := s.value()
		f[string(key)] = raw
		if !s.expect(',') {
			break
		}
	}
	return f, nil
}

// str returns a JSON string field; ok is false when missing or not a string.
func (f fields) str(key string) (v string, ok bool) {
	raw, present := f[key]
	if !present {
		return "", false
	}
	text, ok := stringText(raw)
	// PostgreSQL text holds neither NUL nor invalid UTF-8, whatever
	// pattern a lab configures.
	if !ok || !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0 {
		return string(raw), false
	}
	return string(text), true
}

// integer returns a field written as a JSON integer literal.
func (f fields) integer(key string) (int, string, bool) {
	raw := string(bytes.TrimSpace(f[key]))
	if !jsonIntRE.MatchString(raw) {
		return 0, raw, false
	}
	n, err := strconv.Atoi(raw)
	return n, raw, err == nil
}

// participant checks the six personal fields in the SPEC's order.
func (r Rules) participant(f fields) (Participant, error) {
	var p Participant
	var ok bool
	p.Name, ok = f.str("name")
	if !ok || utf8.RuneCountInString(p.Name) >= 64 || !r.Name.MatchString(p.Name) {
		return p, fieldErr("Invalid Name", p.Name)
	}
	p.Email, ok = f.str("email")
	if !ok || utf8.RuneCountInString(p.Email) >= 48 || !emailRE.MatchString(p.Email) {
		return p, fieldErr("Invalid Email Address", p.Email)
	}
	sex, raw, ok := f.integer("sex")
	if !ok || (sex != 1 && sex != 2) {
		return p, fieldErr("Invalid Sex", raw)
	}
	p.Sex = sex
	age, raw, ok := f.integer("age")
	if !ok || age < 0 || age > 120 {
		return p, fieldErr("Invalid Age", raw)
	}
	p.Age = age
	p.No, ok = f.str("no")
	if !ok || utf8.RuneCountInString(p.No) >= 20 || !numberRE.MatchString(p.No) {
		return p, fieldErr("Invalid ExperimentNo.", p.No)
	}
	p.Phone, ok = f.str("phone")
	if !ok || !r.Phone.MatchString(p.Phone) {
		return p, fieldErr("Invalid Phone Number", p.Phone)
	}
	return p, nil
}

// fieldErr echoes the value to the person who typed it, but the log only
// learns which field was wrong: these values are personal data.
func fieldErr(label, value string) error {
	const maxEcho = 64
	if utf8.RuneCountInString(value) > maxEcho {
		value = string([]rune(value)[:maxEcho]) + "…"
	}
	if !utf8.ValidString(value) {
		value = strconv.Quote(value)
	}
	return &InputError{Msg: label + ": " + value, LogMsg: label}
}
