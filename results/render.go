package results

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"strconv"
)

// Scaling is how a CI is mapped to grey levels, as rcicr's applyScaling.
type Scaling int

const (
	// Independent: c = max|CI|, so the CI's extreme uses the full range.
	Independent Scaling = iota
	// Constant: c given by the caller (> 0), comparable across CIs.
	Constant
)

// ParseScaling reads "independent" or "constant".
func ParseScaling(s string) (Scaling, error) {
	switch s {
	case "independent":
		return Independent, nil
	case "constant":
		return Constant, nil
	}
	return 0, fmt.Errorf("results: unknown scaling %q", s)
}

// ErrBadConstant: a constant scaling needs a finite c > 0.
var ErrBadConstant = errors.New("results: scaling constant must be a finite number > 0")

// WritePNG draws a CI on the pack's base face as rcicr does and writes it as
// an 8-bit grey PNG of the stimuli's size: scaled = (CI + c)/(2c),
// combined = (scaled + base)/2, clipped to [0, 1], grey = round(255·combined).
// c is max|CI| for Independent (a CI of zeros is drawn as the bare base,
// scaled = 0.5, where rcicr would divide by 0) or constant for Constant. It
// returns the c used.
func (s *Stats) WritePNG(w io.Writer, ci CI, sc Scaling, constant float64) (float64, error) {
	return RenderPNG(w, ci, s.Base(), sc, constant)
}

// RenderPNG is WritePNG with the base face given (row-major, ci.W×ci.H).
func RenderPNG(w io.Writer, ci CI, base []float64, sc Scaling, constant float64) (float64, error) {
	if len(ci.Pix) != ci.W*ci.H || len(base) != len(ci.Pix) {
		return 0, fmt.Errorf("results: render: CI of %d pixels (%dx%d), base of %d", len(ci.Pix), ci.W, ci.H, len(base))
	}
	var c float64
	switch sc {
	case Independent:
		for _, v := range ci.Pix {
			c = max(c, math.Abs(v))
		}
	case Constant:
		if !(constant > 0) || math.IsInf(constant, 1) {
			return 0, ErrBadConstant
		}
		c = constant
	default:
		return 0, fmt.Errorf("results: render: unknown scaling %d", sc)
	}
	img := image.NewGray(image.Rect(0, 0, ci.W, ci.H))
	for i, v := range ci.Pix {
		scaled := 0.5
		if c > 0 {
			scaled = (v + c) / (2 * c)
		}
		combined := min(1, max(0, (scaled+base[i])/2))
		img.Pix[i] = uint8(math.Round(255 * combined))
	}
	if err := png.Encode(w, img); err != nil {
		return 0, fmt.Errorf("results: render: %w", err)
	}
	return c, nil
}

// WriteCSV writes the raw CI, rcicr's ci$ci matrix: one line per pixel row,
// top first, the row's values comma-separated in the shortest decimal form
// that reads back as the same float64.
func WriteCSV(w io.Writer, ci CI) error {
	if len(ci.Pix) != ci.W*ci.H {
		return fmt.Errorf("results: csv: CI of %d pixels is not %dx%d", len(ci.Pix), ci.W, ci.H)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 24*ci.W)
	for y := range ci.H {
		line = line[:0]
		for x, v := range ci.Pix[y*ci.W : (y+1)*ci.W] {
			if x > 0 {
				line = append(line, ',')
			}
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("results: csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: csv: %w", err)
	}
	return nil
}
