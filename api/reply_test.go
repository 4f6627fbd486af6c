package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

// with is person() with these keys set (key, value, key, value…); a nil
// value leaves its key out.
func with(kv ...any) map[string]any {
	p := person()
	for i := 0; i+1 < len(kv); i += 2 {
		if key := kv[i].(string); kv[i+1] == nil {
			delete(p, key)
		} else {
			p[key] = kv[i+1]
		}
	}
	return p
}

func TestStartRejects(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.createPack(t, "female20s", 2, 20, 29)
	tests := []struct {
		name string
		body any
		want string
	}{
		{"not json", "{name:", "Invalid Input: "},
		{"array", "[1,2]", "Invalid Input: "},
		{"null", "null", "Invalid Input: "},
		{"two objects", `{"a":1} {"b":2}`, "Invalid Input: "},
		{"empty", "", "Invalid Input: "},
		{"name missing", with("name", nil), "Invalid Name: "},
		{"name latin", with("name", "Hong"), "Invalid Name: Hong"},
		{"name one syllable", with("name", "홍"), "Invalid Name: 홍"},
		{"name 64 long", with("name", strings.Repeat("가", 64)), "Invalid Name: "},
		{"name a number", with("name", 12), "Invalid Name: 12"},
		{"email no at", with("email", "hong.example.com"), "Invalid Email Address: hong.example.com"},
		{"email 48 long", with("email", strings.Repeat("a", 36)+"@example.com"), "Invalid Email Address: "},
		{"email leading dot", with("email", ".a@b.co"), "Invalid Email Address: .a@b.co"},
		{"sex string", with("sex", "2"), `Invalid Sex: "2"`},
		{"sex 3", with("sex", 3), "Invalid Sex: 3"},
		{"sex float", `{"name":"홍길동","email":"a@b.co","sex":2.0,"age":25,"no":"1","phone":"010-1234-5678"}`, "Invalid Sex: 2.0"},
		{"sex exponent", `{"name":"홍길동","email":"a@b.co","sex":2e0,"age":25,"no":"1","phone":"010-1234-5678"}`, "Invalid Sex: 2e0"},
		{"sex missing", with("sex", nil), "Invalid Sex: "},
		{"age string", with("age", "25"), `Invalid Age: "25"`},
		{"age fraction", with("age", 25.5), "Invalid Age: 25.5"},
		{"age 121", with("age", 121), "Invalid Age: 121"},
		{"age negative", with("age", -1), "Invalid Age: -1"},
		{"age huge", with("age", 1e30), "Invalid Age: 1e+30"},
		{"no with dash", with("no", "2020-1"), "Invalid ExperimentNo.: 2020-1"},
		{"no 20 long", with("no", strings.Repeat("1", 20)), "Invalid ExperimentNo.: "},
		{"no missing", with("no", nil), "Invalid ExperimentNo.: "},
		{"phone too short", with("phone", "0101234567"), "Invalid Phone Number: 0101234567"},
		{"phone with letters", with("phone", "010-1234-567a"), "Invalid Phone Number: 010-1234-567a"},
		{"phone with dots", with("phone", "010.1234.5678"), "Invalid Phone Number: 010.1234.5678"},
		{"phone missing", with("phone", nil), "Invalid Phone Number: "},
		{"token too short", with("token", "abc"), "Invalid Input: token must be 8 to 64 letters, digits or -"},
		{"token with slash", with("token", "abcdefgh/1"), "Invalid Input: token must be 8 to 64 letters, digits or -"},
		{"client not an object", with("client", "big"), "Invalid Input: client is not a JSON object"},
		{"client number as string", with("client", map[string]any{"screen_w": "1920"}), "Invalid Input: client.screen_w is not a number"},
		{"client string as number", with("client", map[string]any{"lang": 7}), "Invalid Input: client.lang is not a string"},
		{"client over 2 KB", with("client", map[string]any{"user_agent": strings.Repeat("x", 2100)}), "Invalid Input: client is larger than 2048 bytes"},
		{"client negative size", with("client", map[string]any{"window_w": -5}), "Invalid Input: client.window_w is not a number in [0, 1000000]"},
		{"no pack fits", with("age", 40), "No Suitable Pack for You"},
		{"no pack for sex", with("sex", 1), "No Suitable Pack for You"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.postJSON(t, "/api/reply/start", tc.body)
			wantPrefix(t, r, http.StatusBadRequest, tc.want)
			if !strings.HasPrefix(tc.want, "Invalid Input") && strings.HasSuffix(tc.want, ": ") == false && r.Body != tc.want {
				t.Errorf("body %q, want exactly %q", r.Body, tc.want)
			}
		})
	}
}

// Digits typed with or without dashes or spaces are stored in the configured
// form, on start and on submit.
func TestPhoneCanonicalForm(t *testing.T) {
	e := newEnv(t, envOptions{})
	id := e.createPack(t, "female20s", 2, 20, 29)
	for i, typed := range []string{"01012345678", "010 1234 5678", "010-1234 5678", " 010-1234-5678"} {
		who := testkit.Person(i, 2, 25)
		who["phone"] = typed
		s := e.start(t, who)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, s.PackID, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	}
	var phones []string
	if err := e.Store.DB().Select(&phones, `SELECT phone FROM reply WHERE p_id = $1 UNION ALL SELECT phone FROM run WHERE p_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if len(phones) != 8 {
		t.Fatalf("%d phones stored, want 4 replies and 4 runs", len(phones))
	}
	for _, p := range phones {
		if p != "010-1234-5678" {
			t.Errorf("stored phone %q, want 010-1234-5678", p)
		}
	}
}

func TestStartPairs(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 40})
	id := e.createPack(t, "female20s", 2, 20, 29)
	e.createPack(t, "female30s", 2, 30, 39)
	sides := map[int]int{}
	orders := map[string]bool{}
	for i := range 5 {
		s := e.start(t, testkit.Person(i, 2, 25))
		if s.PackID != id || s.PackPath != "/packs/female20s" {
			t.Fatalf("matched %d %q", s.PackID, s.PackPath)
		}
		var seen []string
		var order []string
		for i, p := range s.PicPairs {
			m0 := pairFileRE.FindStringSubmatch(p[0])
			m1 := pairFileRE.FindStringSubmatch(p[1])
			if m0 == nil || m1 == nil || m0[1] != m1[1] || m0[2] == m1[2] {
				t.Fatalf("pair %d %v is not one ori and one inv of the same number", i, p)
			}
			if m0[2] == "ori" {
				sides[0]++
			} else {
				sides[1]++
			}
			seen = append(seen, m0[1])
			order = append(order, m0[1])
		}
		orders[strings.Join(order, ",")] = true
		sort.Strings(seen)
		var want []string
		for i := 1; i <= 40; i++ {
			want = append(want, fmt.Sprintf("%05d", i))
		}
		if !reflect.DeepEqual(seen, want) {
			t.Fatalf("pairs shown %v, want each of 1..40 once", seen)
		}
	}
	if sides[0] == 0 || sides[1] == 0 {
		t.Errorf("ori shown left %d times, inv %d times: sides are not mixed", sides[0], sides[1])
	}
	if len(orders) < 2 {
		t.Errorf("5 starts gave the same order")
	}
	// Age bounds are inclusive; a 30-year-old gets the other pack.
	if s := e.start(t, with("age", 29)); s.PackID != id {
		t.Errorf("age 29 matched %d", s.PackID)
	}
	if s := e.start(t, with("age", 30)); s.PackPath != "/packs/female30s" {
		t.Errorf("age 30 matched %s", s.PackPath)
	}
}

var pairFileRE = regexp.MustCompile(`_(\d{5})_(ori|inv)\.jpg$`)

func TestSubmitRejects(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.createPack(t, "female20s", 2, 20, 29)
	male := e.createPack(t, "male20s", 1, 20, 29)
	s := e.start(t, person())
	good := answersFor(s.PicPairs)
	swapped := func(i int, v any) []any {
		out := append([]any(nil), good...)
		a := append([]any(nil), out[i].([]any)...)
		a[0] = v
		out[i] = a
		return out
	}
	setRT := func(v any) []any {
		out := append([]any(nil), good...)
		a := append([]any(nil), out[0].([]any)...)
		a[1] = v
		out[0] = a
		return out
	}
	body := func(edit func(map[string]any)) map[string]any {
		b := submitBody(person(), s.PackID, good, s.Token)
		edit(b)
		return b
	}
	tests := []struct {
		name string
		body any
	}{
		{"not json", "{"},
		{"bad name", body(func(b map[string]any) { b["name"] = "x" })},
		{"age string", body(func(b map[string]any) { b["age"] = "25" })},
		{"p_id missing", body(func(b map[string]any) { delete(b, "p_id") })},
		{"p_id string", body(func(b map[string]any) { b["p_id"] = fmt.Sprint(s.PackID) })},
		{"p_id unknown", body(func(b map[string]any) { b["p_id"] = 999 })},
		{"pack of other sex", body(func(b map[string]any) { b["p_id"] = male; b["answers"] = []any{} })},
		{"age outside pack", body(func(b map[string]any) { b["age"] = 30 })},
		{"answers missing", body(func(b map[string]any) { delete(b, "answers") })},
		{"answers object", body(func(b map[string]any) { b["answers"] = map[string]any{} })},
		{"answers short", body(func(b map[string]any) { b["answers"] = good[:2] })},
		{"answers long", body(func(b map[string]any) { b["answers"] = append(append([]any(nil), good...), good[0]) })},
		{"pair twice", body(func(b map[string]any) { b["answers"] = []any{good[0], good[1], good[0]} })},
		{"key lower case", body(func(b map[string]any) { b["answers"] = swapped(0, "f") })},
		{"key empty", body(func(b map[string]any) { b["answers"] = swapped(0, "") })},
		{"rt negative", body(func(b map[string]any) { b["answers"] = setRT(-0.1) })},
		{"rt too long", body(func(b map[string]any) { b["answers"] = setRT(61) })},
		{"rt string", body(func(b map[string]any) { b["answers"] = setRT("0.5") })},
		{"rt null", body(func(b map[string]any) { b["answers"] = setRT(nil) })},
		{"file of another pair", body(func(b map[string]any) {
			out := append([]any(nil), good...)
			out[0] = []any{"F", 0.5, s.PicPairs[0][0], s.PicPairs[1][1]}
			b["answers"] = out
		})},
		{"same file twice", body(func(b map[string]any) {
			out := append([]any(nil), good...)
			out[0] = []any{"F", 0.5, s.PicPairs[0][0], s.PicPairs[0][0]}
			b["answers"] = out
		})},
		{"answer of 3", body(func(b map[string]any) {
			out := append([]any(nil), good...)
			out[0] = []any{"F", 0.5, s.PicPairs[0][0]}
			b["answers"] = out
		})},
		{"token short", body(func(b map[string]any) { b["token"] = "abc" })},
		{"token with space", body(func(b map[string]any) { b["token"] = "abcd efgh" })},
		{"token number", body(func(b map[string]any) { b["token"] = 12345678 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantPrefix(t, e.postJSON(t, "/api/reply/submit", tc.body), http.StatusBadRequest, "Invalid Input. Failed To Submit Your Reply")
		})
	}
	if n := e.countReplies(t); n != 0 {
		t.Fatalf("%d replies stored by bad submits", n)
	}
	// A pair's sides are the ones the run showed: the other order is refused.
	flipped := append([]any(nil), good...)
	flipped[0] = []any{"J", 0, s.PicPairs[0][1], s.PicPairs[0][0]}
	wantPrefix(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, flipped, s.Token)), http.StatusBadRequest,
		"Invalid Input. Failed To Submit Your Reply: answer 1: not the pair shown")
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, good, s.Token)), 200, "Reply Submitted.")
}

// A browser retrying a submit (same token) never stores a second copy, even
// when the copies arrive at the same moment.
func TestSubmitTokenOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.createPack(t, "female20s", 2, 20, 29)
	s := e.start(t, person())
	body, err := json.Marshal(submitBody(person(), s.PackID, answersFor(s.PicPairs), s.Token))
	if err != nil {
		t.Fatal(err)
	}
	e.submitAtOnce(t, 16, body)
	if n := e.countReplies(t); n != 1 {
		t.Fatalf("%d rows for one token", n)
	}
	// Without a token nothing is stored: only a run can be submitted.
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, answersFor(s.PicPairs), "")), 400, "Unknown Run")
	if n := e.countReplies(t); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, envOptions{})
	wantStatus(t, e.get(t, "/api/nope"), 404, "Not Found")
	wantStatus(t, e.get(t, "/api/reply/start"), 405, "Method Not Allowed")
	wantStatus(t, e.get(t, "/api/health"), 200, `{"status":"ok"}`)
}
