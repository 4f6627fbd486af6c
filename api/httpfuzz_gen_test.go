package api_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// gen makes hostile requests, most of them near-valid so they get past the
// first checks.
type gen struct {
	r      *rand.Rand
	pairs  [][2]string
	packID int
	token  string // a run's, for progress saves
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// nasty JSON values: wrong types, huge numbers, deep nesting, bad UTF-8,
// look-alike characters.
func (g *gen) nastyValue() string {
	switch g.r.IntN(14) {
	case 0:
		return g.pick([]string{"null", "true", "false", "{}", "[]", `""`})
	case 1:
		return g.pick([]string{"1e999", "-1e999", "123456789012345678901234567890", "-0", "0.0", "2.5", "1e-400", "9007199254740993"})
	case 2:
		d := 1 + g.r.IntN(12000)
		return strings.Repeat("[", d) + strings.Repeat("]", d)
	case 3:
		return `"` + string([]byte{0xff, 0xfe, 'a', 0xc3}) + `"`
	case 4:
		return g.pick([]string{`"０１０-１２３４-５６７８"`, `"홍길동\u200b"`, `"ｈｏｎｇ@example.com"`, `"Неllo"`, `"\u0000"`, `"a\u0000b"`, `"\ud800"`})
	case 5:
		return "[" + strings.TrimSuffix(strings.Repeat("1,", 1+g.r.IntN(100000)), ",") + "]"
	case 6:
		return `"` + strings.Repeat("가", g.r.IntN(3000)) + `"`
	case 7:
		return strconv.Itoa(g.r.IntN(300) - 100)
	case 8:
		return `"` + g.pick([]string{"../../etc/passwd", "/etc/passwd", "..", "x_00001_ori.jpg", `..\x`}) + `"`
	case 9:
		return `{"$ne":null}`
	case 10:
		return `"1"`
	case 11:
		return strconv.Quote(g.pick([]string{"홍길동", "hong@example.com", "2020123", "010-1234-5678"}))
	case 12:
		return fmt.Sprint(g.r.IntN(3))
	default:
		return strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500)
	}
}

func (g *gen) personFields() map[string]string {
	return map[string]string{"name": `"홍길동"`, "email": `"hong@example.com"`, "no": `"2020123"`,
		"sex": "2", "age": "25", "phone": `"010-1234-5678"`}
}

// mutateFields changes, drops or duplicates a few fields, then writes the
// object, possibly damaging its bytes.
func (g *gen) object(fields map[string]string) []byte {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for range 1 + g.r.IntN(3) {
		k := keys[g.r.IntN(len(keys))]
		switch g.r.IntN(5) {
		case 0:
			delete(fields, k)
		case 1:
			fields["x"+k] = g.nastyValue()
		default:
			fields[k] = g.nastyValue()
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for k, v := range fields {
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%q:%s", k, v)
	}
	b.WriteByte('}')
	return g.damage(b.Bytes())
}

// damage sometimes flips, inserts or cuts bytes.
func (g *gen) damage(b []byte) []byte {
	if g.r.IntN(4) != 0 || len(b) == 0 {
		return b
	}
	out := append([]byte(nil), b...)
	switch g.r.IntN(3) {
	case 0:
		out[g.r.IntN(len(out))] = byte(g.r.IntN(256))
	case 1:
		i := g.r.IntN(len(out))
		out = append(out[:i], append([]byte{byte(g.r.IntN(256))}, out[i:]...)...)
	default:
		out = out[:g.r.IntN(len(out))]
	}
	return out
}

// startBody is a person, sometimes with a mutated token or client object.
func (g *gen) startBody() []byte {
	f := g.personFields()
	if g.r.IntN(3) == 0 {
		f["token"] = g.pick([]string{strconv.Quote(g.token), `"short"`, `"fuzz-token-0001"`, "null", "12345678", g.nastyValue()})
	}
	if g.r.IntN(3) == 0 {
		f["client"] = g.pick([]string{`{"screen_w":1920,"lang":"ko"}`, `{"dpr":"2"}`, `{"tz":7}`, `{"user_agent":"` + strings.Repeat("x", 3000) + `"}`,
			`{"lang":"\u0000"}`, `{"lang":"\ud800"}`, `[]`, `"x"`, `{"window_w":1e999}`, `{"window_w":-1}`, g.nastyValue()})
	}
	return g.object(f)
}

// progressBody saves a mutated prefix of the run's answers.
func (g *gen) progressBody() []byte {
	answers := g.answers()
	f := map[string]string{"token": strconv.Quote(g.token), "answers": answers}
	if g.r.IntN(4) == 0 {
		f["token"] = g.pick([]string{`"no-such-token"`, `""`, "null", "1", g.nastyValue()})
	}
	if g.r.IntN(3) == 0 {
		f["events"] = g.pick([]string{`{"blur":1,"hidden_ms":20,"resized":0}`, `{"blur":-1}`, `{"blur":"1"}`, `{"hidden_ms":1e9}`,
			`{"resized":99999999999}`, `[]`, "null", g.nastyValue()})
	}
	return g.object(f)
}

func (g *gen) submitBody() []byte {
	f := g.personFields()
	f["p_id"] = strconv.Itoa(g.packID)
	f["token"] = strconv.Quote(fmt.Sprintf("fuzz-%08d", g.r.IntN(1e8)))
	f["answers"] = g.answers()
	return g.object(f)
}

// answers starts from a valid set and breaks it in one way or another.
func (g *gen) answers() string {
	items := make([]string, len(g.pairs))
	for i, p := range g.pairs {
		items[i] = fmt.Sprintf(`["F",0.5,%q,%q]`, p[0], p[1])
	}
	i := g.r.IntN(len(items))
	p := g.pairs[i]
	switch g.r.IntN(10) {
	case 0:
		items[i] = fmt.Sprintf(`[%s,0.5,%q,%q]`, g.pick([]string{`"f"`, `"FF"`, `"Ｆ"`, `""`, "null", "1", `"\u0000"`}), p[0], p[1])
	case 1:
		items[i] = fmt.Sprintf(`["J",%s,%q,%q]`, g.pick([]string{"-1e-9", "60.0000001", "1e308", `"NaN"`, "null", "[]", "-0",
			"0e99999999999", "1e-16384", "1e-16383", "0." + strings.Repeat("0", 17000), "0.12345678901234567890"}), p[0], p[1])
	case 2:
		items[i] = fmt.Sprintf(`["F",1,%q,%q]`, p[0], g.pairs[(i+1)%len(g.pairs)][1])
	case 3:
		items = append(items, items[i])
	case 4:
		items = items[:i]
	case 5:
		items[i] = fmt.Sprintf(`["F",1,"../%s",%q]`, p[0], p[1])
	case 6:
		items[i] = fmt.Sprintf(`["F",1,%q,%q,"extra"]`, p[0], p[1])
	case 7:
		items[i] = g.nastyValue()
	case 8:
		return g.nastyValue()
	default: // valid: some requests must get through and be stored
	}
	return "[" + strings.Join(items, ",") + "]"
}

func (g *gen) jsonRequest(u string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", g.pick([]string{"application/json", "text/plain", "", "application/json; charset=euc-kr", "multipart/form-data"}))
	return req
}

var hostileFileNames = []string{
	"../../x_00001_ori.jpg", `..\..\x_00001_ori.jpg`, "/etc/x_00001_ori.jpg", "x_00001_ori.jpg\x00.sh",
	"x_0000１_ori.jpg", "x_00001_оri.jpg", ".x_00001_ori.jpg", "x_00001_ori.jpg/", "..", ".", "",
	strings.Repeat("a", 5000) + "_00001_ori.jpg", "x_00001_ori.gif", "x y_00001_ori.jpg", "%2e%2e/x_00001_ori.jpg",
}

// createRequest is a multipart upload: fields and files mutated, the body
// sometimes cut off or its framing broken.
func (g *gen) createRequest(u string) *http.Request {
	var b bytes.Buffer
	boundary := "fuzzboundary" + strconv.Itoa(g.r.IntN(1000))
	name := "fz" + strconv.Itoa(g.r.IntN(200))
	if g.r.IntN(2) == 0 {
		name = g.pick([]string{"../x", "a/b", "A", "abcdefghijklmnop", "가", "", "fz\x00", "/tmp", "fz/../fz1"})
	}
	sex := strconv.Itoa(1 + g.r.IntN(2))
	if g.r.IntN(3) == 0 {
		sex = g.pick([]string{"3", "", "1.0", "０", "-1", "2 "})
	}
	age := g.r.IntN(60) + 30 // mostly clear of the two packs at 20..29
	fields := [][2]string{{"pack_name", name}, {"sex", sex},
		{"age_min", strconv.Itoa(age)}, {"age_max", g.pick([]string{strconv.Itoa(age + g.r.IntN(3)), "x", "999", "-1"})}}
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	kept := len(fields)
	if g.r.IntN(3) == 0 {
		kept = g.r.IntN(len(fields))
	}
	for _, f := range fields[:kept] {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f[0], f[1])
	}
	for i := 1; i <= 3; i++ {
		for _, side := range []string{"ori", "inv"} {
			fname := fmt.Sprintf("dir/f_%05d_%s.jpg", i, side)
			content := jpeg
			switch g.r.IntN(12) {
			case 0:
				fname = g.pick(hostileFileNames)
			case 1:
				content = []byte("GIF89a")
			case 2:
				continue // a side missing
			}
			fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=%q\r\nContent-Type: image/jpeg\r\n\r\n", boundary, fname)
			b.Write(content)
			b.WriteString("\r\n")
		}
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	body := b.Bytes()
	if g.r.IntN(5) == 0 {
		body = g.damage(body)
	}
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", g.pick([]string{
		"multipart/form-data; boundary=" + boundary, "multipart/form-data; boundary=" + boundary,
		"multipart/form-data; boundary=" + boundary, "multipart/form-data", "application/json",
		"multipart/form-data; boundary=other", "multipart/mixed; boundary=" + boundary, ""}))
	if g.r.IntN(8) == 0 {
		req.Header.Set("Origin", "http://evil.example")
	}
	return req
}

// queryRequest asks an endpoint that takes a query (remove, download, ci,
// quality, completion) with mutated parameters.
func (g *gen) queryRequest(u, kind string) *http.Request {
	id := g.pick([]string{"1", "2", "3", "0", "-1", "99999999999999999999", "1e3", "1%00", "", "abc", "1;DROP TABLE pack", "１", " 1", "0x1"})
	q := url.Values{}
	if g.r.IntN(8) != 0 {
		q.Set("id", id)
	}
	maybe := func(key string, values ...string) {
		if g.r.IntN(3) == 0 {
			q.Set(key, g.pick(values))
		}
	}
	switch kind {
	case "download":
		maybe("format", "csv", "json", "xml", "", "CSV", "../x")
		maybe("include", "unfinished", "all", "")
		maybe("bom", "1", "0", "yes")
	case "ci":
		maybe("format", "png", "csv", "zip", "gif", "")
		maybe("r_id", "1", "2", "0", "-1", "x", "99999999999999999999")
		maybe("scaling", "independent", "constant", "log", "")
		maybe("constant", "0.1", "0", "-1", "NaN", "Inf", "1e309", "x", "")
	case "quality":
		maybe("format", "json", "csv", "xml")
	case "stimuli":
		maybe("format", "json", "csv", "base", "xml", "")
	case "token":
		q.Set("token", g.pick([]string{g.token, "no-such-token", "", "a b", strings.Repeat("x", 100)}))
	}
	// Removing the two real packs would end the other endpoints' fun early.
	if kind == "remove" && (q.Get("id") == "1" || q.Get("id") == "2") {
		q.Set("id", "3")
	}
	method := http.MethodGet
	if kind == "remove" && g.r.IntN(2) == 0 {
		method = http.MethodPost
	}
	req, _ := http.NewRequest(method, u+"?"+q.Encode(), nil)
	return req
}
