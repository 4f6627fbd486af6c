package results

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// What Compute stores is exact: G from the decoded images, the base, the
// sizes and seed.
func TestComputeContents(t *testing.T) {
	pack, pairs := writePack(t, testkit.RCOptions{Size: 24, Pairs: 12, Seed: 8})
	s := computeOpen(t, pairs, 99)
	if s.Width() != 24 || s.Height() != 24 || s.Pairs() != 12 || s.Seed() != 99 {
		t.Fatalf("sizes %dx%d, %d pairs, seed %d", s.Width(), s.Height(), s.Pairs(), s.Seed())
	}
	d := make([][]float64, len(pairs))
	for i, p := range pairs {
		ori, inv := decodeFile(t, p.Ori), decodeFile(t, p.Inv)
		d[i] = make([]float64, len(ori.pix))
		for k := range ori.pix {
			d[i][k] = float64(int(ori.pix[k]) - int(inv.pix[k]))
		}
	}
	for i := range d {
		for j := range d {
			want := 0.0
			for k := range d[i] {
				want += d[i][k] * d[j][k]
			}
			if s.gram[i*s.n+j] != want {
				t.Fatalf("G[%d][%d] = %v, want %v exactly", i, j, s.gram[i*s.n+j], want)
			}
			if got, wantC := s.GramAt(i, j), want*dScale*dScale; got != wantC {
				t.Fatalf("Gram(%d,%d) = %v, want %v", i, j, got, wantC)
			}
		}
	}
	// ori + inv − 0.5 is the base face, each image rounded by ≤ 0.5/255.
	if diff := maxAbsDiff(s.Base(), pack.Base); diff > 1.0/255 {
		t.Errorf("base differs from the generator's by %.3g > 1/255", diff)
	}
}

// Open refuses every file that is not exactly what Compute wrote.
func TestOpenRefusesDamage(t *testing.T) {
	_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 6, Seed: 1})
	dir := t.TempDir()
	good := filepath.Join(dir, "good.stats")
	if err := Compute(context.Background(), pairs, 1, good, ComputeOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	l := layoutOf(16, 16, 6, Responders, kindImages)
	flip := func(off int64) func([]byte) []byte {
		return func(b []byte) []byte { b[off] ^= 0x10; return b }
	}
	withVersion := func(v uint32) func([]byte) []byte {
		return func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[8:], v)
			binary.LittleEndian.PutUint32(b[60:], crc32.Checksum(b[:60], castagnoli))
			return b
		}
	}
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
		want   error
	}{
		{"empty", func(b []byte) []byte { return b[:0] }, ErrCorrupt},
		{"half a header", func(b []byte) []byte { return b[:30] }, ErrCorrupt},
		{"header only", func(b []byte) []byte { return b[:headerSize] }, ErrCorrupt},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }, ErrCorrupt},
		{"truncated in the noise", func(b []byte) []byte { return b[:l.base-7] }, ErrCorrupt},
		{"one byte appended", func(b []byte) []byte { return append(b, 0) }, ErrCorrupt},
		{"flipped byte in the magic", flip(3), ErrCorrupt},
		{"flipped byte in the sizes", flip(13), ErrCorrupt},
		{"flipped byte in the noise", flip(l.noise + 100), ErrCorrupt},
		{"flipped byte in the base", flip(l.base + 5), ErrCorrupt},
		{"flipped byte in the sums", flip(l.sums + 3), ErrCorrupt},
		{"said to be a generated pack's", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[28:], kindGenerated)
			binary.LittleEndian.PutUint32(b[60:], crc32.Checksum(b[:60], castagnoli))
			return b
		}, ErrCorrupt},
		{"flipped byte in the Gram matrix", flip(l.gram + 17), ErrCorrupt},
		{"flipped byte in the reference", flip(l.m + 1000), ErrCorrupt},
		{"flipped last byte", flip(l.end - 1), ErrCorrupt},
		{"version 1 (before pixel sums)", withVersion(1), ErrVersion},
		{"version 3", withVersion(3), ErrVersion},
		{"version 0", withVersion(0), ErrVersion},
		{"a PNG", func([]byte) []byte {
			b, _ := os.ReadFile(pairs[0].Ori)
			return b
		}, ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.stats")
			if err := os.WriteFile(p, tc.damage(append([]byte(nil), data...)), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(p)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Open(filepath.Join(dir, "missing.stats")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Packs whose images differ in size are refused with a typed error, and no
// stats file nor temp file is left.
func TestComputeRefusesMixedSizes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       func(p []PairFiles) string
		w, h       int
		wantInText string
	}{
		{"an inv narrower", func(p []PairFiles) string { return p[3].Inv }, 15, 16, "rc_00004_inv.png is 15x16"},
		{"an ori taller", func(p []PairFiles) string { return p[5].Ori }, 16, 17, "rc_00006_ori.png is 16x17"},
		{"the first inv", func(p []PairFiles) string { return p[0].Inv }, 32, 32, "rc_00001_inv.png is 32x32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 6, Seed: 1})
			writeGreyPNG(t, tc.file(pairs), tc.w, tc.h, 128)
			dir := t.TempDir()
			err := Compute(context.Background(), pairs, 1, filepath.Join(dir, "x.stats"), ComputeOptions{})
			var ipe *InconsistentPackError
			if !errors.As(err, &ipe) {
				t.Fatalf("error %v, want *InconsistentPackError", err)
			}
			if got := fmt.Sprintf("%s is %dx%d", ipe.File, ipe.W, ipe.H); got != tc.wantInText || ipe.First != "rc_00001_ori.png" || ipe.W0 != 16 {
				t.Errorf("refused %+v, want %s beside rc_00001_ori.png (16x16)", ipe, tc.wantInText)
			}
			assertEmptyDir(t, dir)
		})
	}
}

// A failed or cancelled Compute removes its temp file.
func TestComputeCleansUp(t *testing.T) {
	_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 4, Seed: 1})
	broken := append([]PairFiles(nil), pairs...)
	broken[2].Ori = filepath.Join(t.TempDir(), "missing_00003_ori.png")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		pairs []PairFiles
	}{
		{"missing image", context.Background(), broken},
		{"cancelled", cancelled, pairs},
		{"no pairs", context.Background(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Compute(tc.ctx, tc.pairs, 1, filepath.Join(dir, "x.stats"), ComputeOptions{}); err == nil {
				t.Fatal("no error")
			}
			assertEmptyDir(t, dir)
		})
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

// A process killed just before the rename leaves one recognisable temp file
// and no stats file; RemoveTemps then clears it. The crash is real: a child
// test process exits inside Compute.
func TestCrashBeforeRename(t *testing.T) {
	if out := os.Getenv("PSYX_RESULTS_CRASH_OUT"); out != "" {
		var pairs []PairFiles
		for _, ori := range strings.Split(os.Getenv("PSYX_RESULTS_CRASH_PAIRS"), "|") {
			pairs = append(pairs, PairFiles{Ori: ori, Inv: strings.TrimSuffix(ori, "_ori.png") + "_inv.png"})
		}
		err := compute(context.Background(), pairs, 1, out, ComputeOptions{}, func() { os.Exit(3) })
		t.Fatalf("compute returned (%v) instead of crashing", err)
	}
	_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 5, Seed: 1})
	var oris []string
	for _, p := range pairs {
		oris = append(oris, p.Ori)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "pack.stats")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBeforeRename$")
	cmd.Env = append(os.Environ(), "PSYX_RESULTS_CRASH_OUT="+out, "PSYX_RESULTS_CRASH_PAIRS="+strings.Join(oris, "|"))
	output, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: %v, want exit status 3\n%s", err, output)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !IsTemp(entries[0].Name()) || !strings.HasPrefix(entries[0].Name(), TempPrefix+"pack.stats-") {
		t.Fatalf("after the crash the folder holds %v, want one %spack.stats-… file", entries, TempPrefix)
	}
	if _, err := Open(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open after the crash: %v, want not exist", err)
	}
	// The temp file is complete but for its name: still never opened as
	// one. Its writer is dead, so its lock went with it.
	if n, err := RemoveTemps(dir); err != nil || n != 1 {
		t.Errorf("RemoveTemps: %d removed, %v", n, err)
	}
	assertEmptyDir(t, dir)
}

// RemoveTemps removes the temp files whose writer is gone (no lock held)
// and leaves a live writer's, and every other file.
func TestRemoveTempsKeepsOthers(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.stats", ".tmp-a.stats-123", "tmp-b", ".hidden"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	live, err := createLocked(dir, TempPrefix+"b.stats-*")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := RemoveTemps(dir); err != nil || n != 1 {
		t.Errorf("removed %d, %v; want 1 (the dead writer's)", n, err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{".hidden", filepath.Base(live.Name()), "a.stats", "tmp-b"}; !reflect.DeepEqual(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	live.Close() // the writer dies: its file goes at the next sweep
	if n, err := RemoveTemps(dir); err != nil || n != 1 {
		t.Errorf("after the writer closed: removed %d, %v; want 1", n, err)
	}
}
