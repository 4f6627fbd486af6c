package results

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// luma must stay GrayModel's formula, and every fast path of toGrey must
// give what GrayModel.Convert gives pixel by pixel.
func TestToGreyMatchesGrayModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const w, h = 13, 7
	rect := image.Rect(2, 3, 2+w, 3+h) // a non-zero origin too
	fill := func(set func(x, y int, r, g, b, a uint8)) {
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				set(x, y, uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)))
			}
		}
	}
	gray, rgba, nrgba := image.NewGray(rect), image.NewRGBA(rect), image.NewNRGBA(rect)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.RGBA{200, 30, 90, 255}, color.White})
	g16 := image.NewGray16(rect)
	fill(func(x, y int, r, g, b, a uint8) {
		gray.SetGray(x, y, color.Gray{r})
		rgba.SetRGBA(x, y, color.RGBA{min(r, a), min(g, a), min(b, a), a}) // premultiplied
		nrgba.SetNRGBA(x, y, color.NRGBA{r, g, b, a})
		yi, ci := ycc.YOffset(x, y), ycc.COffset(x, y)
		ycc.Y[yi], ycc.Cb[ci], ycc.Cr[ci] = r, g, b
		pal.SetColorIndex(x, y, r%3)
		g16.SetGray16(x, y, color.Gray16{uint16(r)<<8 | uint16(g)})
	})
	for _, tc := range []struct {
		name string
		img  image.Image
	}{{"gray", gray}, {"rgba", rgba}, {"nrgba", nrgba}, {"ycbcr", ycc}, {"paletted", pal}, {"gray16", g16}} {
		t.Run(tc.name, func(t *testing.T) {
			g := toGrey(tc.img)
			if g.w != w || g.h != h {
				t.Fatalf("size %dx%d, want %dx%d", g.w, g.h, w, h)
			}
			for y := range h {
				for x := range w {
					want := color.GrayModel.Convert(tc.img.At(rect.Min.X+x, rect.Min.Y+y)).(color.Gray).Y
					if got := g.pix[y*w+x]; got != want {
						t.Fatalf("(%d,%d): %d, GrayModel says %d", x, y, got, want)
					}
				}
			}
		})
	}
}

func TestDecodeRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content string }{
		{"empty.png", ""},
		{"text.png", "not an image"},
		{"gif.png", "GIF89a\x01\x00\x01\x00\x00\x00\x00;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := decodeGrey(p); err == nil {
				t.Error("decoded")
			}
		})
	}
	if _, err := decodeGrey(filepath.Join(dir, "missing.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// writeGreyPNG writes a w×h grey PNG of one value (for size-mismatch tests).
func writeGreyPNG(t *testing.T, path string, w, h int, v uint8) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
