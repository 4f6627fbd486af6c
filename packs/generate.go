package packs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"strconv"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/stimuli"
)

// PlanOptions say how NewPlan judges and labels a pack.
type PlanOptions struct {
	MaxPixels int    // the largest base decoded (max_image_pixels)
	Version   string // the service's; stimuli.json says "psyx <Version>"
	Preview   bool   // the first pair only, to look at: nothing to stage
}

// Plan is a pack ready to be rendered from one base face: its settings, the
// base as used, its parameters and the generator that renders its pairs
// one by one (never all at once).
type Plan struct {
	Settings StimuliSettings
	base     []float64
	params   []float64
	rows     int // rows of params: Settings.Trials, or 1 for a preview
	nparams  int
	gen      *stimuli.Generator
	preview  bool
}

// NewPlan judges a generate request and prepares its pack: a base is
// needed (NothingUploaded); then the recipe's fields (ParseRecipe), the
// base's header and pixels (InvalidImage, BaseNotSquare, ImageTooLarge,
// UnreadableImage), img_size when it defaults to the base's side, and a
// flat base with contrast stretching (BaseFlat). The parameters are drawn
// from the seed (trial-major, so a preview's one pair is pair 1 of the
// pack the same seed makes) unless form.Params gives them; Settings.Seed
// is the seed either way.
func (l *Library) NewPlan(form *GenerateForm, opt PlanOptions) (*Plan, error) {
	if form.Base == nil {
		return nil, ErrNothingUploaded
	}
	r, err := l.ParseRecipe(form.Fields)
	if err != nil {
		return nil, err
	}
	img, side, err := decodeBase(form.BaseName, form.Base, opt.MaxPixels)
	if err != nil {
		return nil, err
	}
	size := r.ImgSize
	if size == 0 {
		if !tiles(side, r.NScales) {
			return nil, model.Fail(InvalidField, "img_size", strconv.Itoa(side)).
				With(model.Fail(BaseSideUnusable, stimuli.MinSize, stimuli.MaxSize, 1<<(r.NScales-1)))
		}
		size = side
	}
	base, err := prepareBase(form.BaseName, img, size, r.MaximizeContrast)
	if err != nil {
		return nil, err
	}
	basis, err := stimuli.NewBasis(size, r.NScales, r.Noise, r.Sigma)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	p := &Plan{
		Settings: StimuliSettings{Noise: r.Noise.String(), NScales: r.NScales, Sigma: r.Sigma, ImgSize: size,
			Trials: r.Trials, Seed: r.Seed, MaximizeContrast: r.MaximizeContrast, Generator: "psyx " + opt.Version},
		base: base, rows: r.Trials, nparams: basis.NParams(), preview: opt.Preview,
	}
	if opt.Preview {
		p.rows = 1
	}
	switch {
	case form.Params == nil:
		p.params, err = stimuli.DrawParams(r.Seed, p.rows, p.nparams)
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
	case len(form.Params) != r.Trials*p.nparams:
		return nil, fmt.Errorf("plan: %d parameters given for %d trials of %d", len(form.Params), r.Trials, p.nparams)
	default:
		p.params = form.Params[:p.rows*p.nparams]
	}
	if p.gen, err = stimuli.NewGenerator(basis, base, p.params, p.rows); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return p, nil
}

// WritePreview writes the plan's first pair as one 8-bit grey PNG twice as
// wide as high: ori on the left, inv on the right.
func (p *Plan) WritePreview(w io.Writer) error {
	ori, inv, err := p.gen.Pair(0)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	n := p.Settings.ImgSize
	img := image.NewGray(image.Rect(0, 0, 2*n, n))
	for y := range n {
		row := img.Pix[y*img.Stride:]
		copy(row[:n], ori.Pix[y*ori.Stride:])
		copy(row[n:2*n], inv.Pix[y*inv.Stride:])
	}
	return p.gen.EncodePNG(w, img)
}

// GeneratedFileName is the file of one side (model.Ori or model.Inv) of
// pair (from 1) of the generated pack name: <name>_<00001>_ori.png.
func GeneratedFileName(name string, pair, side int) string {
	kind := "ori"
	if side == model.Inv {
		kind = "inv"
	}
	return fmt.Sprintf("%s_%05d_%s.png", name, pair, kind)
}

// Generate renders the plan into a new staged upload (its stimuli files,
// then every pair on GOMAXPROCS workers, each file synced as it is
// written) and registers it as Register does an upload: the pack appears
// whole, with its row, or not at all. Nothing is left staged.
func (l *Library) Generate(ctx context.Context, reg Registry, meta Meta, p *Plan) (int, error) {
	if p.preview {
		return 0, errors.New("generate: the plan is a preview")
	}
	u, err := l.NewUpload()
	if err != nil {
		return 0, err
	}
	defer func() {
		if err := u.Discard(); err != nil {
			l.log.Error("discard generated pack", zap.String("pack", meta.Name), zap.Error(err))
		}
	}()
	if err := p.writeStimuli(u); err != nil {
		return 0, err
	}
	err = p.gen.Each(ctx, 0, func(t int, ori, inv []byte) error {
		if err := u.AddGenerated(GeneratedFileName(meta.Name, t+1, model.Ori), ori); err != nil {
			return err
		}
		return u.AddGenerated(GeneratedFileName(meta.Name, t+1, model.Inv), inv)
	})
	if err != nil {
		return 0, fmt.Errorf("generate %s: %w", meta.Name, err)
	}
	return Register(ctx, reg, meta, u)
}

// writeStimuli writes the three StimuliFiles (their encodings are dropped
// before the pairs are rendered).
func (p *Plan) writeStimuli(u *Upload) error {
	settings, err := json.Marshal(p.Settings)
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	if err := u.AddGenerated(StimuliSettingsFile, settings); err != nil {
		return err
	}
	params, err := stimuli.MarshalParams(p.params, p.rows, p.nparams)
	if err != nil {
		return fmt.Errorf("encode parameters: %w", err)
	}
	if err := u.AddGenerated(StimuliParamsFile, params); err != nil {
		return err
	}
	n := p.Settings.ImgSize
	base, err := stimuli.MarshalParams(p.base, n, n)
	if err != nil {
		return fmt.Errorf("encode base: %w", err)
	}
	return u.AddGenerated(StimuliBaseFile, base)
}
