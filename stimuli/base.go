package stimuli

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// MaxSourceSize bounds the side of an image given to PrepareBase (its grey
// copy is side²·8 bytes: 128 MB at 4096).
const MaxSourceSize = 4096

// PrepareBase turns a decoded image (PNG or JPEG, grey or colour) into the
// base face as generateStimuli2IFC uses it, size×size grey values in [0, 1],
// row-major:
//
//  1. grey = the mean of R, G and B (apply(img, c(1, 2), mean) in rcicr: not
//     a luminance), each channel scaled to [0, 1] as png::readPNG does
//     (8-bit v/255, 16-bit v/65535); a grey image is its own grey;
//  2. if the image's side is not size, resampled to size×size with a
//     Catmull-Rom kernel in float64 (see resizeCatmullRom; rcicr itself
//     refuses a base of the wrong size);
//  3. if maximizeContrast, stretched to (x−min)/(max−min) as rcicr does,
//     which fails with a *FlatImageError if max == min; otherwise a
//     resampled image is clipped to [0, 1].
//
// Stretching comes after resampling so that the base used always spans
// exactly [0, 1] (the kernel's overshoot is stretched away, not clipped); a
// base of the right size is never resampled, so steps 1 and 3 are rcicr's
// to the last bit. An image that is not square is a *NotSquareError.
//
// rcicr averages every plane png::readPNG returns, alpha included; here alpha
// is left out (it only matters for a transparent base, and stretching removes
// the difference for an opaque one). A JPEG's colours come from Go's decoder,
// which may differ from libjpeg's by a grey level (chroma upsampling, IDCT).
func PrepareBase(img image.Image, size int, maximizeContrast bool) ([]float64, error) {
	if img == nil {
		return nil, fmt.Errorf("prepare base: %w: no image", ErrShape)
	}
	if size < MinSize || size > MaxSize {
		return nil, fmt.Errorf("prepare base: %w: size %d (want %d…%d)", ErrImgSize, size, MinSize, MaxSize)
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w != h {
		return nil, fmt.Errorf("prepare base: %w", &NotSquareError{Width: w, Height: h})
	}
	if w < 1 || w > MaxSourceSize {
		return nil, fmt.Errorf("prepare base: %w: source side %d (want 1…%d)", ErrImgSize, w, MaxSourceSize)
	}
	grey := greyMean(img)
	// A flat image is judged before resampling: the kernel's rounding would
	// leave ulp-sized ripples that stretching blows up to full contrast.
	if lo, hi := minMax(grey); maximizeContrast && lo == hi {
		return nil, fmt.Errorf("prepare base: %w", &FlatImageError{Value: lo})
	}
	if w != size {
		grey = resizeCatmullRom(grey, w, size)
		if !maximizeContrast {
			for i, v := range grey {
				grey[i] = min(max(v, 0), 1)
			}
		}
	}
	if maximizeContrast {
		if err := stretch(grey); err != nil {
			return nil, fmt.Errorf("prepare base: %w", err)
		}
	}
	return grey, nil
}

// greyMean is the grey base as generateStimuli2IFC reads it, one value per
// pixel, row-major: png::readPNG scales each channel to [0, 1] (an 8-bit v
// to v/255, a 16-bit v to v/65535), and apply(img, c(1, 2), mean) averages a
// colour pixel's channels; a grey image stays as it is. R's mean sums in long
// double and corrects, which gives the correctly rounded mean; mean3 does
// the same in float64.
func greyMean(img image.Image) []float64 {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	out := make([]float64, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			for x, v := range m.Pix[y*m.Stride : y*m.Stride+w] {
				out[y*w+x] = float64(v) / 0xff
			}
		}
		return out
	case *image.Gray16:
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+2*w]
			for x := 0; x < w; x++ {
				out[y*w+x] = float64(uint16(row[2*x])<<8|uint16(row[2*x+1])) / 0xffff
			}
		}
		return out
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+3 : 4*x+3]
				out[y*w+x] = mean3(float64(p[0])/0xff, float64(p[1])/0xff, float64(p[2])/0xff)
			}
		}
		return out
	}
	// Any other image through 16-bit straight (not premultiplied) colour: an
	// 8-bit channel v is 257·v here, and 257·v/65535 is the same double as
	// v/255 (both the correctly rounded v/255).
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA64Model.Convert(img.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA64)
			if c.R == c.G && c.G == c.B {
				out[y*w+x] = float64(c.R) / 0xffff
				continue
			}
			out[y*w+x] = mean3(float64(c.R)/0xffff, float64(c.G)/0xffff, float64(c.B)/0xffff)
		}
	}
	return out
}

// mean3 is (a+b+c)/3 correctly rounded, as R's mean (a long-double sum, a
// division and a correction pass) gives it: the exact sum as s + e (Knuth's
// two-sum), then s/3 corrected by the exactly computed remainder s − 3·(s/3).
func mean3(a, b, c float64) float64 {
	s, e1 := twoSum(a, b)
	s, e2 := twoSum(s, c)
	q := s / 3
	rem := math.FMA(-3, q, s) // exact
	return q + (rem+(e1+e2))/3
}

// twoSum returns s = fl(a+b) and the exact error a + b − s.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// stretch maps v to (v−min)/(max−min) in place, generateStimuli2IFC's
// maximize_baseimage_contrast, refusing a flat image as rcicr does.
func stretch(v []float64) error {
	lo, hi := minMax(v)
	if hi == lo {
		return &FlatImageError{Value: lo}
	}
	d := hi - lo
	for i, x := range v {
		v[i] = (x - lo) / d
	}
	return nil
}

// minMax is the smallest and largest of v (len(v) ≥ 1).
func minMax(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
