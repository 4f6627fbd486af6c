package api

import (
	"encoding/json"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/psyx-lab/psyx/store"
)

var fuzzRules = Rules{Name: regexp.MustCompile(`^[가-힣]{2,}$`), Phone: regexp.MustCompile(`^\d{3}-\d{4}-\d{4}$`)}

// Whatever a participant's browser sends, decoding never panics, and what
// it accepts obeys every rule of the SPEC.
func FuzzParticipant(f *testing.F) {
	for _, s := range []string{
		`{"name":"홍길동","email":"a@b.co","no":"1","sex":1,"age":25,"phone":"010-1234-5678"}`,
		`{"name":"홍길동","email":"a@b.co","no":"1","sex":"1","age":25.0,"phone":"010-1234-5678"}`,
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
			if e, ok := err.(*InputError); !ok || e.Msg == "" || !utf8.ValidString(e.Msg) {
				t.Fatalf("error %v (%T) is not a readable InputError", err, err)
			}
			return
		}
		if (p.Sex != 1 && p.Sex != 2) || p.Age < 0 || p.Age > 120 ||
			utf8.RuneCountInString(p.Name) >= 64 || utf8.RuneCountInString(p.Email) >= 48 || len(p.No) >= 20 ||
			!fuzzRules.Name.MatchString(p.Name) || !emailRE.MatchString(p.Email) || !fuzzRules.Phone.MatchString(p.Phone) {
			t.Fatalf("accepted %+v from %q", p, body)
		}
	})
}

// Accepted answers are exactly one per pair, each a real pair of the pack.
func FuzzCheckAnswers(f *testing.F) {
	pairs := []store.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}}
	for _, s := range []string{
		`[["F",0.5,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",3,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[[" ",3,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1e-3,"x_00001_inv.jpg","x_00001_ori.jpg"]]`,
		`[["F",-0,"x_00001_ori.jpg","x_00001_ori.jpg"],["J",60,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e400,"a","b"]]`, `{}`, `[[]]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return // the body decoder has rejected it already
		}
		if checkAnswers(raw, pairs) != nil {
			return
		}
		var got [][]any
		if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(pairs) {
			t.Fatalf("accepted %s", raw)
		}
		seen := map[string]bool{}
		for _, a := range got {
			key, _ := a[0].(string)
			rt, isNum := a[1].(float64)
			l, _ := a[2].(string)
			r, _ := a[3].(string)
			if (key != "F" && key != "J" && key != " ") || !isNum || rt < 0 || rt > 60 || l == r || seen[l] || seen[r] {
				t.Fatalf("accepted %s", raw)
			}
			seen[l], seen[r] = true, true
		}
		if len(seen) != 4 {
			t.Fatalf("accepted %s", raw)
		}
	})
}
