package stimuli

import (
	"fmt"
	"math"
)

// Basis is rcicr's noise basis, generateNoisePattern(img_size, nscales,
// noise_type, sigma): at scale s = 0…nscales−1 the image is cut into
// 2^s × 2^s tiles of side size/2^s; each tile of each of the scale's 12
// layers (6 orientations × 2 phases) shows the same patch, weighted by its
// own parameter. A Basis is immutable and safe for concurrent use.
type Basis struct {
	size    int
	nscales int
	noise   NoiseType
	sigma   float64
	nparams int
	scales  []scaleBasis
}

// scaleBasis is one spatial scale of the basis.
type scaleBasis struct {
	tiles  int // tiles per side: 2^s
	side   int // patch side in pixels: size/2^s
	offset int // index of the scale's first parameter
	// values holds the scale's 12 patches interleaved, values[(py·side+px)·12+k]
	// for layer k = orientation·2 + phase, so that the noise loop reads one
	// pixel's 12 layer values from one cache line or two.
	values []float64
}

// NewBasis builds generateNoisePattern(imgSize, nscales, noise, sigma).
// imgSize must be in [MinSize, MaxSize] and a multiple of 2^(nscales−1)
// (rcicr's validateTiling), nscales in [1, MaxScales], sigma finite and > 0
// (sigma is used by Gabor only, but checked for both so that a stored
// setting is valid whatever the type). It holds 16·imgSize² float64 (34 MB
// at 512).
func NewBasis(imgSize, nscales int, noise NoiseType, sigma float64) (*Basis, error) {
	switch {
	case imgSize < MinSize || imgSize > MaxSize:
		return nil, fmt.Errorf("%w: %d (want %d…%d)", ErrImgSize, imgSize, MinSize, MaxSize)
	case nscales < 1 || nscales > MaxScales:
		return nil, fmt.Errorf("%w: %d (want 1…%d)", ErrNScales, nscales, MaxScales)
	case imgSize%(1<<(nscales-1)) != 0:
		return nil, fmt.Errorf("%w: %d, nscales %d", ErrTiling, imgSize, nscales)
	case math.IsNaN(sigma) || math.IsInf(sigma, 0) || sigma <= 0:
		return nil, fmt.Errorf("%w: %g", ErrSigma, sigma)
	case noise != Sinusoid && noise != Gabor:
		return nil, fmt.Errorf("%w: %d", ErrNoiseType, int(noise))
	}
	b := &Basis{size: imgSize, nscales: nscales, noise: noise, sigma: sigma}
	for s := 0; s < nscales; s++ {
		tiles := 1 << s
		sb := scaleBasis{tiles: tiles, side: imgSize / tiles, offset: b.nparams}
		sb.values = make([]float64, sb.side*sb.side*layersPerScale)
		// generateNoisePattern's loops: for orientation, for phase.
		for o, deg := range orientations {
			for ph, phase := range phases {
				var p []float64
				if noise == Gabor {
					p = gaborPatch(sb.side, gaborCycles, deg, phase, sigma)
				} else {
					p = sinusoidPatch(sb.side, sinusoidCycles, deg, phase)
				}
				k := o*len(phases) + ph
				for i, v := range p {
					sb.values[i*layersPerScale+k] = v
				}
			}
		}
		b.nparams += layersPerScale * tiles * tiles
		b.scales = append(b.scales, sb)
	}
	return b, nil
}

// Size is the image side in pixels.
func (b *Basis) Size() int { return b.size }

// NScales is the number of spatial scales.
func (b *Basis) NScales() int { return b.nscales }

// NoiseType is the patch type.
func (b *Basis) NoiseType() NoiseType { return b.noise }

// Sigma is the Gabor sigma the basis was built with.
func (b *Basis) Sigma() float64 { return b.sigma }

// NParams is the number of parameters per trial: Σ_s 12·4^s (4092 for 5
// scales), rcicr's nparams = sum(6·2·(2^(0:(nscales−1)))²).
func (b *Basis) NParams() int { return b.nparams }

// layers is the number of layers the noise averages over: 12·nscales.
func (b *Basis) layers() int { return layersPerScale * b.nscales }

// paramIndex is the parameter of layer k of scale s in the tile at tile row
// r, tile column c. generateNoisePattern numbers a layer's tiles with the row
// in the inner loop (for col, for row: idx++), and layers one after another.
func (sb *scaleBasis) paramIndex(k, r, c int) int {
	return sb.offset + k*sb.tiles*sb.tiles + c*sb.tiles + r
}
