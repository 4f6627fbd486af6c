package analysis

import (
	"context"
	"errors"
	"fmt"
	"os"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/stimuli"
)

// StimuliReader reads a generated pack's settings, parameters and base
// (packs.Library); a pack uploaded as images is fs.ErrNotExist.
type StimuliReader interface {
	ReadStimuli(name string) (*packs.Stimuli, error)
}

// UseStimuli tells the service where generated packs keep their
// parameters: their statistics then come from those, in float64, not
// from their 8-bit images. Call it before the service serves.
func (s *Service) UseStimuli(r StimuliReader) { s.stimuli = r }

// generated is a generated pack's noise source and base, by its name.
func (s *Service) generated(name string) (*results.Generated, []float64, error) {
	st, err := s.stimuli.ReadStimuli(name)
	if err != nil {
		return nil, nil, err
	}
	nt, err := stimuli.ParseNoiseType(st.Settings.Noise)
	if err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", name, err)
	}
	basis, err := stimuli.NewBasis(st.Settings.ImgSize, st.Settings.NScales, nt, st.Settings.Sigma)
	if err != nil {
		return nil, nil, fmt.Errorf("pack %s: %w", name, err)
	}
	return &results.Generated{Basis: basis, Params: st.Params, Trials: st.Settings.Trials}, st.Base, nil
}

// loadGenerated opens a generated pack's stats, computing them first from
// its parameters when they are missing or not a whole, current file.
func (s *Service) loadGenerated(ctx context.Context, id int, g *results.Generated, base []float64) (*results.Stats, error) {
	path := s.statsPath(id)
	st, err := results.OpenGenerated(path, g)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, results.ErrCorrupt) && !errors.Is(err, results.ErrVersion) {
		return nil, fmt.Errorf("open stats of pack %d: %w", id, err)
	}
	compute := func() error { return results.ComputeGenerated(ctx, g, base, uint64(id), path) }
	if err := s.oneAtATime(ctx, id, compute); err != nil {
		return nil, fmt.Errorf("compute stats of pack %d: %w", id, err)
	}
	s.log.Info("computed the statistics of a generated pack", zap.Int("p_id", id))
	if st, err = results.OpenGenerated(path, g); err != nil {
		return nil, fmt.Errorf("open stats of pack %d: %w", id, err)
	}
	return st, nil
}
