package e2e

// The fixture of the analysis page tests (pages_analysis_test.go): a pack
// of real rcicr stimuli made by package stimuli from a drawn face, a twin
// pack with the same images, replies of two habits (set A leans to ori,
// set B to inv) and two flagged ones, and the API's answers the page must
// agree with.

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/stimuli"
)

// analysisSide is the stimuli's side: large enough that a comparison's
// 1,000 permutations take a while, so the page's progress bar has
// something to show.
const analysisSide = 256

// analysisPairs is the pack's size: enough trials that a template
// observer's infoVal is clearly above 1.96.
const analysisPairs = 60

// drawnFace is a grey oval face with eyes, brows and a mouth.
func drawnFace(side int) image.Image {
	img := image.NewGray(image.Rect(0, 0, side, side))
	s := float64(side)
	in := func(x, y, cx, cy, rx, ry float64) bool {
		return (x-cx)*(x-cx)/(rx*rx)+(y-cy)*(y-cy)/(ry*ry) <= 1
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			fx, fy := float64(x)/s, float64(y)/s
			v := 70.0
			switch {
			case in(fx, fy, .36, .40, .07, .035), in(fx, fy, .64, .40, .07, .035): // eyes
				v = 40
			case in(fx, fy, .36, .33, .09, .015), in(fx, fy, .64, .33, .09, .015): // brows
				v = 60
			case in(fx, fy, .5, .70, .13, .03): // mouth
				v = 90
			case in(fx, fy, .5, .55, .05, .10): // nose
				v = 185
			case in(fx, fy, .5, .5, .33, .43): // face
				v = 170
			}
			img.SetGray(x, y, color.Gray{Y: uint8(v)})
		}
	}
	return img
}

// rcicrPackFiles renders a pack of real rcicr stimuli (5 sinusoid scales)
// into dir, named <prefix>_NNNNN_ori.png / _inv.png, and returns for each
// pair (by its number) how much lighter its ori is than its inv where each
// template is (the mouth, the eyes): what a template observer goes by.
func rcicrPackFiles(t *testing.T, dir, prefix string, pairs int) map[int][2]float64 {
	t.Helper()
	mkdir(t, dir)
	basis, err := stimuli.NewBasis(analysisSide, 5, stimuli.Sinusoid, 25)
	if err != nil {
		t.Fatal(err)
	}
	base, err := stimuli.PrepareBase(drawnFace(analysisSide), analysisSide, true)
	if err != nil {
		t.Fatal(err)
	}
	params, err := stimuli.DrawParams(17, pairs, basis.NParams())
	if err != nil {
		t.Fatal(err)
	}
	gen, err := stimuli.NewGenerator(basis, base, params, pairs)
	if err != nil {
		t.Fatal(err)
	}
	s := float64(analysisSide)
	in := func(x, y int, cx, cy, rx, ry float64) bool {
		fx, fy := float64(x)/s, float64(y)/s
		return (fx-cx)*(fx-cx)/(rx*rx)+(fy-cy)*(fy-cy)/(ry*ry) <= 1
	}
	scores := map[int][2]float64{}
	for i := 0; i < pairs; i++ {
		ori, inv, err := gen.Pair(i)
		if err != nil {
			t.Fatal(err)
		}
		var score [2]float64
		for y := 0; y < analysisSide; y++ {
			for x := 0; x < analysisSide; x++ {
				d := float64(ori.GrayAt(x, y).Y) - float64(inv.GrayAt(x, y).Y)
				if in(x, y, .5, .70, .2, .1) {
					score[0] += d
				}
				if in(x, y, .36, .38, .12, .08) || in(x, y, .64, .38, .12, .08) {
					score[1] += d
				}
			}
		}
		scores[i+1] = score
		for side, img := range map[string]*image.Gray{"ori": ori, "inv": inv} {
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%05d_%s.png", prefix, i+1, side)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	return scores
}

// createRcicrPacks uploads a pack of rcicr stimuli as the admin and a
// twin of it (the same images under another name, for another sex).
func createRcicrPacks(t *testing.T, s *Stack, name, twin string, pairs int) (id, twinID int, scores map[int][2]float64) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	scores = rcicrPackFiles(t, dir, name, pairs)
	id = packID(t, s.UploadDir(t, s.AdminClient(), "/api/admin/create", PackForm{name, 2, 20, 29}, dir, nil))
	twinDir := filepath.Join(t.TempDir(), twin)
	mkdir(t, twinDir)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.Link(filepath.Join(dir, f.Name()), filepath.Join(twinDir, twin+strings.TrimPrefix(f.Name(), name))); err != nil {
			t.Fatal(err)
		}
	}
	twinID = packID(t, s.UploadDir(t, s.AdminClient(), "/api/admin/create", PackForm{twin, 1, 20, 29}, twinDir, nil))
	return id, twinID, scores
}

// pairNumber is N of <prefix>_NNNNN_ori.png.
func pairNumber(t *testing.T, file string) int {
	t.Helper()
	parts := strings.Split(file, "_")
	n, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil {
		t.Fatalf("pair file %s: %v", file, err)
	}
	return n
}

// analysisFixture is what the page tests look at.
type analysisFixture struct {
	id, twin int
	a, b     []int64 // the two habits' r_ids
	flagged  []int64 // the always-left and the too-fast reply
	resumed  int64   // a reply resumed once, on two machines
	replies  int
	pairs    int
}

// makeAnalysisFixture makes the packs and the replies: five template
// observers who choose the face with the lighter mouth (set A), four who
// choose the one with the lighter eyes (set B), each with its own trials
// of the other choice, one always left, one too fast. Runs are dated 10
// minutes long (not an impossible time), the too-fast one excepted.
func makeAnalysisFixture(t *testing.T, s *Stack, pairs int) analysisFixture {
	t.Helper()
	fx := analysisFixture{pairs: pairs}
	var scores map[int][2]float64
	fx.id, fx.twin, scores = createRcicrPacks(t, s, "female20s", "male20s", pairs)
	key := func(left bool) string { return map[bool]string{true: "F", false: "J"}[left] }
	// A habit answers trial i of pair n shown with ori on the left or not.
	type habit func(i, n int, oriLeft bool) (string, float64)
	template := func(k, which int) habit {
		return func(i, n int, oriLeft bool) (string, float64) {
			pickOri := (scores[n][which] > 0) != ((n+k)%10 == 0)
			return key(oriLeft == pickOri), 0.5 + float64((i*7+k*3)%10)/10
		}
	}
	submit := func(n int, h habit) int64 {
		p := NewPerson(300+n, 2, 22)
		a, token := startRun(t, s, p)
		answers := make([][]any, len(a.PicPairs))
		for i, pair := range a.PicPairs {
			k, rt := h(i, pairNumber(t, pair[0]), strings.HasSuffix(pair[0], "_ori.png"))
			answers[i] = []any{k, rt, pair[0], pair[1]}
		}
		sub := Submission{Person: p, PID: a.PID, Answers: answers, Token: token}
		if r := s.PostJSON(t, s.Client(), "/api/reply/submit", sub); r.Status != http.StatusOK {
			t.Fatalf("submit %d: %v", n, r)
		}
		var rid int64
		if err := s.DB.Get(&rid, `SELECT r_id FROM reply WHERE no = $1`, p.No); err != nil {
			t.Fatal(err)
		}
		return rid
	}
	n := 0
	for k := 0; k < 5; k++ {
		fx.a = append(fx.a, submit(n, template(k, 0)))
		n++
	}
	for k := 0; k < 4; k++ {
		fx.b = append(fx.b, submit(n, template(k+1, 1)))
		n++
	}
	left := submit(n, func(i, _ int, _ bool) (string, float64) { return "F", 0.6 + float64(i%4)/10 })
	fast := submit(n+1, func(i, _ int, _ bool) (string, float64) { return key(i%2 == 0), 0.1 })
	fx.flagged = []int64{left, fast}
	fx.replies = n + 2
	if _, err := s.DB.Exec(`UPDATE reply SET started_at = created_at - interval '10 minutes' WHERE p_id = $1 AND r_id <> $2`, fx.id, fast); err != nil {
		t.Fatal(err)
	}
	fx.resumed = fx.a[1]
	if _, err := s.DB.Exec(`UPDATE reply SET resumes = 1, clients = '[{"userAgent":"laptop"},{"userAgent":"lab PC"}]' WHERE r_id = $1`, fx.resumed); err != nil {
		t.Fatal(err)
	}
	return fx
}

// ---- the API's answers ---------------------------------------------------------

type qualityReply struct {
	RID      int64    `json:"r_id"`
	Flags    []string `json:"flags"`
	Excluded bool     `json:"excluded"`
	RTCounts []int    `json:"rt_counts"`
	Resumes  float64  `json:"resumes"`
	Devices  float64  `json:"devices"`
	InfoVal  *float64 `json:"infoval"`
}

type qualityAnswer struct {
	Included    int            `json:"included"`
	Excluded    []int64        `json:"excluded"`
	Replies     []qualityReply `json:"replies"`
	RTHistogram struct {
		Counts []int `json:"counts"`
	} `json:"rt_histogram"`
}

type reliabilityAnswer struct {
	Replies   int     `json:"replies"`
	Excluded  []int64 `json:"excluded"`
	SplitHalf struct {
		Median, P2_5, P97_5 *float64
		Splits              int
	} `json:"split_half"`
	ICC31 *float64 `json:"icc_3_1"`
	ICC3K *float64 `json:"icc_3_k"`
}

type compareCluster struct {
	Sign   int     `json:"sign"`
	P      float64 `json:"p"`
	Mass   float64 `json:"mass"`
	Pixels int     `json:"pixels"`
	BBox   [4]int  `json:"bbox"`
	PeakT  float64 `json:"peak_t"`
}

type compareAnswer struct {
	AReplies     int              `json:"a_replies"`
	BReplies     int              `json:"b_replies"`
	Clusters     []compareCluster `json:"clusters"`
	Permutations int              `json:"permutations"`
	Alpha        float64          `json:"alpha"`
	Width        int              `json:"width"`
}

// apiJSON is GET url as the admin, decoded into v; the response is returned.
func apiJSON(t *testing.T, s *Stack, url string, v any) Response {
	t.Helper()
	r := adminGet(t, s, url)
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: %v: %s", url, err, r.Body)
	}
	return r
}

func (q qualityAnswer) flaggedIDs() []int64 {
	var out []int64
	for _, r := range q.Replies {
		if len(r.Flags) > 0 {
			out = append(out, r.RID)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// apa is a correlation as the page writes it: .87, −.05, NA.
func apa(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "NA"
	}
	s := strings.TrimPrefix(strconv.FormatFloat(math.Abs(*v), 'f', 2, 64), "0")
	if *v < 0 && s != ".00" {
		return "−" + s
	}
	return s
}

// methodsSentence is the sentence the page must show for this answer.
func methodsSentence(r reliabilityAnswer, excluded, version, seed string) string {
	sh := r.SplitHalf
	return fmt.Sprintf("The classification image's permuted split-half reliability (%s random splits, Spearman–Brown corrected) "+
		"was r = %s (95%% interval %s–%s); ICC(3,1) = %s, ICC(3,k) = %s (n = %d participants; %s). Computed with Psyx %s (seed %s).",
		thousands(sh.Splits), apa(sh.Median), apa(sh.P2_5), apa(sh.P97_5), apa(r.ICC31), apa(r.ICC3K), r.Replies, excluded, version, seed)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
