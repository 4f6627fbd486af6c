package api_test

import (
	"encoding/json"
	"fmt"
	"image"
	pngcodec "image/png"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Leaving replies out changes the group CI exactly as leaving them out of
// the mean of the replies' CIs does; flagged ones are the quality table's;
// the headers say what went in and what stayed out.
func TestExclusion(t *testing.T) {
	s := newStudy(t, nil, "excl", 20, 29, 24, 60, 3, 5, 3)
	all := append(append([]int64{}, s.a...), s.b...)
	cis := s.replyCIs(t, all)
	for _, tc := range []struct {
		name  string
		query string
		out   []int64
	}{
		{"all", "", nil},
		{"two left out", fmt.Sprintf("&exclude=%d,%d", s.a[0], s.b[1]), []int64{s.a[0], s.b[1]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in [][]float64
			for i, rid := range all {
				if !slices.Contains(tc.out, rid) {
					in = append(in, cis[i])
				}
			}
			if d := maxDiff(s.ciCSV(t, tc.query), meanOf(in)); d > 1e-12 {
				t.Fatalf("group CI differs from the mean of the kept replies' CIs by %g", d)
			}
			r := s.e.get(t, fmt.Sprintf("/api/admin/ci?id=%d%s", s.id, tc.query))
			wantExcluded := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(tc.out)), ","), "[]")
			if r.Header.Get("X-Psyx-Replies") != strconv.Itoa(len(in)) || r.Header.Get("X-Psyx-Excluded") != wantExcluded ||
				r.Header.Get("X-Psyx-Version") == "" || r.Header.Get("X-Psyx-Scaling") != "independent" {
				t.Fatalf("headers %v", r.Header)
			}
			// The zip of the replies' CIs holds the same selection.
			var kept []int64
			for _, rid := range all {
				if !slices.Contains(tc.out, rid) {
					kept = append(kept, rid)
				}
			}
			files, m := s.e.ciZip(t, fmt.Sprintf("/api/admin/ci?id=%d&format=zip%s", s.id, tc.query))
			if len(files) != len(kept) || !slices.Equal(m.Replies, kept) || !slices.Equal(m.Excluded, orNone(tc.out)) {
				t.Fatalf("zip holds %v, manifest %+v; want replies %v, excluded %v", files, m, kept, tc.out)
			}
		})
	}
	// "flagged" leaves out exactly the replies the quality table flags.
	q := s.e.quality(t, s.id)
	var flagged []int64
	for _, row := range q.Replies {
		if len(row.Flags) > 0 {
			flagged = append(flagged, row.RID)
		}
	}
	if len(flagged) == 0 || len(flagged) == len(all) {
		t.Fatalf("the study flags %d of %d replies: nothing to tell apart", len(flagged), len(all))
	}
	byList := s.ciCSV(t, "&exclude="+strings.Trim(strings.Join(strings.Fields(fmt.Sprint(flagged)), ","), "[]"))
	if d := maxDiff(s.ciCSV(t, "&exclude=flagged"), byList); d != 0 {
		t.Fatalf("exclude=flagged differs from excluding the flagged replies by name (%g)", d)
	}
	// The quality table marks them and pools only the others' times.
	r := s.e.get(t, fmt.Sprintf("/api/admin/quality?id=%d&exclude=flagged", s.id))
	var qt struct {
		Included int     `json:"included"`
		Excluded []int64 `json:"excluded"`
		Replies  []struct {
			RID      int64 `json:"r_id"`
			Excluded bool  `json:"excluded"`
			RTCounts []int `json:"rt_counts"`
		} `json:"replies"`
		Hist struct {
			Counts []int `json:"counts"`
		} `json:"rt_histogram"`
	}
	if err := json.Unmarshal([]byte(r.Body), &qt); err != nil || qt.Included != len(all)-len(flagged) || !slices.Equal(qt.Excluded, flagged) {
		t.Fatalf("quality with exclusion: %v %s", err, r.Body)
	}
	pooled := make([]int, len(qt.Hist.Counts))
	for _, row := range qt.Replies {
		if row.Excluded != slices.Contains(flagged, row.RID) {
			t.Fatalf("reply %d marked excluded %v", row.RID, row.Excluded)
		}
		for b, n := range row.RTCounts {
			if !row.Excluded {
				pooled[b] += n
			}
		}
	}
	if !slices.Equal(pooled, qt.Hist.Counts) {
		t.Fatalf("pooled histogram %v, the kept replies' own %v", qt.Hist.Counts, pooled)
	}
	for _, bad := range []struct{ query, want string }{
		{"&exclude=999", "Unknown Reply 999"},
		{"&exclude=x", "Unknown Reply x"},
		{"&exclude=" + strings.Repeat("1,", 20000) + "1", "Unknown Reply 1"},
	} {
		wantStatus(t, s.e.get(t, fmt.Sprintf("/api/admin/ci?id=%d%s", s.id, bad.query)), 400, bad.want)
	}
}

// Reliability through the API: ICC(3,1), ICC(3,k) and each reply's
// leave-one-out r, checked against the replies' own CIs over pixels (no
// Gram matrix); the split-half summary is consistent and fixed by its seed.
func TestReliability(t *testing.T) {
	s := newStudy(t, nil, "rel", 20, 29, 24, 60, 4, 4, 5)
	all := append(append([]int64{}, s.a...), s.b...)
	cis := s.replyCIs(t, all)
	var rel struct {
		SplitHalf struct {
			Median, P2_5, P97_5 float64
			Splits              int
		} `json:"split_half"`
		ICC31 float64 `json:"icc_3_1"`
		ICC3K float64 `json:"icc_3_k"`
		LOO   []struct {
			RID int64   `json:"r_id"`
			R   float64 `json:"r"`
		} `json:"loo"`
		Replies int    `json:"replies"`
		Seed    uint64 `json:"seed"`
	}
	r := s.e.get(t, fmt.Sprintf("/api/admin/reliability?id=%d", s.id))
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"p2_5"`, `"P2_5"`, `"p97_5"`, `"P97_5"`, `"median"`, `"Median"`, `"splits"`, `"Splits"`).Replace(r.Body)), &rel); err != nil || r.Status != 200 {
		t.Fatalf("reliability: %d %s", r.Status, r.Body)
	}
	icc31, icc3k := iccOf(cis)
	if math.Abs(rel.ICC31-icc31) > 1e-9 || math.Abs(rel.ICC3K-icc3k) > 1e-9 {
		t.Fatalf("ICC %v %v, over pixels %v %v", rel.ICC31, rel.ICC3K, icc31, icc3k)
	}
	group := meanOf(cis)
	for i, l := range rel.LOO {
		var others [][]float64
		for j := range cis {
			if j != i {
				others = append(others, cis[j])
			}
		}
		if want := pearson(group, meanOf(others)); l.RID != all[i] || math.Abs(l.R-want) > 1e-9 {
			t.Fatalf("reply %d: leave-one-out r %v, over pixels %v", l.RID, l.R, want)
		}
	}
	h := rel.SplitHalf
	if rel.Replies != 8 || h.Splits != 1000 || !(h.P2_5 <= h.Median && h.Median <= h.P97_5) || h.P97_5 > 1 || rel.Seed == 0 ||
		r.Header.Get("X-Psyx-Seed") != strconv.FormatUint(rel.Seed, 10) {
		t.Fatalf("split-half %+v of %d replies, seed %d (header %q)", h, rel.Replies, rel.Seed, r.Header.Get("X-Psyx-Seed"))
	}
	if again := s.e.get(t, fmt.Sprintf("/api/admin/reliability?id=%d", s.id)); again.Body != r.Body {
		t.Fatal("the same replies gave other figures")
	}
	left := s.e.get(t, fmt.Sprintf("/api/admin/reliability?id=%d&exclude=%d", s.id, s.a[0]))
	if left.Status != 200 || left.Body == r.Body || left.Header.Get("X-Psyx-Excluded") != strconv.FormatInt(s.a[0], 10) {
		t.Fatalf("with a reply left out: %d %s", left.Status, left.Header)
	}
	var out []string
	for _, rid := range all[1:] {
		out = append(out, strconv.FormatInt(rid, 10))
	}
	wantStatus(t, s.e.get(t, fmt.Sprintf("/api/admin/reliability?id=%d&exclude=%s", s.id, strings.Join(out, ","))), 400, "Too Few Replies")
	wantStatus(t, s.e.get(t, "/api/admin/reliability?id=99"), 400, "Pack 99 Not Found")
}

// iccOf is ICC(3,1) and ICC(3,k) of the pixels × replies table, from its
// two-way ANOVA.
func iccOf(cis [][]float64) (float64, float64) {
	k, n := float64(len(cis)), float64(len(cis[0]))
	var grand float64
	rowMean := make([]float64, len(cis[0]))
	colMean := make([]float64, len(cis))
	for j, ci := range cis {
		for p, v := range ci {
			grand += v / (k * n)
			rowMean[p] += v / k
			colMean[j] += v / n
		}
	}
	var ssr, ssc, sst float64
	for p := range rowMean {
		ssr += k * (rowMean[p] - grand) * (rowMean[p] - grand)
	}
	for j, ci := range cis {
		ssc += n * (colMean[j] - grand) * (colMean[j] - grand)
		for _, v := range ci {
			sst += (v - grand) * (v - grand)
		}
	}
	msr, mse := ssr/(n-1), (sst-ssr-ssc)/((n-1)*(k-1))
	return (msr - mse) / (msr + (k-1)*mse), (msr - mse) / msr
}

// Two reply lists of one pack: the t map is Welch's t of the replies' own
// CIs, the planted difference is found where it was planted (the template
// observers' quarter), drawn in red, and the answer is kept.
func TestCompareReplyLists(t *testing.T) {
	s := newStudy(t, nil, "cmp", 20, 29, 24, 80, 6, 6, 7)
	q := fmt.Sprintf("/api/admin/compare?id=%d&a_r=%s&b_r=%s", s.id, ids(s.a), ids(s.b))
	r := s.e.get(t, q)
	var c struct {
		A        int `json:"a_replies"`
		B        int `json:"b_replies"`
		Clusters []struct {
			Sign int     `json:"sign"`
			P    float64 `json:"p"`
			BBox [4]int  `json:"bbox"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil || r.Status != 200 || c.A != 6 || c.B != 6 || len(c.Clusters) == 0 {
		t.Fatalf("compare: %d %s", r.Status, r.Body)
	}
	// The noise is smooth sinusoids, so a CI has lobes beyond its
	// template; the planted blob itself must be a significant cluster of a
	// over b, centred in the template's quarter.
	found := false
	for _, cl := range c.Clusters {
		cx, cy := (cl.BBox[0]+cl.BBox[2])/2, (cl.BBox[1]+cl.BBox[3])/2
		found = found || cl.Sign == 1 && cl.P < 0.05 && cx <= s.square[2] && cy <= s.square[3]
	}
	if !found {
		t.Fatalf("the planted difference was not found in the template's box %v: %+v", s.square, c.Clusters)
	}
	tmap := floats(t, readFixtureCSV(t, s.e.get(t, q+"&format=csv").Body, false))
	want := welchMap(s.replyCIs(t, s.a), s.replyCIs(t, s.b))
	if d := maxDiff(tmap, want); d > 1e-9 {
		t.Fatalf("t map differs from Welch's t over the replies' CIs by %g", d)
	}
	img, err := pngcodec.Decode(strings.NewReader(s.e.get(t, q+"&format=png").Body))
	if err != nil || img.Bounds() != image.Rect(0, 0, s.size, s.size) || !hasRed(img) {
		t.Fatalf("png: %v %v", err, img.Bounds())
	}
	var prog struct {
		Done     int  `json:"done"`
		Total    int  `json:"total"`
		Finished bool `json:"finished"`
	}
	json.Unmarshal([]byte(s.e.get(t, q+"&format=progress").Body), &prog)
	if !prog.Finished || prog.Done != prog.Total || prog.Total != 1000 {
		t.Fatalf("progress after the answer: %+v", prog)
	}
	other := newStudy(t, s.e, "oth", 30, 39, 24, 80, 1, 1, 9)
	for _, bad := range []struct{ query, want string }{
		{fmt.Sprintf("?id=%d&a_r=%s&b_r=%d", s.id, ids(s.a), other.a[0]), fmt.Sprintf("Unknown Reply %d", other.a[0])},
		{fmt.Sprintf("?id=%d&a_r=%s&b_r=%d", s.id, ids(s.a), s.b[0]), "Too Few Replies"},
		{fmt.Sprintf("?id=%d&a_r=%s", s.id, ids(s.a)), "Too Few Replies"},
		{fmt.Sprintf("?id=%d&a_r=x&b_r=%s", s.id, ids(s.b)), "Unknown Reply x"},
		{fmt.Sprintf("?a=%d&b=%d", s.id, other.id), "Packs Use Different Stimuli"},
		{"?a=1&b=999", "Pack 999 Not Found"},
	} {
		wantStatus(t, s.e.get(t, "/api/admin/compare"+bad.query), 400, bad.want)
	}
}

// Two packs with the same images (one folder uploaded for two conditions)
// compare as two sets: women and men in their 20s.
func TestCompareTwoPacks(t *testing.T) {
	s := newStudy(t, nil, "women", 20, 29, 24, 60, 3, 0, 11)
	men := newStudy(t, s.e, "men", 30, 39, 24, 60, 0, 3, 11) // the same seed: the same images
	r := s.e.get(t, fmt.Sprintf("/api/admin/compare?a=%d&b=%d", s.id, men.id))
	if r.Status != 200 || r.Header.Get("X-Psyx-Replies") != "6" {
		t.Fatalf("compare two packs: %d %s %v", r.Status, r.Body, r.Header)
	}
}

func ids(rids []int64) string {
	s := make([]string, len(rids))
	for i, r := range rids {
		s[i] = strconv.FormatInt(r, 10)
	}
	return strings.Join(s, ",")
}

// welchMap is Welch's t per pixel of a's images against b's.
func welchMap(a, b [][]float64) []float64 {
	out := make([]float64, len(a[0]))
	stat := func(set [][]float64, p int) (m, v float64) {
		for _, img := range set {
			m += img[p] / float64(len(set))
		}
		for _, img := range set {
			v += (img[p] - m) * (img[p] - m) / float64(len(set)-1)
		}
		return m, v
	}
	for p := range out {
		ma, va := stat(a, p)
		mb, vb := stat(b, p)
		if den := va/float64(len(a)) + vb/float64(len(b)); den > 0 {
			out[p] = (ma - mb) / math.Sqrt(den)
		}
	}
	return out
}

func hasRed(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r > 0xc000 && g < 0x4000 && bl < 0x4000 {
				return true
			}
		}
	}
	return false
}
