package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// meta are a generated pack's name, sex and ages.
var meta = fields{"pack_name": "gen", "sex": "2", "age_min": "20", "age_max": "29"}

// A generated pack is what the stimuli package makes of the same base and
// settings, pixel for pixel; its stimuli files read back as generated, and
// the stimuli endpoint serves them.
func TestGeneratePack(t *testing.T) {
	tests := []struct {
		name   string
		base   image.Image
		format testkit.Format
		form   fields
		want   packs.StimuliSettings
	}{
		{"defaults", testkit.BaseImage(64), testkit.PNG, fields{"seed": "123"},
			packs.StimuliSettings{Noise: "sinusoid", NScales: 5, Sigma: 25, ImgSize: 64, Trials: 3, Seed: 123, MaximizeContrast: true}},
		{"gabor from a resized JPEG, no stretching", testkit.BaseImage(100), testkit.JPEG,
			fields{"noise": "gabor", "nscales": "3", "sigma": "10", "img_size": "64", "seed": "-5", "maximize_contrast": "0", "trials": "3"},
			packs.StimuliSettings{Noise: "gabor", NScales: 3, Sigma: 10, ImgSize: 64, Trials: 3, Seed: -5, MaximizeContrast: false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{pairs: 3})
			data := testkit.Encode(tc.base, tc.format)
			r := e.generate(t, "", meta.with(maps(tc.form)...), "face."+string(tc.format), data)
			wantStatus(t, r, http.StatusOK, "Pack 1 Added.")
			tc.want.Generator = "psyx test"
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			w := wantFor(t, img, tc.want)

			files := e.dirEntries(t, "packs/gen")
			wantFiles := append([]string{}, packs.StimuliFiles...)
			for i := 1; i <= 3; i++ {
				wantFiles = append(wantFiles, packs.GeneratedFileName("gen", i, model.Ori), packs.GeneratedFileName("gen", i, model.Inv))
			}
			sort.Strings(files)
			sort.Strings(wantFiles)
			if !reflect.DeepEqual(files, wantFiles) {
				t.Fatalf("pack folder holds %v, want %v", files, wantFiles)
			}
			for _, pair := range []int{0, 2} {
				ori, inv, err := w.gen.Pair(pair)
				if err != nil {
					t.Fatal(err)
				}
				dir := filepath.Join(e.DataDir, "packs", "gen")
				samePix(t, "ori", readGray(t, filepath.Join(dir, packs.GeneratedFileName("gen", pair+1, model.Ori))), ori)
				samePix(t, "inv", readGray(t, filepath.Join(dir, packs.GeneratedFileName("gen", pair+1, model.Inv))), inv)
			}

			st, err := e.library(t, 3).ReadStimuli("gen")
			if err != nil {
				t.Fatal(err)
			}
			if st.Settings != tc.want {
				t.Errorf("settings read back %+v, want %+v", st.Settings, tc.want)
			}
			if !slices.Equal(st.Params, w.params) || !slices.Equal(st.Base, w.base) {
				t.Error("parameters or base read back differ from those generated")
			}
			checkStimuliEndpoint(t, e, 1, "gen", tc.want, w)
			// A participant is served the generated pairs.
			s := e.start(t, person())
			if len(s.PicPairs) != 3 || s.PackPath != "/packs/gen" || !strings.HasPrefix(s.PicPairs[0][0], "gen_0000") {
				t.Errorf("start: %s %v", s.PackPath, s.PicPairs)
			}
		})
	}
}

// maps is a fields map as name, value pairs.
func maps(f fields) []string {
	var out []string
	for k, v := range f {
		out = append(out, k, v)
	}
	return out
}

// checkStimuliEndpoint: the settings as JSON, the parameters as rcicr's CSV
// (bit for bit) and the base as a 16-bit PNG (to half a level of 65535),
// under the pack's file names.
func checkStimuliEndpoint(t *testing.T, e *env, id int, name string, settings packs.StimuliSettings, w want) {
	t.Helper()
	path := "/api/admin/stimuli?id=" + strconv.Itoa(id)
	r := e.get(t, path)
	wantStatus(t, r, http.StatusOK, "")
	var got packs.StimuliSettings
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got != settings {
		t.Errorf("settings %s (%v), want %+v", r.Body, err, settings)
	}
	for _, key := range []string{"noise", "nscales", "sigma", "img_size", "trials", "seed", "maximize_contrast", "generator"} {
		if !strings.Contains(r.Body, `"`+key+`":`) {
			t.Errorf("settings JSON lacks %q: %s", key, r.Body)
		}
	}

	r = e.get(t, path+"&format=csv")
	wantStatus(t, r, http.StatusOK, "")
	if cd := r.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="%s-%d-params.csv"`, name, id) {
		t.Errorf("CSV Content-Disposition %q", cd)
	}
	params, trials, np, err := stimuli.ReadParamsCSV(strings.NewReader(r.Body), 0, 0)
	if err != nil || trials != settings.Trials || np != packs.NParams(settings.NScales) || !slices.Equal(params, w.params) {
		t.Errorf("CSV: %d×%d, %v; the parameters differ from those generated", trials, np, err)
	}
	if head := r.Body[:strings.IndexByte(r.Body, '\n')]; !strings.HasPrefix(head, "trial,p1,p2,") || !strings.HasSuffix(head, ",p"+strconv.Itoa(np)) {
		t.Errorf("CSV header %.40q…", head)
	}

	r = e.get(t, path+"&format=base")
	wantStatus(t, r, http.StatusOK, "")
	if ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"); ct != "image/png" ||
		cd != fmt.Sprintf(`attachment; filename="%s-%d-base.png"`, name, id) {
		t.Errorf("base: %s, %s", ct, cd)
	}
	if _, ok := decodePNG(t, []byte(r.Body)).(*image.Gray16); !ok {
		t.Error("the base is not a 16-bit grey PNG")
	}
	base, size, err := stimuli.DecodeBase16(strings.NewReader(r.Body))
	if err != nil || size != settings.ImgSize {
		t.Fatalf("base: side %d, %v", size, err)
	}
	for i := range base {
		if d := math.Abs(base[i] - w.base[i]); d > 0.5/65535+1e-12 {
			t.Fatalf("base pixel %d: %v, generated %v", i, base[i], w.base[i])
		}
	}
}

// Given rcicr's own parameters (its params.csv), the pipeline the endpoint
// uses writes rcicr's PNGs, to within one grey level, into a registered pack.
func TestGenerateFromRcicrParameters(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 4})
	const fixture = "../stimuli/testdata/rcicr"
	face := readFile(t, filepath.Join(fixture, "face.png"))
	for i, noise := range []string{"sinusoid", "gabor"} {
		params, trials, _, err := stimuli.ReadParamsCSV(bytes.NewReader(readFile(t, filepath.Join(fixture, noise, "params.csv"))), 0, 0)
		if err != nil || trials != 4 {
			t.Fatalf("%s params.csv: %d trials, %v", noise, trials, err)
		}
		lib := e.library(t, 4)
		form := &packs.GenerateForm{Fields: map[string]string{"noise": noise, "nscales": "5", "sigma": "25", "seed": "7"},
			BaseName: "face.png", Base: face, Params: params}
		plan, err := lib.NewPlan(form, packs.PlanOptions{MaxPixels: packs.DefaultMaxImagePixels, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		name := "rc" + noise[:3]
		id, err := lib.Generate(t.Context(), e.Store, packs.Meta{Name: name, Sex: 1, AgeMin: 10 * i, AgeMax: 10*i + 9}, plan)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0
		for pair := 1; pair <= 4; pair++ {
			for side, kind := range []string{"ori", "inv"} {
				got := readGray(t, filepath.Join(e.DataDir, "packs", name, packs.GeneratedFileName(name, pair, side)))
				rc := decodePNG(t, readFile(t, filepath.Join(fixture, noise, fmt.Sprintf("rc_base_7_%05d_%s.png", pair, kind))))
				if got.Bounds() != rc.Bounds() {
					t.Fatalf("%s pair %d %s: %v, rcicr's %v", noise, pair, kind, got.Bounds(), rc.Bounds())
				}
				for y := range 128 {
					for x := range 128 {
						r, _, _, _ := rc.At(x, y).RGBA()
						worst = max(worst, abs(int(got.GrayAt(x, y).Y)-int(r>>8)))
					}
				}
			}
		}
		if worst > 1 {
			t.Errorf("%s: a pixel differs from rcicr's by %d grey levels", noise, worst)
		}
		st, err := lib.ReadStimuli(name)
		if err != nil || !slices.Equal(st.Params, params) || st.Settings.Trials != 4 || st.Settings.ImgSize != 128 {
			t.Errorf("%s: stimuli read back: %v", noise, err)
		}
		checkStimuliEndpoint(t, e, id, name, st.Settings, want{base: st.Base, params: params})
	}
}

func abs(x int) int { return max(x, -x) }

// Preview: the first pair of the pack the same seed makes, ori left and inv
// right; nothing stored, the pack's fields not needed, the rest checked.
func TestGeneratePreview(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	base := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	r := e.generate(t, "?preview=1", fields{"seed": "99", "noise": "gabor"}, "face.png", base)
	wantStatus(t, r, http.StatusOK, "")
	if r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Psyx-Seed") != "99" {
		t.Errorf("preview headers %v", r.Header)
	}
	w := wantFor(t, testkit.BaseImage(64), packs.StimuliSettings{Noise: "gabor", NScales: 5, Sigma: 25, ImgSize: 64, Trials: 3, Seed: 99, MaximizeContrast: true})
	ori, inv, err := w.gen.Pair(0)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, []byte(r.Body))
	if img.Bounds() != image.Rect(0, 0, 128, 64) {
		t.Fatalf("preview is %v", img.Bounds())
	}
	samePix(t, "preview's left", half(img, 0), ori)
	samePix(t, "preview's right", half(img, 1), inv)
	e.wantWhole(t, 0)

	// Without a seed, the seed drawn is told, and makes the same pair.
	r = e.generate(t, "?preview=1", fields{}, "face.png", base)
	seed, err := strconv.ParseInt(r.Header.Get("X-Psyx-Seed"), 10, 64)
	if r.Status != http.StatusOK || err != nil || seed < 0 || seed >= 1<<53 {
		t.Fatalf("preview without a seed: %d, seed %q", r.Status, r.Header.Get("X-Psyx-Seed"))
	}
	wantStatus(t, e.generate(t, "", meta.with("seed", strconv.FormatInt(seed, 10)), "face.png", base), http.StatusOK, "Pack 1 Added.")
	dir := filepath.Join(e.DataDir, "packs", "gen")
	img = decodePNG(t, []byte(r.Body))
	samePix(t, "pair 1's ori", readGray(t, filepath.Join(dir, "gen_00001_ori.png")), half(img, 0))
	samePix(t, "pair 1's inv", readGray(t, filepath.Join(dir, "gen_00001_inv.png")), half(img, 1))

	// The generation fields and the base are checked as for a pack.
	wantStatus(t, e.generate(t, "?preview=1", fields{"trials": "7"}, "face.png", base), http.StatusBadRequest,
		"Invalid trials: 7: must be 3, the server's pairs_per_pack")
	wantStatus(t, e.generate(t, "?preview=1", fields{}, "", nil), http.StatusBadRequest, "Nothing Uploaded")
	e.wantWhole(t, 1)
}

// Two generates of one name at once: one pack, the other refused, nothing
// left behind.
func TestGenerateRace(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	base := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	var wg sync.WaitGroup
	got := make([]resp, 2)
	for i := range got {
		wg.Go(func() {
			got[i] = e.generate(t, "", meta.with("age_min", strconv.Itoa(40*i), "age_max", strconv.Itoa(40*i+9)), "face.png", base)
		})
	}
	wg.Wait()
	bodies := []string{got[0].Body, got[1].Body}
	sort.Strings(bodies)
	if bodies[0] != "Pack 1 Added." && bodies[0] != "Pack 2 Added." || bodies[1] != "Pack Existed" {
		t.Fatalf("answers %q", bodies)
	}
	e.wantWhole(t, 1)
}
