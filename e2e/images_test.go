package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// WritePackFiles writes pairs stimulus pairs into dir:
// <prefix>_00001_ori.jpg, <prefix>_00001_inv.jpg, ... Each is a small real
// JPEG (browsers can show it) with its own pixels, so no two files are equal.
func WritePackFiles(t testing.TB, dir, prefix string, pairs int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= pairs; i++ {
		for side, name := range []string{"ori", "inv"} {
			b := stimulusJPEG(t, i, side)
			path := filepath.Join(dir, fmt.Sprintf("%s_%05d_%s.jpg", prefix, i, name))
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// stimulusJPEG is a 32x32 face-sized stand-in: a grey base with a pattern
// that encodes pair i and the side (ori lighter, inv darker).
func stimulusJPEG(t testing.TB, i, side int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, stimulus(i, side), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func stimulus(i, side int) image.Image {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	shift := 40
	if side == 1 {
		shift = -40
	}
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			// Bit (x/4 + 8*(y/4)) of i, block-coded, keeps every i distinct.
			bit := (i >> uint((x/4+8*(y/4))%16)) & 1
			v := 128 + shift + bit*60 - 30
			img.SetGray(x, y, color.Gray{Y: uint8(v)})
		}
	}
	return img
}
