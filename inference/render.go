package inference

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
)

// RenderComparison writes an RGB PNG of the base face (grey; base values in
// [0, 1], clipped, NaN as 0; width×height, row-major from the top left) with
// the outline of each cluster of p < alpha drawn in red (a > b) or blue
// (b > a). A cluster's outline is its pixels that have a 4-neighbour outside
// the cluster or lie on the image's edge.
//
// The clusters' pixels are found again by labelling c.TMap with
// c.Threshold, which gives the clusters of c in the same order; a c whose
// clusters do not match its t map gives a *ShapeError.
func RenderComparison(w io.Writer, base []float64, width, height int, c *Comparison, alpha float64) error {
	if c == nil {
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "comparison", Got: 0, Want: 1})
	}
	switch {
	case width != c.Width:
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "width", Got: width, Want: c.Width})
	case height != c.Height:
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "height", Got: height, Want: c.Height})
	case width < 1 || height < 1 || width > MaxPixels || height > MaxPixels/width:
		return fmt.Errorf("inference: render: %w", &LimitError{What: "pixels", Got: max(0, min(width, MaxPixels)) * max(0, min(height, MaxPixels)), Max: MaxPixels})
	case len(base) != width*height:
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "base", Got: len(base), Want: width * height})
	case len(c.TMap) != width*height:
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "t map", Got: len(c.TMap), Want: width * height})
	case math.IsNaN(alpha):
		return fmt.Errorf("inference: render: %w: alpha NaN", ErrBadOption)
	}
	comps, label := components(c.TMap, width, height, c.Threshold)
	if len(comps) != len(c.Clusters) {
		return fmt.Errorf("inference: render: %w", &ShapeError{What: "clusters", Got: len(c.Clusters), Want: len(comps)})
	}
	for i, cp := range comps {
		if cp.pixels != c.Clusters[i].Pixels || cp.sign != c.Clusters[i].Sign {
			return fmt.Errorf("inference: render: %w", &ShapeError{What: fmt.Sprintf("cluster %d pixels", i), Got: c.Clusters[i].Pixels, Want: cp.pixels})
		}
	}

	red, blue := color.RGBA{R: 255, A: 255}, color.RGBA{B: 255, A: 255} // a > b, b > a
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for p, v := range base {
		g := uint8(math.Round(255 * clip01(v)))
		i := 4 * p
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = g, g, g, 255
	}
	for p, l := range label {
		if l < 0 || !(c.Clusters[l].P < alpha) {
			continue
		}
		x, y := p%width, p/width
		edge := x == 0 || y == 0 || x == width-1 || y == height-1 ||
			label[p-1] != l || label[p+1] != l || label[p-width] != l || label[p+width] != l
		if !edge {
			continue
		}
		col := red
		if c.Clusters[l].Sign < 0 {
			col = blue
		}
		img.SetRGBA(x, y, col)
	}
	// Every pixel is opaque, so the encoder writes 8-bit RGB (colour type 2).
	bw := bufio.NewWriter(w)
	if err := png.Encode(bw, img); err != nil {
		return fmt.Errorf("inference: render: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("inference: render: %w", err)
	}
	return nil
}

// clip01 maps v into [0, 1]; NaN becomes 0.
func clip01(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}
