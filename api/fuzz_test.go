package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzRules = Rules{Name: regexp.MustCompile(`^[가-힣]{2,}$`), Phone: regexp.MustCompile(`^\d{3}-\d{4}-\d{4}$`), PhoneFormat: "###-####-####"}

// Whatever a participant's browser sends, decoding never panics, and what
// it accepts obeys every rule of the personal fields.
func FuzzParticipant(f *testing.F) {
	for _, s := range []string{
		`{"name":"홍길동","email":"a@b.co","no":"1","sex":1,"age":25,"phone":"010-1234-5678"}`,
		`{"name":"홍길동","email":"a@b.co","no":"1","sex":"1","age":25.0,"phone":"010-1234-5678"}`,
		`{"name":"홍길동","email":"a@b.co","no":"1","sex":2,"age":25,"phone":"010 1234 5678"}`,
		`{"sex":1e309,"age":-0}`, `[]`, `null`, `{"name":"\ud800"}`, `{} {}`, `{"a":[[[[[[[]]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fields, err := decodeObject(body)
		if err != nil {
			return
		}
		p, err := fuzzRules.participant(fields)
		if err != nil {
			msg, ok := Message(err)
			if !ok || msg == "" || !utf8.ValidString(msg) {
				t.Fatalf("error %v (%T) is not a readable input error", err, err)
			}
			return
		}
		if (p.Sex != 1 && p.Sex != 2) || p.Age < 0 || p.Age > 120 ||
			utf8.RuneCountInString(p.Name) >= 64 || utf8.RuneCountInString(p.Email) >= 48 || len(p.No) >= 20 ||
			!fuzzRules.Name.MatchString(p.Name) || !emailRE.MatchString(p.Email) || !fuzzRules.Phone.MatchString(p.Phone) ||
			strings.ContainsRune(p.Name+p.Email+p.No+p.Phone, 0) {
			t.Fatalf("accepted %+v from %q", p, body)
		}
	})
}

// jsontext is stricter than encoding/json in one way only: text must be
// valid UTF-8 and \u escapes valid UTF-16.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// decodeObject finds the same fields as encoding/json.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x","a":[1,{"c":"]"}]}`, `{"n\u0061me":"홍\"길동"}`, `{}`, ` { "a" : true } `, `[]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeObject(body)
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(body, &want)
		if wantErr == nil && want == nil {
			wantErr = errors.New("null")
		}
		if err != nil && wantErr == nil && (!utf8.Valid(body) || surrogateEscape.Match(body)) {
			return
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeObject err=%v, encoding/json err=%v for %q", err, wantErr, body)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d fields, encoding/json %d, for %q", len(got), len(want), body)
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
				t.Fatalf("field %q: %q, encoding/json %q", k, got[k], v)
			}
		}
	})
}
