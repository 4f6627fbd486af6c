package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/psyx-lab/psyx/internal/server"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
)

// generatePack is psyx pack generate: the admin page's "make a pack from
// one base face", into the configured database and folders, through the
// same checks and the same code (packs.NewPlan, packs.Generate).
func generatePack(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pack generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "pack name ([a-z][a-z0-9_]*, under 16 characters)")
	sex := fs.Int("sex", 0, "participant sex: 1 male, 2 female")
	ageMin := fs.Int("age-min", -1, "youngest age (inclusive)")
	ageMax := fs.Int("age-max", -1, "oldest age (inclusive)")
	base := fs.String("base", "", "the base face: one square PNG or JPEG")
	// The generation settings stay text, read by the same rules as the
	// form's fields; empty is the default.
	fields := map[string]*string{
		"trials":   fs.String("trials", "", "pairs (default: pairs_per_pack when set, else 300)"),
		"img_size": fs.String("img-size", "", "image side in pixels, 64..1024 (default: the base's side)"),
		"noise":    fs.String("noise", "", "sinusoid (default) or gabor"),
		"nscales":  fs.String("nscales", "", "spatial scales, 1..7 (default 5)"),
		"sigma":    fs.String("sigma", "", "the Gabor's sigma in pixels (default 25)"),
		"seed":     fs.String("seed", "", "seed of the parameters, an integer (default: random)"),
	}
	noContrast := fs.Bool("no-contrast", false, "use the base's grey as it is, without stretching its contrast")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 0 || *base == "" {
		return usageError{errors.New("pack generate needs --base FILE and no other arguments")}
	}
	meta, err := packs.ParseMeta(*name, strconv.Itoa(*sex), strconv.Itoa(*ageMin), strconv.Itoa(*ageMax))
	if err != nil {
		return err
	}
	form := &packs.GenerateForm{Fields: map[string]string{}, BaseName: filepath.Base(*base)}
	for k, v := range fields {
		form.Fields[k] = *v
	}
	if *noContrast {
		form.Fields["maximize_contrast"] = "0"
	}
	if form.Base, err = readBase(*base); err != nil {
		return err
	}
	ctx := context.Background()
	cfg, st, _, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	taken, err := st.PackNameTaken(ctx, meta.Name)
	if err != nil {
		return err
	}
	if taken {
		return model.Fail(model.PackExisted)
	}
	lib, err := packs.NewLibrary(cfg.DataDir, cfg.PairsPerPack, cfg.MaxImagePixels, server.NewStderrLogger(stderr))
	if err != nil {
		return err
	}
	began := time.Now()
	plan, err := lib.NewPlan(form, packs.PlanOptions{MaxPixels: cfg.MaxImagePixels, Version: buildVersion()})
	if err != nil {
		return err
	}
	id, err := lib.Generate(ctx, st, meta, plan)
	if err != nil {
		return err
	}
	s := plan.Settings
	fmt.Fprintf(stderr, "%d pairs of %d×%d %s noise (%d scales), seed %d, in %.1f s\n",
		s.Trials, s.ImgSize, s.ImgSize, s.Noise, s.NScales, s.Seed, time.Since(began).Seconds())
	fmt.Fprintf(stdout, "Pack %d Added.\n", id)
	return nil
}

// readBase reads the base file, refusing one over packs.MaxBaseBytes from
// its size.
func readBase(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > packs.MaxBaseBytes {
		return nil, model.Fail(model.UploadTooLarge, packs.MaxBaseBytes>>20)
	}
	return os.ReadFile(path)
}
