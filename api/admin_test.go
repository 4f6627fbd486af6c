package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestCreatePackRejects(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.createPack(t, "taken", 1, 20, 29)
	good := form{"fresh", "2", "20", "29"}
	bad := func(name string, data []byte) []file { return append(packFiles("x", 2), file{Name: name, Data: data}) }
	tests := []struct {
		name  string
		form  form
		files []file
		want  string
	}{
		{"no file part", good, nil, "Nothing Uploaded"},
		{"name empty", form{"", "2", "20", "29"}, packFiles("x", 3), "Invalid Pack Name"},
		{"name upper case", form{"Female", "2", "20", "29"}, packFiles("x", 3), "Invalid Pack Name"},
		{"name starts with digit", form{"1pack", "2", "20", "29"}, packFiles("x", 3), "Invalid Pack Name"},
		{"name 16 long", form{"abcdefghijklmnop", "2", "20", "29"}, packFiles("x", 3), "Invalid Pack Name"},
		{"name with path", form{"../etc", "2", "20", "29"}, packFiles("x", 3), "Invalid Pack Name"},
		{"age min above max", form{"fresh", "2", "30", "29"}, packFiles("x", 3), "Invalid Age Bound"},
		{"age not a number", form{"fresh", "2", "twenty", "29"}, packFiles("x", 3), "Invalid Age Bound"},
		{"age over 120", form{"fresh", "2", "20", "121"}, packFiles("x", 3), "Invalid Age Bound"},
		{"age negative", form{"fresh", "2", "-1", "29"}, packFiles("x", 3), "Invalid Age Bound"},
		{"age missing", form{"fresh", "2", "-", "29"}, packFiles("x", 3), "Invalid Age Bound"},
		{"sex 3", form{"fresh", "3", "20", "29"}, packFiles("x", 3), "Invalid Sex"},
		{"sex missing", form{"fresh", "-", "20", "29"}, packFiles("x", 3), "Invalid Sex"},
		{"name taken", form{"taken", "2", "20", "29"}, packFiles("x", 3), "Pack Existed"},
		{"too few pairs", good, packFiles("x", 2), "Invalid Folder Size"},
		{"too many pairs", good, packFiles("x", 4), "Invalid Folder Size"},
		{"ori without inv", good, bad("x_00003_ori.jpg", jpeg), "Invalid Folder Size"},
		{"pair number 0", good, append(bad("x_00000_ori.jpg", jpeg), file{Name: "x_00000_inv.jpg", Data: jpeg}), "Invalid Folder Size"},
		{"duplicate side", good, append(packFiles("x", 3), file{Name: "other/x_00001_ori.jpg", Data: jpeg}), "Invalid Folder Size"},
		{"only junk files", good, []file{{Name: ".DS_Store", Data: []byte("x")}, {Name: "Thumbs.db", Data: []byte("x")}}, "Invalid Folder Size"},
		{"jpg that is text", good, append(packFiles("x", 2), file{Name: "x_00003_ori.jpg", Data: []byte("hello")}, file{Name: "x_00003_inv.jpg", Data: jpeg}), "Invalid Image: x_00003_ori.jpg"},
		{"png with jpeg bytes", good, append(packFiles("x", 2), file{Name: "x_00003_ori.PNG", Data: jpeg}, file{Name: "x_00003_inv.jpg", Data: jpeg}), "Invalid Image: x_00003_ori.PNG"},
		{"empty image", good, append(packFiles("x", 2), file{Name: "x_00003_ori.jpg", Data: nil}, file{Name: "x_00003_inv.jpg", Data: jpeg}), "Invalid Image: x_00003_ori.jpg"},
		{"overlapping range", form{"fresh", "1", "29", "35"}, packFiles("x", 3), "Pack Condition Overlapped"},
		{"two prefixes", good, append(packFiles("x", 2), file{Name: "zzz_00003_ori.jpg", Data: jpeg}, file{Name: "zzz_00003_inv.jpg", Data: jpeg}),
			"Inconsistent Pack: files of more than one prefix (x, zzz)"},
		{"two prefixes, two formats", good, []file{{Name: "aaa_00001_ori.png", Data: png}, {Name: "zzz_00001_inv.jpeg", Data: jpeg}},
			"Inconsistent Pack: files of more than one prefix (aaa, zzz)"},
		{"two image sizes", good, append(packFiles("x", 2), file{Name: "x_00003_ori.png", Data: png48}, file{Name: "x_00003_inv.jpg", Data: jpeg}),
			"Inconsistent Pack: x_00003_ori.png is 48×48, x_00001_ori.jpg is 32×32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.upload(t, tc.form, tc.files)
			wantStatus(t, r, http.StatusBadRequest, tc.want)
			if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if got := e.wantWhole(t, 1); got[0] != "taken" {
				t.Errorf("packs folder holds %v", got)
			}
		})
	}
}

func TestCreatePackAccepts(t *testing.T) {
	e := newEnv(t, envOptions{})
	// One prefix, formats and extension cases mixed, folder paths, junk.
	files := []file{
		{Name: "a/b/face.v2-x_00001_ori.JPG", Data: jpeg}, {Name: `c:\x\face.v2-x_00001_inv.jpeg`, Data: jpeg},
		{Name: "face.v2-x_00002_ori.png", Data: png}, {Name: "face.v2-x_00002_inv.PNG", Data: png},
		{Name: "face.v2-x_00003_ori.jpg", Data: jpeg}, {Name: "face.v2-x_00003_inv.jpg", Data: jpeg},
		{Name: ".DS_Store", Data: []byte{0}}, {Name: "Thumbs.db", Data: []byte{1}}, {Name: "._face_00001_ori.JPG", Data: []byte{2}}, {Name: "notes.txt", Data: []byte("hi")},
	}
	r := e.upload(t, form{"mixed", "1", "0", "120"}, files)
	wantStatus(t, r, http.StatusOK, "Pack 1 Added.")
	got := e.dirEntries(t, "packs/mixed")
	want := []string{"face.v2-x_00001_inv.jpeg", "face.v2-x_00001_ori.JPG", "face.v2-x_00002_inv.PNG", "face.v2-x_00002_ori.png", "face.v2-x_00003_inv.jpg", "face.v2-x_00003_ori.jpg"}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pack folder holds %v, want %v", got, want)
	}
	b, err := os.ReadFile(filepath.Join(e.DataDir, "packs/mixed/face.v2-x_00002_ori.png"))
	if err != nil || !bytes.Equal(b, png) {
		t.Errorf("stored bytes differ: %v", err)
	}
}

func TestCreatePackFieldsAfterFiles(t *testing.T) {
	e := newEnv(t, envOptions{})
	var buf bytes.Buffer
	ct, body := uploadBody(t, form{"-", "-", "-", "-"}, packFiles("late", 3))
	// Re-write with the fields at the end.
	buf.Write(body[:bytes.LastIndex(body, []byte("--"+boundary(ct)+"--"))])
	for _, kv := range [][2]string{{"pack_name", "late"}, {"sex", "1"}, {"age_min", "1"}, {"age_max", "2"}} {
		fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary(ct), kv[0], kv[1])
	}
	fmt.Fprintf(&buf, "--%s--\r\n", boundary(ct))
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/api/admin/create", &buf)
	req.Header.Set("Content-Type", ct)
	wantStatus(t, e.do(t, req), http.StatusOK, "Pack 1 Added.")
}

func boundary(ct string) string { return ct[strings.Index(ct, "boundary=")+len("boundary="):] }

func TestListShape(t *testing.T) {
	e := newEnv(t, envOptions{})
	wantStatus(t, e.get(t, "/api/admin/list"), http.StatusOK, "[]")
	id := e.createPack(t, "female20s", 2, 20, 29)
	e.createPack(t, "male20s", 1, 20, 29)
	s := e.start(t, person())
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")

	r := e.get(t, "/api/admin/list")
	wantStatus(t, r, http.StatusOK, "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("list has %d packs", len(list))
	}
	first := list[0]
	keys := []string{}
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"abandoned", "age_max", "age_min", "count", "date", "last", "p_id", "pack_name", "running", "sex", "size"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if first["p_id"] != float64(id) || first["pack_name"] != "female20s" || first["sex"] != float64(2) ||
		first["age_min"] != float64(20) || first["age_max"] != float64(29) || first["size"] != float64(3) || first["count"] != float64(1) {
		t.Errorf("first pack %v", first)
	}
	if list[1]["count"] != float64(0) || list[1]["pack_name"] != "male20s" || list[1]["last"] != nil {
		t.Errorf("second pack %v", list[1])
	}
	if last, _ := first["last"].(string); !dateRE.MatchString(last) || first["running"] != float64(0) || first["abandoned"] != float64(0) {
		t.Errorf("first pack's last reply %v, runs %v running %v abandoned", first["last"], first["running"], first["abandoned"])
	}
	if d, _ := first["date"].(string); !dateRE.MatchString(d) {
		t.Errorf("date %q is not YYYY-MM-DD HH:MM:SS", d)
	}
}

func TestRemovePack(t *testing.T) {
	e := newEnv(t, envOptions{})
	id := e.createPack(t, "gone", 2, 20, 29)
	keep := e.createPack(t, "kept", 1, 20, 29)
	s := e.start(t, person())
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(person(), s.PackID, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")

	tests := []struct {
		name, method, query string
		status              int
		body                string
	}{
		{"unknown id", "GET", "?id=99", 400, "Pack 99 Not Found"},
		{"not a number", "GET", "?id=abc", 400, "Pack abc Not Found"},
		{"no id", "GET", "", 400, "Pack  Not Found"},
		{"delete", "GET", fmt.Sprintf("?id=%d", id), 200, fmt.Sprintf("Pack %d Deleted.", id)},
		{"again", "POST", fmt.Sprintf("?id=%d", id), 400, fmt.Sprintf("Pack %d Not Found", id)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.URL+"/api/admin/remove"+tc.query, nil)
			wantStatus(t, e.do(t, req), tc.status, tc.body)
		})
	}
	if n := e.countReplies(t); n != 0 {
		t.Errorf("%d replies left after their pack went", n)
	}
	if got := e.wantWhole(t, 1); got[0] != "kept" {
		t.Errorf("packs folder holds %v", got)
	}
	// POST with a form body works too.
	req, _ := http.NewRequest("POST", e.URL+"/api/admin/remove", strings.NewReader(fmt.Sprintf("id=%d", keep)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, e.do(t, req), 200, fmt.Sprintf("Pack %d Deleted.", keep))
}

func TestCrossSiteChangesRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	id := e.createPack(t, "guarded", 2, 20, 29)
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"other site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same site other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"foreign origin", map[string]string{"Origin": "http://evil.example"}, 403},
		{"null origin", map[string]string{"Origin": "null"}, 403},
		{"link opened from a mail", map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}, 403},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, 403},
		{"navigation from the site itself", map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}, 403},
		{"same host other port", map[string]string{"Origin": otherPort(t, e.URL)}, 403},
		{"same host other scheme", map[string]string{"Origin": strings.Replace(e.URL, "http://", "https://", 1)}, 403},
		{"proxied: origin is not the forwarded host", map[string]string{"Origin": e.URL, "X-Forwarded-Host": "psyx.example.org"}, 403},
		// An old browser's <img src=…/remove> sends neither Sec-Fetch-* nor
		// Origin, only the page it came from.
		{"an old browser's image from another site", map[string]string{"Referer": "http://evil.example/page.html"}, 403},
		{"a referer on another port", map[string]string{"Referer": otherPort(t, e.URL) + "/admin/"}, 403},
		{"a referer that is not a URL", map[string]string{"Referer": "::"}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/admin/remove?id=%d", e.URL, id), nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			wantStatus(t, e.do(t, req), tc.status, "Cross-Site Request Refused")
		})
	}
	if e.countPacks(t) != 1 {
		t.Fatal("a refused request deleted the pack")
	}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/admin/remove?id=%d", e.URL, id), nil)
	req.Header.Set("Origin", "https://psyx.example.org")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", "psyx.example.org")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Sec-Fetch-Mode", "cors")
	req.Header.Set("Referer", "https://psyx.example.org/admin/")
	wantStatus(t, e.do(t, req), 200, fmt.Sprintf("Pack %d Deleted.", id))
}

// otherPort is base (http://host:port) with another port.
func otherPort(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return fmt.Sprintf("%s://%s:%d", u.Scheme, u.Hostname(), port+1)
}

// Two uploads race for one name, or for overlapping ranges: exactly one
// wins, and the loser leaves no folder behind.
func TestConcurrentCreates(t *testing.T) {
	tests := []struct {
		name  string
		forms [2]form
		lose  string
	}{
		{"same name", [2]form{{"twin", "1", "20", "29"}, {"twin", "2", "20", "29"}}, "Pack Existed"},
		{"overlapping range", [2]form{{"left", "1", "20", "29"}, {"right", "1", "25", "35"}}, "Pack Condition Overlapped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for round := 0; round < 5; round++ {
				e := newEnv(t, envOptions{pairs: 50})
				var wg sync.WaitGroup
				results := make([]resp, 2)
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i] = e.upload(t, tc.forms[i], packFiles(fmt.Sprint("p", i), 50))
					}()
				}
				wg.Wait()
				ok, lost := 0, 0
				for _, r := range results {
					switch {
					case r.Status == 200:
						ok++
					case r.Status == 400 && r.Body == tc.lose:
						lost++
					default:
						t.Fatalf("unexpected %d %q; errors logged: %v", r.Status, r.Body, e.errorsLogged())
					}
				}
				if ok != 1 || lost != 1 {
					t.Fatalf("%d won, %d lost", ok, lost)
				}
				e.wantWhole(t, 1)
			}
		})
	}
}
