package stimuli

// Bounds on every size that comes from input, checked before anything is
// allocated from it.
const (
	// MinSize and MaxSize bound the image side in pixels.
	MinSize = 64
	MaxSize = 1024
	// MaxScales bounds nscales. At 7 scales the finest patches of a 64-pixel
	// image are 1 pixel wide; rcicr allows more but nobody uses them.
	MaxScales = 7
	// MaxParams is NParams at MaxScales: 12·(4^7−1)/3.
	MaxParams = 4 * (1<<(2*MaxScales) - 1)
	// MaxTrials bounds the number of trials (pairs). rcicr's default is 770;
	// the Gram matrix of MaxTrials trials is 800 MB.
	MaxTrials = 10000
	// MaxValues bounds trials × nparams for one parameter matrix (512 MiB of
	// float64).
	MaxValues = 1 << 26
)

// checkMatrix validates a trials × nparams parameter matrix shape against the
// package limits and the caller's own (maxTrials, maxParams; ≤ 0 means the
// package limit).
func checkMatrix(trials, nparams, maxTrials, maxParams int) error {
	if maxTrials <= 0 || maxTrials > MaxTrials {
		maxTrials = MaxTrials
	}
	if maxParams <= 0 || maxParams > MaxParams {
		maxParams = MaxParams
	}
	switch {
	case trials < 1 || nparams < 1:
		return fmtShape("%d trials × %d parameters", trials, nparams)
	case trials > maxTrials:
		return fmtTooLarge("%d trials (limit %d)", trials, maxTrials)
	case nparams > maxParams:
		return fmtTooLarge("%d parameters (limit %d)", nparams, maxParams)
	case trials*nparams > MaxValues:
		return fmtTooLarge("%d×%d values (limit %d)", trials, nparams, MaxValues)
	}
	return nil
}
