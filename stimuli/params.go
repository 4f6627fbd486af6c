package stimuli

import (
	"fmt"
	"math/rand/v2"
)

// paramStream is the PCG stream (increment selector) DrawParams uses with the
// seed. It is part of the format: changing it changes every pack drawn.
const paramStream = 0x7073_7978_7263_6963 // "psyxrcic"

// DrawParams draws trials × nparams parameters uniform in [−1, 1), trial
// after trial (trial-major), like rcicr's (runif(nparams)·2)−1 per trial but
// from Go's PCG (math/rand/v2, PCG-DXSM) seeded with (seed, paramStream).
// Each value is u·2^−53·2 − 1 for the top 53 bits u of one PCG output, a
// computation spelled out here rather than taken from rand.Rand.Float64, so
// the same seed gives the same parameters on every machine and release. They
// are not rcicr's for the same seed (R has its own generator): keep the
// parameters, not the seed.
func DrawParams(seed int64, trials, nparams int) ([]float64, error) {
	if err := checkMatrix(trials, nparams, 0, 0); err != nil {
		return nil, fmt.Errorf("draw parameters: %w", err)
	}
	src := rand.NewPCG(uint64(seed), paramStream)
	out := make([]float64, trials*nparams)
	for i := range out {
		out[i] = unitFloat(src.Uint64())*2 - 1
	}
	return out, nil
}

// unitFloat maps the top 53 bits of u to [0, 1) exactly.
func unitFloat(u uint64) float64 { return float64(u>>11) * 0x1p-53 }
