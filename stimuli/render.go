package stimuli

import (
	"fmt"
	"image"
)

// RenderPair renders one 2IFC pair as generateStimuli2IFC writes it:
//
//	ori = ((noise + 0.3)/0.6 + base)/2,   inv = ((−noise + 0.3)/0.6 + base)/2
//
// each clipped to [0, 1] and written as png::writePNG does,
// (unsigned char)(v·255 + 0.5): rounded to the nearest grey level. base and
// noise are size² values, row-major.
func RenderPair(base, noise []float64, size int) (ori, inv *image.Gray, err error) {
	if size < 1 || size > MaxSize || len(base) != size*size || len(noise) != size*size {
		return nil, nil, fmt.Errorf("render pair: %w", fmtShape("base %d, noise %d pixels for size %d", len(base), len(noise), size))
	}
	ori = image.NewGray(image.Rect(0, 0, size, size))
	inv = image.NewGray(image.Rect(0, 0, size, size))
	renderInto(base, noise, ori.Pix, inv.Pix)
	return ori, inv, nil
}

// renderInto is RenderPair into two size² grey buffers (stride = size).
func renderInto(base, noise []float64, ori, inv []uint8) {
	for i, n := range noise {
		b := base[i]
		// The same operations in the same order as generateStimuli2IFC.
		ori[i] = writePNGLevel(((n+0.3)/0.6 + b) / 2)
		inv[i] = writePNGLevel(((-n+0.3)/0.6 + b) / 2)
	}
}

// writePNGLevel is png::writePNG's conversion of a double to 8 bits after
// clipping to [0, 1]: (unsigned char)(v·255 + 0.5). NaN becomes 0.
func writePNGLevel(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(float64(v*255) + 0.5)
}
