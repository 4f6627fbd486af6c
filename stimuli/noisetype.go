package stimuli

import "fmt"

// NoiseType is rcicr's noise_type: the patch each layer of the basis holds.
type NoiseType int

const (
	// Sinusoid: generateSinusoid(size, 2 cycles, orientation, phase, 1).
	Sinusoid NoiseType = iota
	// Gabor: generateGabor(size, 1.5 cycles, orientation, phase, sigma, 1),
	// the sinusoid under a Gaussian mask.
	Gabor
)

// ParseNoiseType reads rcicr's names: "sinusoid" or "gabor".
func ParseNoiseType(s string) (NoiseType, error) {
	switch s {
	case "sinusoid":
		return Sinusoid, nil
	case "gabor":
		return Gabor, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrNoiseType, s)
}

// String is rcicr's name of the type.
func (t NoiseType) String() string {
	switch t {
	case Sinusoid:
		return "sinusoid"
	case Gabor:
		return "gabor"
	}
	return fmt.Sprintf("NoiseType(%d)", int(t))
}
