package results

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"os"
	"path/filepath"
)

// grey is an 8-bit grey image, row-major: pixel (x, y) is pix[y*w+x].
type grey struct {
	w, h int
	pix  []uint8
}

// decodeGrey reads a PNG or JPEG file, grey or colour, as 8-bit grey.
// Colour counts by its Rec. 601 luminance exactly as color.GrayModel
// computes it, so a colour image and its grey twin agree within rounding.
func decodeGrey(path string) (grey, error) {
	f, err := os.Open(path)
	if err != nil {
		return grey{}, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	img, format, err := image.Decode(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return grey{}, fmt.Errorf("results: decode %s: %w", filepath.Base(path), err)
	}
	if format != "png" && format != "jpeg" {
		return grey{}, fmt.Errorf("results: decode %s: %s is neither PNG nor JPEG", filepath.Base(path), format)
	}
	return toGrey(img), nil
}

// toGrey converts any image to 8-bit grey. The common decoder outputs have
// fast paths that call the concrete colour's RGBA method (no interface
// boxing per pixel); every path ends in luma, GrayModel's own formula.
func toGrey(img image.Image) grey {
	b := img.Bounds()
	g := grey{w: b.Dx(), h: b.Dy(), pix: make([]uint8, b.Dx()*b.Dy())}
	i := 0
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			o := m.PixOffset(b.Min.X, y)
			i += copy(g.pix[i:i+g.w], m.Pix[o:o+g.w])
		}
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				r, gg, bb, _ := color.YCbCr{Y: m.Y[yi], Cb: m.Cb[ci], Cr: m.Cr[ci]}.RGBA()
				g.pix[i] = luma(r, gg, bb)
				i++
			}
		}
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				o := m.PixOffset(x, y)
				r, gg, bb, _ := color.RGBA{R: m.Pix[o], G: m.Pix[o+1], B: m.Pix[o+2], A: m.Pix[o+3]}.RGBA()
				g.pix[i] = luma(r, gg, bb)
				i++
			}
		}
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				o := m.PixOffset(x, y)
				r, gg, bb, _ := color.NRGBA{R: m.Pix[o], G: m.Pix[o+1], B: m.Pix[o+2], A: m.Pix[o+3]}.RGBA()
				g.pix[i] = luma(r, gg, bb)
				i++
			}
		}
	default: // paletted, 16-bit, CMYK JPEG…: rare, so the generic path
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.pix[i] = color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
				i++
			}
		}
	}
	return g
}

// luma is color.GrayModel's conversion of 16-bit (alpha-premultiplied) RGB:
// Y = 0.299 R + 0.587 G + 0.114 B (Rec. 601) in 16.16 fixed point, rounded
// to 8 bits. A test checks it against color.GrayModel.
func luma(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 24)
}
