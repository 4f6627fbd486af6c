package packs

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/stimuli"
)

// Why a generate request's fields are refused. InvalidField's values are
// the field and what was sent; its detail says what the field must be.
const (
	InvalidField     model.Reason = "invalid-field"      // field, value (a Want… detail follows)
	WantRange        model.Reason = "want-range"         // lowest, highest
	WantRangeAt      model.Reason = "want-range-at"      // lowest, highest, nscales
	WantPairs        model.Reason = "want-pairs"         // pairs_per_pack
	WantTiled        model.Reason = "want-tiled"         // lowest, highest, multiple, nscales
	WantOneOf        model.Reason = "want-one-of"        // one, other
	WantPositive     model.Reason = "want-positive"      //
	WantWhole        model.Reason = "want-whole"         //
	BaseSideUnusable model.Reason = "base-side-unusable" // lowest, highest, multiple
)

// The generate form's limits and defaults (README, "Making a pack from one
// face").
const (
	// MaxGenerateTrials bounds the pairs of a generated pack.
	MaxGenerateTrials = 2000
	// DefaultTrials is the pairs of a generated pack when neither the form
	// nor pairs_per_pack says.
	DefaultTrials = 300
	// DefaultMaxImagePixels is the largest image decoded (1024²), checked
	// from its header first: the default of the max_image_pixels setting
	// (config.DefaultMaxImagePixels), for callers without a config.
	DefaultMaxImagePixels = 1024 * 1024
	// maxPackValues bounds trials × parameters of one pack (64 MiB of
	// float64, held twice while its file is written): 2,000 trials at 5
	// scales, 512 at 6, 128 at 7.
	maxPackValues  = 1 << 23
	defaultNScales = 5
	defaultSigma   = 25
	// randomSeeds stay below 2^53, so that R and JavaScript, which read a
	// JSON number as a double, read them exactly.
	randomSeeds = 1 << 53
)

// RecipeFields are the text fields of a generate request besides the
// pack's name, sex and ages.
var RecipeFields = []string{"trials", "img_size", "noise", "nscales", "sigma", "seed", "maximize_contrast"}

// Recipe is how a pack is generated (rcicr's generateStimuli2IFC
// arguments).
type Recipe struct {
	Noise            stimuli.NoiseType
	NScales          int
	Sigma            float64
	ImgSize          int // 0: the base's side
	Trials           int
	Seed             int64
	MaximizeContrast bool
}

// NParams is the parameters per trial at nscales scales: Σ_s 12·4^s =
// 4·(4^nscales − 1), rcicr's nparams (4,092 at 5 scales).
func NParams(nscales int) int { return 4 * (1<<(2*nscales) - 1) }

// maxTrialsAt is the most trials a pack of nscales scales may have.
func maxTrialsAt(nscales int) int { return min(MaxGenerateTrials, maxPackValues/NParams(nscales)) }

// ParseRecipe reads the generation fields; a field absent or empty takes
// its default. It checks, in this order, noise, nscales, sigma, trials
// (1…2000, fewer at 6 or 7 scales, and pairs_per_pack when that is set),
// seed (random when absent), maximize_contrast and img_size (64…1024, a
// multiple of 2^(nscales−1)); each refusal is InvalidField with the rule.
func (l *Library) ParseRecipe(fields map[string]string) (Recipe, error) {
	r := Recipe{Noise: stimuli.Sinusoid, NScales: defaultNScales, Sigma: defaultSigma, Trials: DefaultTrials,
		Seed: rand.Int64N(randomSeeds), MaximizeContrast: true}
	if l.pairs > 0 {
		r.Trials = l.pairs
	}
	if v := fields["noise"]; v != "" {
		nt, err := stimuli.ParseNoiseType(v)
		if err != nil {
			return r, badField("noise", v, model.Fail(WantOneOf, stimuli.Sinusoid.String(), stimuli.Gabor.String()))
		}
		r.Noise = nt
	}
	if v := fields["nscales"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > stimuli.MaxScales {
			return r, badField("nscales", v, model.Fail(WantRange, 1, stimuli.MaxScales))
		}
		r.NScales = n
	}
	if v := fields["sigma"]; v != "" {
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
			return r, badField("sigma", v, model.Fail(WantPositive))
		}
		r.Sigma = s
	}
	if err := l.parseTrials(&r, fields["trials"]); err != nil {
		return r, err
	}
	if v := fields["seed"]; v != "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return r, badField("seed", v, model.Fail(WantWhole))
		}
		r.Seed = s
	}
	switch v := fields["maximize_contrast"]; v {
	case "", "1", "true":
	case "0", "false":
		r.MaximizeContrast = false
	default:
		return r, badField("maximize_contrast", v, model.Fail(WantOneOf, "1", "0"))
	}
	if v := fields["img_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !tiles(n, r.NScales) {
			return r, badField("img_size", v, model.Fail(WantTiled, stimuli.MinSize, stimuli.MaxSize, 1<<(r.NScales-1), r.NScales))
		}
		r.ImgSize = n
	}
	return r, nil
}

func (l *Library) parseTrials(r *Recipe, v string) error {
	if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxGenerateTrials {
			return badField("trials", v, model.Fail(WantRange, 1, MaxGenerateTrials))
		}
		if l.pairs > 0 && n != l.pairs {
			return badField("trials", v, model.Fail(WantPairs, l.pairs))
		}
		r.Trials = n
	}
	if hi := maxTrialsAt(r.NScales); r.Trials > hi {
		return badField("trials", strconv.Itoa(r.Trials), model.Fail(WantRangeAt, 1, hi, r.NScales))
	}
	return nil
}

// tiles tells whether an image side n can hold nscales scales: rcicr's
// validateTiling within the service's sizes.
func tiles(n, nscales int) bool {
	return n >= stimuli.MinSize && n <= stimuli.MaxSize && n%(1<<(nscales-1)) == 0
}

func badField(field, value string, want *model.Error) error {
	return model.Fail(InvalidField, field, model.Echo(value)).With(want)
}
