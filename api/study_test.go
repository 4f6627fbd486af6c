package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// study is a pack of rcicr-style stimuli answered through the API by
// simulated observers: some comparing each pair to a template confined to
// the top-left quarter of the image ("a"), the others answering at random
// ("b").
type study struct {
	e      *env
	id     int
	size   int
	a, b   []int64 // r_ids of each group
	square [4]int  // the template's box: x0, y0, x1, y1
}

// newStudy uploads a pairs-pair pack of size×size stimuli as pack name (sex
// 2, ages lo..hi) into e, or a new env when e is nil, and has na template
// observers and nb random ones answer it, ten minutes each.
func newStudy(t *testing.T, e *env, name string, lo, hi, size, pairs, na, nb int, seed uint64) *study {
	t.Helper()
	pack, err := testkit.WriteRCPack(t.TempDir(), testkit.RCOptions{Size: size, Pairs: pairs, Prefix: name, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	if e == nil {
		e = newEnv(t, envOptions{pairs: pairs, clock: clock})
	}
	var files []file
	for _, p := range pack.Pairs {
		for _, path := range []string{p.Ori, p.Inv} {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, file{Name: filepath.Base(path), Data: b})
		}
	}
	s := &study{e: e, id: e.createPackFiles(t, name, 2, lo, hi, files), size: size, square: [4]int{0, 0, size/2 - 1, size/2 - 1}}
	template := make([]float64, size*size)
	for y := range size / 2 {
		for x := range size / 2 {
			dx, dy := float64(x)-float64(size)/4, float64(y)-float64(size)/4
			template[y*size+x] = math.Exp(-(dx*dx + dy*dy) / float64(size*size/32))
		}
	}
	for i := range na + nb {
		resp := testkit.RandomObserver(pairs, seed*1000+uint64(i))
		if i < na {
			resp = testkit.TemplateObserver(pack.Noise, template, 0.5, seed*1000+uint64(i))
		}
		who := testkit.Person(int(seed)*1000+i, 2, lo)
		st := e.start(t, who)
		byPair := map[int]int8{}
		for k, r := range resp {
			byPair[k] = r
		}
		clock.Advance(10 * time.Minute)
		wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, s.id, answerAs(t, st.PicPairs, byPair), st.Token)), 200, "Reply Submitted.")
		var rid int64
		if err := e.Store.DB().Get(&rid, `SELECT r_id FROM reply WHERE token = $1`, st.Token); err != nil {
			t.Fatal(err)
		}
		if i < na {
			s.a = append(s.a, rid)
		} else {
			s.b = append(s.b, rid)
		}
	}
	return s
}

// createPackFiles uploads these files as a pack and returns its id.
func (e *env) createPackFiles(t *testing.T, name string, sex, lo, hi int, files []file) int {
	t.Helper()
	r := e.upload(t, form{name, fmt.Sprint(sex), fmt.Sprint(lo), fmt.Sprint(hi)}, files)
	var id int
	if _, err := fmt.Sscanf(r.Body, "Pack %d Added.", &id); err != nil || r.Status != 200 {
		t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
	}
	return id
}

// ciCSV is a CI the API writes as CSV.
func (s *study) ciCSV(t *testing.T, query string) []float64 {
	t.Helper()
	r := s.e.get(t, fmt.Sprintf("/api/admin/ci?id=%d&format=csv%s", s.id, query))
	wantStatus(t, r, 200, "")
	return floats(t, readFixtureCSV(t, r.Body, false))
}

// zipManifest is the manifest.json of a zip of replies' CIs.
type zipManifest struct {
	Pack       string             `json:"pack"`
	Replies    []int64            `json:"replies"`
	Excluded   []int64            `json:"excluded"`
	Unanswered []int64            `json:"unanswered"`
	Scaling    string             `json:"scaling"`
	Version    string             `json:"psyx_version"`
	Constants  map[string]float64 `json:"image_constants"`
}

// ciZip fetches a zip of replies' CIs: its PNGs' names, in order, and its
// manifest, which must be the last file.
func (e *env) ciZip(t *testing.T, path string) ([]string, zipManifest) {
	t.Helper()
	r := e.get(t, path)
	wantStatus(t, r, 200, "")
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil || len(zr.File) == 0 || zr.File[len(zr.File)-1].Name != "manifest.json" {
		t.Fatalf("zip %s: %v", path, err)
	}
	var names []string
	for _, f := range zr.File[:len(zr.File)-1] {
		names = append(names, f.Name)
	}
	var m zipManifest
	f, err := zr.File[len(zr.File)-1].Open()
	if err == nil {
		err = json.NewDecoder(f).Decode(&m)
	}
	if err != nil {
		t.Fatalf("manifest of %s: %v", path, err)
	}
	return names, m
}

// orNone is ids, or an empty list for none, as the API writes lists.
func orNone(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// replyCIs are the replies' own CIs, as the API gives them one by one.
func (s *study) replyCIs(t *testing.T, rids []int64) [][]float64 {
	t.Helper()
	out := make([][]float64, len(rids))
	for i, rid := range rids {
		out[i] = s.ciCSV(t, fmt.Sprintf("&r_id=%d", rid))
	}
	return out
}

// meanOf is the pixel-wise mean of images.
func meanOf(images [][]float64) []float64 {
	m := make([]float64, len(images[0]))
	for _, img := range images {
		for p, v := range img {
			m[p] += v / float64(len(images))
		}
	}
	return m
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// pearson is the correlation of two images over pixels.
func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i] / float64(len(a))
		mb += b[i] / float64(len(b))
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}
