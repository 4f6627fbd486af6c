package results

import (
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
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

// Whatever a pack's file holds is told apart: too large by its header
// (nothing decoded), unreadable with the decoder's or the system's reason
// (a FIFO included, which must not hang the computation), or decoded.
func TestDecodeRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	good := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.PNG)
	for _, tc := range []struct {
		name    string
		content []byte // nil: see make
		make    func(path string) error
		want    error // nil: decodes
	}{
		{"empty.png", []byte{}, nil, &UnreadableImageError{"empty.png", "image: unknown format"}},
		{"text.png", []byte("not an image"), nil, &UnreadableImageError{"text.png", "image: unknown format"}},
		{"gif.png", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), nil, &UnreadableImageError{"gif.png", "image: unknown format"}},
		{"bomb.png", testkit.PNGBomb(100000, 100000), nil, &ImageTooLargeError{"bomb.png", 100000, 100000}},
		{"over.png", testkit.FlatPNG(32, 33), nil, &ImageTooLargeError{"over.png", 32, 33}},
		{"limit.png", testkit.FlatPNG(32, 32), nil, nil},
		{"cut.png", testkit.Truncated(good, len(good)/2), nil, &UnreadableImageError{"cut.png", "png: invalid format: not enough pixel data"}},
		{"missing.png", nil, func(string) error { return nil }, &UnreadableImageError{"missing.png", "no such file or directory"}},
		{"folder.png", nil, func(p string) error { return os.Mkdir(p, 0o755) }, &UnreadableImageError{"folder.png", "not a regular file"}},
		{"fifo.png", nil, func(p string) error { return syscall.Mkfifo(p, 0o644) }, &UnreadableImageError{"fifo.png", "not a regular file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			var err error
			if tc.make != nil {
				err = tc.make(p)
			} else {
				err = os.WriteFile(p, tc.content, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeGrey(p, 32*32)
			if !reflect.DeepEqual(err, tc.want) {
				t.Errorf("got %#v, want %#v", err, tc.want)
			}
		})
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
