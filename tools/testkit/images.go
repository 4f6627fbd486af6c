package testkit

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// Format is an image file format of a pack.
type Format string

// The formats a pack may hold.
const (
	JPEG Format = "jpg"
	PNG  Format = "png"
)

// Stimulus is a small stand-in image of size×size pixels for pair i and
// side (0 ori, 1 inv): a grey base with a block pattern that encodes i, ori
// lighter and inv darker, so no two files of a pack are equal.
func Stimulus(i, side, size int) image.Image {
	img := image.NewGray(image.Rect(0, 0, size, size))
	shift := 40
	if side == 1 {
		shift = -40
	}
	block := max(1, size/8)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			bit := (i >> uint((x/block+8*(y/block))%16)) & 1
			img.SetGray(x, y, color.Gray{Y: uint8(128 + shift + bit*60 - 30)})
		}
	}
	return img
}

// Encode is img as a JPEG (quality 90) or PNG file's bytes. Encoding into
// memory fails only on a broken image, a bug of the test itself: it panics.
func Encode(img image.Image, f Format) []byte {
	var buf bytes.Buffer
	var err error
	if f == PNG {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		panic(fmt.Sprintf("testkit: encode %s: %v", f, err))
	}
	return buf.Bytes()
}

// PaddedJPEG is a real JPEG padded after its end marker to size bytes, as
// big as a photo without the cost of encoding one: decoders stop at the end
// marker.
func PaddedJPEG(size int) []byte {
	b := Encode(Stimulus(1, 0, 32), JPEG)
	for i := len(b); i < size; i++ {
		b = append(b, byte(i*131))
	}
	return b
}

// PackFile is one file of a pack to upload or write.
type PackFile struct {
	Name string
	Data []byte
}

// PackFiles are pairs stimulus pairs <prefix>_00001_ori.<f>, _inv.<f>, ...
// of 32×32 pixels.
func PackFiles(prefix string, pairs int, f Format) []PackFile {
	out := make([]PackFile, 0, 2*pairs)
	for i := 1; i <= pairs; i++ {
		for side, kind := range []string{"ori", "inv"} {
			out = append(out, PackFile{
				Name: fmt.Sprintf("%s_%05d_%s.%s", prefix, i, kind, f),
				Data: Encode(Stimulus(i, side, 32), f),
			})
		}
	}
	return out
}

// WriteFiles writes files into dir (created if missing).
func WriteFiles(tb testing.TB, dir string, files []PackFile) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// WritePackFiles writes a JPEG pack of pairs stimulus pairs into dir.
func WritePackFiles(tb testing.TB, dir, prefix string, pairs int) {
	tb.Helper()
	WriteFiles(tb, dir, PackFiles(prefix, pairs, JPEG))
}
