package testkit

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The generator writes rcicr's file names and images whose 8-bit values are
// (base ± (noise + 0.3)/0.6)/2 rounded.
func TestWriteRCPack(t *testing.T) {
	dir := t.TempDir()
	pack, err := WriteRCPack(dir, RCOptions{Size: 16, Pairs: 3, Prefix: "x", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(pack.Pairs) != 3 || pack.Pairs[2].Ori != filepath.Join(dir, "x_00003_ori.png") ||
		pack.Pairs[2].Inv != filepath.Join(dir, "x_00003_inv.png") {
		t.Fatalf("pairs %v", pack.Pairs)
	}
	f, err := os.Open(pack.Pairs[1].Inv)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range pack.Noise[1] {
		if math.Abs(n) > 0.3 {
			t.Errorf("noise %v outside ±0.3", n)
		}
		x, y := p%16, p/16
		r, _, _, _ := img.At(x, y).RGBA()
		want := math.Round(255 * (pack.Base[p] + (-n+0.3)/0.6) / 2)
		if got := float64(r >> 8); got != want {
			t.Fatalf("(%d,%d): %v, want %v", x, y, got, want)
		}
	}
	again, err := WriteRCPack(t.TempDir(), RCOptions{Size: 16, Pairs: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if again.Noise[2][7] != pack.Noise[2][7] {
		t.Error("the same seed gave other noise")
	}
}

func TestKeyFor(t *testing.T) {
	for _, c := range []struct {
		resp    int8
		oriLeft bool
		want    string
	}{{1, true, "F"}, {1, false, "J"}, {-1, true, "J"}, {-1, false, "F"}, {0, true, " "}} {
		if got := KeyFor(c.resp, c.oriLeft); got != c.want {
			t.Errorf("KeyFor(%d, %v) = %q, want %q", c.resp, c.oriLeft, got, c.want)
		}
	}
}
