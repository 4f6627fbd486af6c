package api

import (
	"bytes"
	"encoding/json"
	"errors"
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

// The one-pass answer scanner agrees with a plain encoding/json reading of
// the same rules, on every input.
func FuzzCheckAnswers(f *testing.F) {
	pairs := []store.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}}
	for _, s := range []string{
		`[["F",0.5,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",3,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[[" ",3,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1e-3,"x_00001_inv.jpg","x_00001_ori.jpg"]]`,
		`[["F",-0,"x_00001_ori.jpg","x_00001_ori.jpg"],["J",60,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["\u0046",1,"x_0000\u0031_ori.jpg","x_00001_inv.jpg"],["J",0,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		` [ [ "F" , 1 , "x_00001_ori.jpg" , "x_00001_inv.jpg" ] , ["J",2E1,"x_00002_inv.jpg","x_00002_ori.jpg"] ] `,
		`[["F",1e400,"a","b"]]`, `{}`, `[[]]`, `null`, `[["F",[1],"a","b"]]`, `[["F",1,"a","b","c"]]`,
	} {
		f.Add([]byte(s))
	}
	idx := indexPairs(pairs)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return // decodeObject rejects the body before answers are looked at
		}
		got := checkAnswers(raw, idx) == nil
		want := referenceCheck(raw, pairs) == nil
		if got != want {
			t.Fatalf("scanner accepts=%v, encoding/json accepts=%v for %s", got, want, raw)
		}
	})
}

// referenceCheck is the rules read with encoding/json, slowly and plainly.
func referenceCheck(raw []byte, pairs []store.Pair) error {
	var items [][]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil || len(items) != len(pairs) {
		return errors.New("shape")
	}
	files := map[string][2]int{}
	for i, p := range pairs {
		files[p[0]] = [2]int{i, 0}
		files[p[1]] = [2]int{i, 1}
	}
	seen := map[int]bool{}
	for _, a := range items {
		if len(a) != 4 {
			return errors.New("item")
		}
		var key, left, right string
		var rt float64
		if json.Unmarshal(a[0], &key) != nil || (key != "F" && key != "J" && key != " ") {
			return errors.New("key")
		}
		if a[1][0] == '"' || json.Unmarshal(a[1], &rt) != nil || rt < 0 || rt > 60 {
			return errors.New("rt")
		}
		if json.Unmarshal(a[2], &left) != nil || json.Unmarshal(a[3], &right) != nil {
			return errors.New("files")
		}
		l, okL := files[left]
		r, okR := files[right]
		if !okL || !okR || l[0] != r[0] || l[1] == r[1] || seen[l[0]] {
			return errors.New("pair")
		}
		seen[l[0]] = true
	}
	return nil
}

// decodeObject's scanner finds the same fields as encoding/json.
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
