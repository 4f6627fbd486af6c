package results

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// grey is an 8-bit grey image, row-major: pixel (x, y) is pix[y*w+x].
type grey struct {
	w, h int
	pix  []uint8
}

// imageFile is an open pack image whose header has been read.
type imageFile struct {
	f    *os.File
	name string // base name, for errors
	w, h int
}

// openImage opens a pack image and reads its header, refusing one of more
// than maxPixels pixels before anything is decoded. Whatever the file
// holds is the pack's fault, never a crash: a missing file, something
// that is not a regular file (opened without blocking, so a FIFO cannot
// hang the computation), a header that does not read or is not PNG or
// JPEG are *UnreadableImageError; only a failing machine (disk, file
// descriptors) is a plain error.
func openImage(path string, maxPixels int) (*imageFile, error) {
	name := filepath.Base(path)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, unreadable(name, err)
	}
	im := &imageFile{f: f, name: name}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, unreadable(name, err)
		}
		return nil, &UnreadableImageError{File: name, Reason: "not a regular file"}
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReaderSize(f, 4<<10))
	if err == nil && format != "png" && format != "jpeg" {
		err = image.ErrFormat // another package registered it: not a stimulus
	}
	if err != nil {
		f.Close()
		return nil, unreadable(name, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		f.Close()
		return nil, &ImageTooLargeError{File: name, W: cfg.Width, H: cfg.Height}
	}
	im.w, im.h = cfg.Width, cfg.Height
	return im, nil
}

// grey decodes the whole image as 8-bit grey and closes the file. Colour
// counts by its Rec. 601 luminance exactly as color.GrayModel computes it,
// so a colour image and its grey twin agree within rounding.
func (im *imageFile) grey() (grey, error) {
	defer im.f.Close()
	if _, err := im.f.Seek(0, io.SeekStart); err != nil {
		return grey{}, fmt.Errorf("results: decode %s: %w", im.name, err)
	}
	img, _, err := image.Decode(bufio.NewReaderSize(im.f, 64<<10))
	if err != nil {
		return grey{}, unreadable(im.name, err)
	}
	return toGrey(img), nil
}

// decodeGrey reads a PNG or JPEG file, grey or colour, as 8-bit grey,
// after its header said it has at most maxPixels pixels.
func decodeGrey(path string, maxPixels int) (grey, error) {
	im, err := openImage(path, maxPixels)
	if err != nil {
		return grey{}, err
	}
	return im.grey()
}

// unreadable is err as the image's fault, with the decoder's (or the
// system's) reason, unless it is the machine's: an I/O error, or out of
// file descriptors or memory.
func unreadable(name string, err error) error {
	for _, ours := range []error{syscall.EIO, syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM} {
		if errors.Is(err, ours) {
			return fmt.Errorf("results: read %s: %w", name, err)
		}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // "no such file or directory", without our path
	}
	return &UnreadableImageError{File: name, Reason: err.Error()}
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
