package stimuli

import (
	"fmt"
	"image"
)

// RenderPair renders one 2IFC pair as generateStimuli2IFC writes it:
//
//	ori = ((noise + 0.3)/0.6 + base)/2,   inv = ((−noise + 0.3)/0.6 + base)/2
//
// each clipped to [0, 1] and turned into a grey level as png::writePNG does,
// (unsigned char)(v·255 + 0.5): rounded to the nearest level. base and
// noise are size² values, row-major.
//
// png::writePNG itself clamps only below 0 and above 255 (its write.c), so
// in rcicr a value in (1, 255] overflows the conversion to unsigned char:
// undefined in C, on x86-64 it wraps modulo 256, a near-black speck where
// the stimulus should be white. Here such a value is 255. It needs
// |noise| > 0.3 over a bright base, which happens only with few scales (of
// 50 drawn pairs of 256², 6 had such pixels at nscales 1, none at 3 or
// more), and never in the fixture.
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

// writePNGLevel is png::writePNG's conversion of a double to 8 bits,
// (unsigned char)(v·255 + 0.5), after clipping to [0, 1] (see RenderPair for
// why above 1 is clipped here). NaN becomes 0.
func writePNGLevel(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(float64(v*255) + 0.5)
}
