package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/stimuli"
	"github.com/psyx-lab/psyx/tools/pgtest"
	"github.com/psyx-lab/psyx/tools/testkit"
)

var cluster *pgtest.Cluster

// serve sets Gin's release mode itself; the commands here need nothing else.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"version", []string{"version"}, 0, "psyx "},
		{"help", []string{"help"}, 0, "usage: psyx"},
		{"unknown", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"pack without import", []string{"pack"}, 2, "usage: psyx"},
		{"import without folder", []string{"pack", "import", "--name", "a"}, 2, "exactly one folder"},
		{"generate without base", []string{"pack", "generate", "--name", "a"}, 2, "needs --base FILE"},
		{"generate with a folder", []string{"pack", "generate", "--base", "f.png", "dir"}, 2, "needs --base FILE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.out) {
				t.Fatalf("code %d, output %q %q", code, out.String(), errOut.String())
			}
		})
	}
}

func TestPackImportCommand(t *testing.T) {
	env := testkit.Env(t, cluster.NewDatabase(t))
	t.Setenv("PSYX_DATABASE_URL", env["PSYX_DATABASE_URL"])
	t.Setenv("PSYX_DATA_DIR", env["PSYX_DATA_DIR"])
	t.Setenv("PSYX_PAIRS_PER_PACK", "2")
	src := t.TempDir()
	testkit.WritePackFiles(t, src, "f", 2)
	os.WriteFile(filepath.Join(src, ".DS_Store"), []byte{1}, 0o644)
	args := []string{"pack", "import", "--name", "local", "--sex", "2", "--age-min", "20", "--age-max", "29", src}
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 || out.String() != "Pack 1 Added.\n" {
		t.Fatalf("code %d, out %q, err %q", code, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "skipped (not a stimulus image): .DS_Store") {
		t.Errorf("skipped file not reported: %q", errOut.String())
	}
	entries, _ := os.ReadDir(filepath.Join(env["PSYX_DATA_DIR"], "packs", "local"))
	if len(entries) != 4 {
		t.Errorf("pack folder has %d files", len(entries))
	}
	out.Reset()
	errOut.Reset()
	if code := run(args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "Pack Existed") {
		t.Fatalf("second import: code %d, err %q", code, errOut.String())
	}
}

// pack import shares the upload's image checks: a file too large by its
// header, or one that does not decode, stops the import and keeps nothing.
func TestPackImportRefusesBadImages(t *testing.T) {
	env := testkit.Env(t, cluster.NewDatabase(t))
	t.Setenv("PSYX_DATABASE_URL", env["PSYX_DATABASE_URL"])
	t.Setenv("PSYX_DATA_DIR", env["PSYX_DATA_DIR"])
	t.Setenv("PSYX_PAIRS_PER_PACK", "1")
	good := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.PNG)
	tests := []struct {
		name string
		inv  []byte
		want string
	}{
		{"too large", testkit.PNGBomb(100000, 100000), "Image Too Large: f_00001_inv.png (100000×100000)"},
		{"cut", testkit.Truncated(good, len(good)/2), "Unreadable Image: f_00001_inv.png: png: invalid format: not enough pixel data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			testkit.WriteFiles(t, src, []testkit.PackFile{{Name: "f_00001_ori.png", Data: good}, {Name: "f_00001_inv.png", Data: tc.inv}})
			var out, errOut bytes.Buffer
			args := []string{"pack", "import", "--name", "local", "--sex", "2", "--age-min", "20", "--age-max", "29", src}
			if code := run(args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("code %d, out %q, err %q; want %q", code, out.String(), errOut.String(), tc.want)
			}
			for _, sub := range []string{"packs", ".staging"} {
				if entries, _ := os.ReadDir(filepath.Join(env["PSYX_DATA_DIR"], sub)); len(entries) != 0 {
					t.Errorf("%s holds %v", sub, entries)
				}
			}
		})
	}
}

// psyx pack generate makes the pack the page would: the stimulus package's
// pairs, its stimuli files, the same refusals; nothing left behind.
func TestPackGenerateCommand(t *testing.T) {
	env := testkit.Env(t, cluster.NewDatabase(t))
	t.Setenv("PSYX_DATABASE_URL", env["PSYX_DATABASE_URL"])
	t.Setenv("PSYX_DATA_DIR", env["PSYX_DATA_DIR"])
	t.Setenv("PSYX_PAIRS_PER_PACK", "2")
	dir := t.TempDir()
	face := filepath.Join(dir, "face.png")
	testkit.WriteFiles(t, dir, []testkit.PackFile{
		{Name: "face.png", Data: testkit.Encode(testkit.BaseImage(80), testkit.PNG)},
		{Name: "wide.png", Data: testkit.Encode(image.NewGray(image.Rect(0, 0, 80, 64)), testkit.PNG)},
	})
	args := []string{"pack", "generate", "--name", "gen", "--sex", "1", "--age-min", "20", "--age-max", "29", "--base", face,
		"--noise", "gabor", "--nscales", "3", "--img-size", "64", "--seed", "42", "--no-contrast"}
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 || out.String() != "Pack 1 Added.\n" {
		t.Fatalf("code %d, out %q, err %q", code, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "2 pairs of 64×64 gabor noise (3 scales), seed 42") {
		t.Errorf("stderr %q", errOut.String())
	}
	lib, err := packs.NewLibrary(env["PSYX_DATA_DIR"], 2, packs.DefaultMaxImagePixels, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	st, err := lib.ReadStimuli("gen")
	want := packs.StimuliSettings{Noise: "gabor", NScales: 3, Sigma: 25, ImgSize: 64, Trials: 2, Seed: 42, Generator: "psyx " + buildVersion()}
	if err != nil || st.Settings != want {
		t.Fatalf("stimuli %+v, %v; want %+v", st, err, want)
	}
	img, err := os.ReadFile(face)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	basis, _ := stimuli.NewBasis(64, 3, stimuli.Gabor, 25)
	base, _ := stimuli.PrepareBase(decoded, 64, false)
	params, _ := stimuli.DrawParams(42, 2, basis.NParams())
	if !slices.Equal(st.Base, base) || !slices.Equal(st.Params, params) {
		t.Error("the base or parameters kept are not those of the settings")
	}
	gen, err := stimuli.NewGenerator(basis, base, params, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, inv, _ := gen.Pair(1)
	var encoded bytes.Buffer
	if err := gen.EncodePNG(&encoded, inv); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(env["PSYX_DATA_DIR"], "packs", "gen", packs.GeneratedFileName("gen", 2, model.Inv)))
	if err != nil || !bytes.Equal(got, encoded.Bytes()) {
		t.Errorf("pair 2's inv is not the generator's PNG (%v)", err)
	}

	refusals := []struct {
		name   string
		change []string
		want   string
	}{
		{"name taken", nil, "psyx: Pack Existed"},
		{"trials", []string{"--name", "other", "--trials", "3"}, "psyx: Invalid trials: 3: must be 2, the server's pairs_per_pack"},
		{"not square", []string{"--name", "other", "--base", filepath.Join(dir, "wide.png")}, "psyx: Base Image Not Square: wide.png is 80×64"},
		{"no such base", []string{"--name", "other", "--base", filepath.Join(dir, "none.png")}, "no such file"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			errOut.Reset()
			if code := run(append(slices.Clone(args), tc.change...), &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("code %d, err %q, want %q", code, errOut.String(), tc.want)
			}
			if staged, _ := os.ReadDir(filepath.Join(env["PSYX_DATA_DIR"], ".staging")); len(staged) != 0 {
				t.Errorf("staging holds %d entries", len(staged))
			}
		})
	}
}

// The service will not listen beyond loopback unless told to, since Nginx
// (and its basic auth) is meant to be the only way in.
func TestRefusesPublicListen(t *testing.T) {
	t.Setenv("PSYX_ADDR", "0.0.0.0:5999")
	t.Setenv("PSYX_DATA_DIR", t.TempDir())
	var out, errOut bytes.Buffer
	if code := run([]string{"serve"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not a loopback address") {
		t.Fatalf("code %d, stderr %q", code, errOut.String())
	}
}
