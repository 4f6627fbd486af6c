package packs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// Every field's default and every rule, with the condition a refusal
// names.
func TestParseRecipe(t *testing.T) {
	free, _ := newLibrary(t, 0)
	forty, _ := newLibrary(t, 40)
	def := Recipe{Noise: stimuli.Sinusoid, NScales: 5, Sigma: 25, Trials: 300, MaximizeContrast: true}
	tests := []struct {
		name   string
		lib    *Library
		fields map[string]string
		want   Recipe       // Seed compared only when fields has one
		reason model.Reason // "" when accepted
		detail model.Reason // the refusal's rule
		values []any        // the refusal's values
	}{
		{"defaults", free, nil, def, "", "", nil},
		{"empty fields are defaults", free, map[string]string{"trials": "", "noise": "", "seed": ""}, def, "", "", nil},
		{"pairs_per_pack is the default", forty, nil, with(def, func(r *Recipe) { r.Trials = 40 }), "", "", nil},
		{"every field", free, map[string]string{"noise": "gabor", "nscales": "3", "sigma": "12.5", "trials": "2000",
			"seed": "-9223372036854775808", "maximize_contrast": "0", "img_size": "1020"},
			Recipe{Noise: stimuli.Gabor, NScales: 3, Sigma: 12.5, Trials: 2000, Seed: -1 << 63, ImgSize: 1020}, "", "", nil},
		{"maximize_contrast true", free, map[string]string{"maximize_contrast": "true", "seed": "1"}, with(def, func(r *Recipe) { r.Seed = 1 }), "", "", nil},
		{"noise", free, map[string]string{"noise": "perlin"}, def, InvalidField, WantOneOf, []any{"noise", "perlin"}},
		{"nscales 0", free, map[string]string{"nscales": "0"}, def, InvalidField, WantRange, []any{"nscales", "0"}},
		{"nscales 8", free, map[string]string{"nscales": "8"}, def, InvalidField, WantRange, []any{"nscales", "8"}},
		{"sigma 0", free, map[string]string{"sigma": "0"}, def, InvalidField, WantPositive, []any{"sigma", "0"}},
		{"sigma NaN", free, map[string]string{"sigma": "NaN"}, def, InvalidField, WantPositive, []any{"sigma", "NaN"}},
		{"sigma Inf", free, map[string]string{"sigma": "+Inf"}, def, InvalidField, WantPositive, []any{"sigma", "+Inf"}},
		{"trials 0", free, map[string]string{"trials": "0"}, def, InvalidField, WantRange, []any{"trials", "0"}},
		{"trials 2001", free, map[string]string{"trials": "2001"}, def, InvalidField, WantRange, []any{"trials", "2001"}},
		{"trials words", free, map[string]string{"trials": "three"}, def, InvalidField, WantRange, []any{"trials", "three"}},
		{"trials not pairs_per_pack", forty, map[string]string{"trials": "41"}, def, InvalidField, WantPairs, []any{"trials", "41"}},
		{"trials too many at 7 scales", free, map[string]string{"nscales": "7", "trials": "129", "img_size": "128"}, def, InvalidField, WantRangeAt, []any{"trials", "129"}},
		{"default trials too many at 7 scales", free, map[string]string{"nscales": "7", "img_size": "64"}, def, InvalidField, WantRangeAt, []any{"trials", "300"}},
		{"seed fraction", free, map[string]string{"seed": "1.5"}, def, InvalidField, WantWhole, []any{"seed", "1.5"}},
		{"seed beyond int64", free, map[string]string{"seed": "9223372036854775808"}, def, InvalidField, WantWhole, []any{"seed", "9223372036854775808"}},
		{"maximize_contrast yes", free, map[string]string{"maximize_contrast": "yes"}, def, InvalidField, WantOneOf, []any{"maximize_contrast", "yes"}},
		{"img_size 32", free, map[string]string{"img_size": "32"}, def, InvalidField, WantTiled, []any{"img_size", "32"}},
		{"img_size 1040", free, map[string]string{"img_size": "1040"}, def, InvalidField, WantTiled, []any{"img_size", "1040"}},
		{"img_size untiled", free, map[string]string{"img_size": "72"}, def, InvalidField, WantTiled, []any{"img_size", "72"}},
		{"img_size tiled at 3 scales", free, map[string]string{"img_size": "68", "nscales": "3", "seed": "2"},
			with(def, func(r *Recipe) { r.ImgSize, r.NScales, r.Seed = 68, 3, 2 }), "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.lib.ParseRecipe(tc.fields)
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, given := tc.fields["seed"]; !given || tc.fields["seed"] == "" {
					if r.Seed < 0 || r.Seed >= 1<<53 {
						t.Errorf("random seed %d outside [0, 2^53)", r.Seed)
					}
					r.Seed = tc.want.Seed
				}
				if r != tc.want {
					t.Errorf("recipe %+v, want %+v", r, tc.want)
				}
				return
			}
			var e *model.Error
			if !errors.As(err, &e) || e.Reason != tc.reason || e.Detail == nil || e.Detail.Reason != tc.detail || !slices.Equal(e.Values, tc.values) {
				t.Fatalf("error %v, want %s %v: %s", err, tc.reason, tc.values, tc.detail)
			}
		})
	}
	// Random seeds differ.
	a, _ := free.ParseRecipe(nil)
	b, _ := free.ParseRecipe(nil)
	if a.Seed == b.Seed {
		t.Errorf("two random seeds are both %d", a.Seed)
	}
}

func with(r Recipe, change func(*Recipe)) Recipe {
	change(&r)
	return r
}

// A base is judged from its header before its pixels are decoded.
func TestDecodeBase(t *testing.T) {
	square := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	jpegFace := testkit.Encode(testkit.BaseImage(64), testkit.JPEG)
	tests := []struct {
		name, file string
		data       []byte
		reason     model.Reason
		values     []any
	}{
		{"png", "face.png", square, "", nil},
		{"jpeg named png", "face.png", jpegFace, "", nil},
		{"text", "notes.png", []byte("hello"), model.InvalidImage, []any{"notes.png"}},
		{"empty", "empty.jpg", []byte{}, model.InvalidImage, []any{"empty.jpg"}},
		{"gif", "face.gif", []byte("GIF89a\x01\x00\x01\x00"), model.InvalidImage, []any{"face.gif"}},
		{"png magic only", "x.png", pngMagic, model.InvalidImage, []any{"x.png"}},
		{"not square", `C:\faces\wide.png`, testkit.Encode(image.NewGray(image.Rect(0, 0, 64, 48)), testkit.PNG), BaseNotSquare, []any{"wide.png", 64, 48}},
		{"over max pixels", "big.png", testkit.Encode(image.NewGray(image.Rect(0, 0, 1025, 1025)), testkit.PNG), model.ImageTooLarge, []any{"big.png", 1025, 1025}},
		// The header alone claims 30000² pixels: refused without decoding.
		{"huge header", "huge.png", withPNGSize(t, square, 30000, 30000), model.ImageTooLarge, []any{"huge.png", 30000, 30000}},
		{"cut pixels", "cut.png", square[:len(square)/2], model.UnreadableImage, []any{"cut.png", "png: invalid format: not enough pixel data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, side, err := decodeBase(tc.file, tc.data, DefaultMaxImagePixels)
			if tc.reason == "" {
				if err != nil || side != 64 || img.Bounds().Dx() != 64 {
					t.Fatalf("side %d, %v", side, err)
				}
				return
			}
			var e *model.Error
			if !errors.As(err, &e) || e.Reason != tc.reason || !slices.Equal(e.Values, tc.values) {
				t.Fatalf("error %v, want %s %v", err, tc.reason, tc.values)
			}
		})
	}
	flat := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range flat.Pix {
		flat.Pix[i] = 128
	}
	if _, err := prepareBase("flat.png", flat, 64, true); model.ReasonOf(err) != BaseFlat {
		t.Errorf("flat base with stretching: %v", err)
	}
	if base, err := prepareBase("flat.png", flat, 64, false); err != nil || base[0] != 128.0/255 {
		t.Errorf("flat base without stretching: %v", err)
	}
}

// withPNGSize is a PNG whose header says w×h (its checksum mended).
func withPNGSize(t *testing.T, data []byte, w, h uint32) []byte {
	t.Helper()
	out := bytes.Clone(data)
	if string(out[12:16]) != "IHDR" {
		t.Fatal("no IHDR first")
	}
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// planFor is a plan of pairs pairs of 64² from a face.
func planFor(t *testing.T, l *Library, fields map[string]string) *Plan {
	t.Helper()
	p, err := l.NewPlan(&GenerateForm{Fields: fields, BaseName: "face.png", Base: testkit.Encode(testkit.BaseImage(64), testkit.PNG)},
		PlanOptions{MaxPixels: DefaultMaxImagePixels, Version: "1.2"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The stimuli files read back as written; a pack of images has none
// (fs.ErrNotExist); damaged files are refused, sizes before reading.
func TestReadStimuli(t *testing.T) {
	l, dir := newLibrary(t, 2)
	p := planFor(t, l, map[string]string{"seed": "5", "nscales": "2"})
	u, err := l.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.writeStimuli(u); err != nil {
		t.Fatal(err)
	}
	if err := u.Publish("gen"); err != nil {
		t.Fatal(err)
	}
	st, err := l.ReadStimuli("gen")
	if err != nil {
		t.Fatal(err)
	}
	want := StimuliSettings{Noise: "sinusoid", NScales: 2, Sigma: 25, ImgSize: 64, Trials: 2, Seed: 5, MaximizeContrast: true, Generator: "psyx 1.2"}
	if st.Settings != want || !slices.Equal(st.Params, p.params) || !slices.Equal(st.Base, p.base) || len(st.Params) != 2*NParams(2) {
		t.Fatalf("read back %+v, %d parameters", st.Settings, len(st.Params))
	}

	if err := stage(t, l, "a_00001_ori.jpg", "a_00001_inv.jpg").Publish("images"); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func(string) error{
		func(n string) error { _, err := l.ReadStimuli(n); return err },
		func(n string) error { _, err := l.ReadStimuliSettings(n); return err },
	} {
		if err := read("images"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a pack of images: %v, want fs.ErrNotExist", err)
		}
	}

	settings := filepath.Join(dir, "packs", "gen", StimuliSettingsFile)
	good, _ := os.ReadFile(settings)
	params := filepath.Join(dir, "packs", "gen", StimuliParamsFile)
	goodParams, _ := os.ReadFile(params)
	damages := []struct {
		name, file string
		data       []byte
		says       string
	}{
		{"settings not JSON", settings, []byte("{"), "stimuli.json"},
		{"settings too large", settings, bytes.Repeat([]byte(" "), maxSettingsBytes+1), "at most 4096"},
		{"a billion trials", settings, bytes.Replace(good, []byte(`"trials":2`), []byte(`"trials":1000000000`), 1), "trials 1000000000"},
		{"unknown noise", settings, bytes.Replace(good, []byte(`sinusoid`), []byte(`perlin`), 1), "noise"},
		{"untiled size", settings, bytes.Replace(good, []byte(`"img_size":64`), []byte(`"img_size":65`), 1), "img_size 65"},
		{"more trials than the parameters", settings, bytes.Replace(good, []byte(`"trials":2`), []byte(`"trials":3`), 1), "want"},
		{"parameters cut", params, goodParams[:len(goodParams)-8], "want"},
		{"parameters flipped", params, append(bytes.Clone(goodParams[:100]), append([]byte{goodParams[100] ^ 1}, goodParams[101:]...)...), "checksum"},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			orig, _ := os.ReadFile(d.file)
			t.Cleanup(func() { os.WriteFile(d.file, orig, 0o644) })
			if err := os.WriteFile(d.file, d.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := l.ReadStimuli("gen")
			if err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), d.says) {
				t.Fatalf("error %v, want one saying %q", err, d.says)
			}
		})
	}
	base := filepath.Join(dir, "packs", "gen", StimuliBaseFile)
	if err := os.Rename(base, base+".gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ReadStimuli("gen"); err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("stimuli.base missing: %v, want damage (not fs.ErrNotExist)", err)
	}
	if _, err := l.ReadStimuli("../gen"); err == nil {
		t.Error("a pack name with a path read")
	}
}

// A preview plan renders one pair and cannot be staged; AddGenerated takes
// only stimulus image names and the stimuli files.
func TestPlanLimits(t *testing.T) {
	l, _ := newLibrary(t, 2)
	p, err := l.NewPlan(&GenerateForm{Fields: map[string]string{"seed": "1"}, BaseName: "f.png", Base: testkit.Encode(testkit.BaseImage(64), testkit.PNG)},
		PlanOptions{MaxPixels: DefaultMaxImagePixels, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.rows != 1 || p.Settings.Trials != 2 {
		t.Errorf("preview plan of %d rows, settings %d trials", p.rows, p.Settings.Trials)
	}
	if _, err := l.Generate(t.Context(), nil, Meta{Name: "x"}, p); err == nil {
		t.Error("a preview plan was staged")
	}
	u, err := l.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Discard()
	for _, name := range []string{"../x_00001_ori.png", "notes.txt", ".stimuli.json", "sub/stimuli.json"} {
		if err := u.AddGenerated(name, []byte("x")); err == nil {
			t.Errorf("AddGenerated(%q) accepted", name)
		}
	}
	if err := u.AddGenerated(StimuliSettingsFile, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := u.AddGenerated(StimuliSettingsFile, []byte("{}")); err == nil {
		t.Error("a file written twice")
	}
	// A pixel-perfect side by side: grey levels of the two halves differ
	// where the noise is (ori brighter where inv is darker).
	var buf bytes.Buffer
	if err := p.WritePreview(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := decodeGray(buf.Bytes())
	if err != nil || img.Bounds() != image.Rect(0, 0, 128, 64) {
		t.Fatalf("preview %v, %v", img, err)
	}
	ori, inv, _ := p.gen.Pair(0)
	if img.GrayAt(3, 5) != ori.GrayAt(3, 5) || img.GrayAt(64+3, 5) != inv.GrayAt(3, 5) {
		t.Errorf("preview pixels %v %v, pair %v %v", img.GrayAt(3, 5), img.GrayAt(67, 5), ori.GrayAt(3, 5), inv.GrayAt(3, 5))
	}
}

func decodeGray(data []byte) (*image.Gray, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, errors.New("not grey")
	}
	return g, nil
}
