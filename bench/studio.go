package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// The generated pack the generate and analysis scenarios share: rcicr's
// defaults (sinusoid, 5 scales) at 512², as issues #16 and #17 size them.
const (
	genName    = "gen"
	genPairs   = 300
	genSize    = 512
	genReplies = 100
)

// generate: POST /api/admin/generate of 300 pairs of 512² from a 512² colour
// face, straight to the service; its time, a pair's share, the service's
// RSS growth, against cat + fsync of the 600 PNGs it wrote (the limit).
func (b *Bench) generate() error {
	say("generate: %d pairs of %d² from one base face", genPairs, genSize)
	fields := []testkit.Field{{Name: "pack_name", Value: genName}, {Name: "sex", Value: "2"}, {Name: "age_min", Value: "110"},
		{Name: "age_max", Value: "120"}, {Name: "trials", Value: strconv.Itoa(genPairs)}, {Name: "img_size", Value: strconv.Itoa(genSize)}, {Name: "seed", Value: "1"}}
	face := testkit.PackFile{Name: "face.png", Data: testkit.Encode(testkit.BaseImage(genSize), testkit.PNG)}
	contentType, body, err := testkit.MultipartBody(fields, "base", []testkit.PackFile{face})
	if err != nil {
		return err
	}
	rss := rssKB(b.psyxPID)
	if err := resetHWM(b.psyxPID); err != nil {
		return err
	}
	t0 := time.Now()
	answer, err := b.send(http.MethodPost, "/api/admin/generate", contentType, body)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	took := time.Since(t0)
	growth := hwmKB(b.psyxPID) - rss
	b.genRSS = rss
	if _, err := fmt.Sscanf(string(answer), "Pack %d Added.", &b.genID); err != nil {
		return fmt.Errorf("generate answered %q", answer)
	}
	dir := filepath.Join(b.st.DataDir, "packs", genName)
	var files []string
	for pair := 1; pair <= genPairs; pair++ {
		for side := range 2 {
			files = append(files, filepath.Join(dir, packs.GeneratedFileName(genName, pair, side)))
		}
	}
	cat, err := catAndSync(files, filepath.Join(b.work, "catdir"))
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("generate %d pairs of %d² sinusoid from one base face, published", genPairs, genSize),
		fmt.Sprintf("%.2f s, %.1f ms a pair; cat + fsync of its 600 PNGs %.3f s (%.1f ms a pair)",
			took.Seconds(), 1e3*took.Seconds()/genPairs, cat.Seconds(), 1e3*cat.Seconds()/genPairs),
		"≤ 20 s", verdict(took <= 20*time.Second))
	b.row("that generate's RSS: before / growth until its answer", fmt.Sprintf("%s / %s MB", mb(rss), mb(growth)),
		"growth ≤ 300 MB", verdict(growth <= 300*1024))
	b.note("curl -F pack_name=gen -F sex=2 -F age_min=110 -F age_max=120 -F trials=300 -F img_size=512 -F seed=1 -F base=@face.png %s/api/admin/generate   (face.png: testkit.BaseImage(512), colour); then cat + sync of the 600 PNGs it wrote", b.base)
	return nil
}

// analysis: on the generated pack with 100 random responders' replies
// (inserted by SQL), the group CI (the pack's statistics from its
// parameters, computed here first), the reliability (1,000 splits) and the
// comparison of 50 against 50 replies (1,000 permutations), each cold (a
// selection not asked for before: one reply left out) and cached; the
// service's RSS growth over all of it. The pack is removed after.
func (b *Bench) analysis() error {
	if b.genID == 0 {
		b.row("analysis", "not run: the generate scenario did not run", "", "")
		return nil
	}
	say("analysis: %d replies on the generated pack", genReplies)
	rids, err := b.insertRandomReplies(b.genID, genReplies)
	if err != nil {
		return err
	}
	list := func(ids []int64) string {
		s := make([]string, len(ids))
		for i, r := range ids {
			s[i] = strconv.FormatInt(r, 10)
		}
		return strings.Join(s, ",")
	}
	// The peak since before the generate: the pack's statistics file is
	// computed in the background from its answer on.
	rss := b.genRSS
	get := func(path string) (time.Duration, error) {
		t0 := time.Now()
		if _, err := b.send(http.MethodGet, path, "", nil); err != nil {
			return 0, err
		}
		return time.Since(t0), nil
	}
	ci, err := get(fmt.Sprintf("/api/admin/ci?id=%d", b.genID))
	if err != nil {
		return err
	}
	type step struct {
		what, target string
		bound        time.Duration
		path         func(i int) string
	}
	reliability := func(i int) string {
		return fmt.Sprintf("/api/admin/reliability?id=%d&exclude=%d", b.genID, rids[i])
	}
	compare := func(i int) string {
		return fmt.Sprintf("/api/admin/compare?id=%d&a_r=%s&b_r=%s&exclude=%d", b.genID, list(rids[:50]), list(rids[50:]), rids[i])
	}
	steps := []step{
		{"reliability, 1,000 splits of 99 replies, cold (3 selections)", "≤ 2 s", 2 * time.Second, reliability},
		{"compare 50 vs 50 replies (one left out), 1,000 permutations, cold (2 selections)", "≤ 30 s", 30 * time.Second, compare},
	}
	for n, s := range steps {
		var cold []time.Duration
		for i := range 3 - n {
			d, err := get(s.path(i))
			if err != nil {
				return err
			}
			cold = append(cold, d)
		}
		cached, err := get(s.path(0))
		if err != nil {
			return err
		}
		worst := slices.Max(cold)
		b.row(s.what, fmt.Sprintf("%s s (worst %.3f s); cached %.2f ms", durations(cold), worst.Seconds(), 1e3*cached.Seconds()),
			s.target+", cached ≤ 10 ms", verdict(worst <= s.bound && cached <= 10*time.Millisecond))
	}
	growth := hwmKB(b.psyxPID) - rss
	b.row("the pack's statistics from its parameters, then the group CI of 100 replies (cold)", fmt.Sprintf("%.3f s", ci.Seconds()), "", "")
	b.row("RSS before the generate / growth until the end of the analysis (background statistics, CI, reliabilities, comparisons; the statistics file's mapped pages included)", fmt.Sprintf("%s / %s MB", mb(rss), mb(growth)),
		"growth ≤ 500 MB", verdict(growth <= 500*1024))
	b.note("%d replies of random responders (10%% timeouts) inserted by SQL into the generated pack; GET %s/api/admin/ci?id=ID, then /api/admin/reliability?id=ID&exclude=R (R: one reply, three different), then /api/admin/compare?id=ID&a_r=FIRST50&b_r=LAST50&exclude=R (two different), each again for the cached figure", genReplies, b.base)
	if _, err := b.send(http.MethodGet, fmt.Sprintf("/api/admin/remove?id=%d", b.genID), "", nil); err != nil {
		return fmt.Errorf("remove the generated pack: %w", err)
	}
	return nil
}

// insertRandomReplies stores n random responders' replies to pack id (its
// pairs in pack order, 10% timeouts) and returns their
// r_ids in order.
func (b *Bench) insertRandomReplies(id, n int) ([]int64, error) {
	pairs := make([]model.Pair, genPairs)
	for i := range pairs {
		pairs[i] = model.Pair{packs.GeneratedFileName(genName, i+1, model.Ori), packs.GeneratedFileName(genName, i+1, model.Inv)}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rids := make([]int64, n)
	for r := range n {
		raw := testkit.RandomResponderAnswers(pairs, rng)
		if err := b.st.DB.QueryRow(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers)
			VALUES ($1, '홍길동', 'hong@example.com', '2020123', 2, 115, '010-1234-5678', $2) RETURNING r_id`, id, string(raw)).Scan(&rids[r]); err != nil {
			return nil, fmt.Errorf("insert replies: %w", err)
		}
	}
	return rids, nil
}

// send makes one request straight to the service and returns its body;
// any status but 200 is an error carrying the body.
func (b *Bench) send(method, path, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(method, b.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %.200s", method, path, resp.StatusCode, answer)
	}
	return answer, nil
}

func durations(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = fmt.Sprintf("%.3f", d.Seconds())
	}
	return strings.Join(s, " / ")
}
