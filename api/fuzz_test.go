package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/psyx-lab/psyx/model"
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
			var e *model.Error
			if !errors.As(err, &e) || e.Code != model.Invalid || e.Message == "" || !utf8.ValidString(e.Message) {
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

// The answer reader agrees with a plain encoding/json reading of the same
// rules, on every input.
func FuzzParseAnswers(f *testing.F) {
	pairs := []model.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}}
	for _, s := range []string{
		`[["F",0.5,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",3,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[[" ",3,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",0.001,"x_00001_inv.jpg","x_00001_ori.jpg"]]`,
		`[["F",-0,"x_00001_ori.jpg","x_00001_ori.jpg"],["J",60,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["\u0046",1,"x_0000\u0031_ori.jpg","x_00001_inv.jpg"],["J",0,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		` [ [ "F" , 1 , "x_00001_ori.jpg" , "x_00001_inv.jpg" ] , ["J",2E1,"x_00002_inv.jpg","x_00002_ori.jpg"] ] `,
		// rt values that once overflowed PostgreSQL's numeric or bloated downloads
		`[["F",0e99999999999,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e-16384,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e-16383,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",0.` + strings.Repeat("0", 17000) + `,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1.23456789012345678,"x_00001_ori.jpg","x_00001_inv.jpg"],["J",1,"x_00002_inv.jpg","x_00002_ori.jpg"]]`,
		`[["F",1e400,"a","b"]]`, `{}`, `[[]]`, `null`, `[["F",[1],"a","b"]]`, `[["F",1,"a","b","c"]]`,
	} {
		f.Add([]byte(s))
	}
	pack := model.NewPackFiles(model.Pack{ID: 1, Size: len(pairs)}, pairs)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) || !utf8.Valid(raw) {
			return // decodeObject rejects the body before answers are looked at
		}
		list, err := parseAnswers(raw, pack, len(pairs))
		if err == nil {
			err = list.eachPairOnce(len(pairs))
		}
		want := referenceCheck(raw, pairs)
		if (err == nil) != (want == nil) {
			t.Fatalf("parseAnswers err=%v, encoding/json err=%v for %s", err, want, raw)
		}
		if err != nil {
			return
		}
		// What is stored reads back as the same answers, rt rounded to the millisecond.
		var stored, sent [][4]any
		if json.Unmarshal(list.json, &stored) != nil || json.Unmarshal(raw, &sent) != nil || len(stored) != len(sent) {
			t.Fatalf("stored %s from %s", list.json, raw)
		}
		for i := range sent {
			rt := sent[i][1].(float64)
			if stored[i][0] != sent[i][0] || stored[i][2] != sent[i][2] || stored[i][3] != sent[i][3] ||
				stored[i][1].(float64) != float64(int64(rt*1000+0.5))/1000 && stored[i][1].(float64) != float64(int64(rt*1000))/1000 {
				t.Fatalf("answer %d stored as %v from %v", i, stored[i], sent[i])
			}
		}
	})
}

// referenceCheck is the rules read with encoding/json, slowly and plainly.
func referenceCheck(raw []byte, pairs []model.Pair) error {
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
		num := bytes.TrimSpace(a[1])
		if num[0] == '"' || len(num) > 20 || bytes.ContainsAny(num, "eE") || json.Unmarshal(num, &rt) != nil || rt < 0 || rt > 60 {
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
