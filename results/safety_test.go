package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// Whatever a pack's folder holds (a pack of an older release, files
// replaced on disk), Compute answers with a typed error and leaves
// nothing: an image too large by its header is refused before any pair is
// decoded, even when it is the last one; one that does not decode is
// refused with the decoder's reason.
func TestComputeRefusesBadImages(t *testing.T) {
	const size, pairsN = 16, 6
	for _, tc := range []struct {
		name      string
		file      func(p []PairFiles) string
		plant     func(path string) error
		limit     int // MaxPixels; 0: room for every image but the bombs
		want      error
		decodesOK bool // whether pairs may be decoded before the refusal
	}{
		{"header says 100000×100000, last pair", func(p []PairFiles) string { return p[5].Inv },
			writeBytes(testkit.PNGBomb(100000, 100000)), 0, &ImageTooLargeError{"rc_00006_inv.png", 100000, 100000}, false},
		{"valid but one row over the limit", func(p []PairFiles) string { return p[0].Ori },
			writeBytes(testkit.FlatPNG(size, size+1)), size * size, &ImageTooLargeError{"rc_00001_ori.png", size, size + 1}, false},
		{"wider than the stats format allows", func(p []PairFiles) string { return p[0].Ori },
			writeBytes(testkit.FlatPNG(1<<15+1, 1)), 0, &ImageTooLargeError{"rc_00001_ori.png", 1<<15 + 1, 1}, false},
		{"cut short", func(p []PairFiles) string { return p[3].Ori }, cutFile, 0,
			&UnreadableImageError{"rc_00004_ori.png", "png: invalid format: not enough pixel data"}, true},
		{"not an image", func(p []PairFiles) string { return p[2].Inv },
			writeBytes([]byte("hello")), 0, &UnreadableImageError{"rc_00003_inv.png", "image: unknown format"}, false},
		{"gone", func(p []PairFiles) string { return p[1].Inv },
			os.Remove, 0, &UnreadableImageError{"rc_00002_inv.png", "no such file or directory"}, false},
		{"a FIFO", func(p []PairFiles) string { return p[4].Ori }, func(path string) error {
			if err := os.Remove(path); err != nil {
				return err
			}
			return syscall.Mkfifo(path, 0o644)
		}, 0, &UnreadableImageError{"rc_00005_ori.png", "not a regular file"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pairs := writePack(t, testkit.RCOptions{Size: size, Pairs: pairsN, Seed: 1})
			if err := tc.plant(tc.file(pairs)); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if tc.limit == 0 {
				tc.limit = 1 << 16
			}
			decoded := 0
			err := Compute(context.Background(), pairs, 1, filepath.Join(dir, "x.stats"),
				ComputeOptions{MaxPixels: tc.limit, Progress: func(done int) { decoded = done }})
			if !reflect.DeepEqual(err, tc.want) {
				t.Fatalf("got %#v, want %#v", err, tc.want)
			}
			if decoded > 0 && !tc.decodesOK {
				t.Errorf("%d pairs decoded before the refusal", decoded)
			}
			assertEmptyDir(t, dir)
		})
	}
}

func writeBytes(b []byte) func(string) error {
	return func(path string) error { return os.WriteFile(path, b, 0o644) }
}

// cutFile keeps the first half of a file: its header reads, its pixels
// do not.
func cutFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b[:len(b)/2], 0o644)
}

// While Compute writes, its temp file is locked: a sweep leaves it. A
// computation cancelled half-way removes it and writes no stats file.
func TestComputeCancelledHalfway(t *testing.T) {
	_, pairs := writePack(t, testkit.RCOptions{Size: 16, Pairs: 8, Seed: 1})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var during []string
	swept := -1
	err := Compute(ctx, pairs, 1, filepath.Join(dir, "x.stats"), ComputeOptions{Progress: func(done int) {
		if swept >= 0 {
			return
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			during = append(during, e.Name())
		}
		var err error
		if swept, err = RemoveTemps(dir); err != nil {
			t.Error(err)
		}
		cancel()
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if len(during) != 1 || !IsTemp(during[0]) || swept != 0 {
		t.Errorf("during the computation the folder held %v and a sweep removed %d; want one temp file, kept", during, swept)
	}
	assertEmptyDir(t, dir)
}
