package analysis

import (
	"context"
	"hash/fnv"
	"strconv"

	"github.com/psyx-lab/psyx/inference"
	"github.com/psyx-lab/psyx/results"
)

// Provenance is what went into a figure: rcicr's users lost this between
// their data and their images. The API sends it in headers (and the zip in
// its manifest).
type Provenance struct {
	Packs    []int   `json:"packs"`
	Replies  int     `json:"replies"`  // replies in
	Excluded []int64 `json:"excluded"` // r_ids left out
	Seed     uint64  `json:"seed"`     // of whatever was random (infoVal references, splits, permutations)
}

// seedOf fixes a statistic's random draws by what it is over: the same
// packs and replies always draw the same, and other ones other draws.
func seedOf(what string, packs []int, keys ...string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(what))
	for _, id := range packs {
		h.Write([]byte("/" + strconv.Itoa(id)))
	}
	for _, k := range keys {
		h.Write([]byte("|" + k))
	}
	return h.Sum64()
}

// fileDesign is an image pack's stats as package inference reads them.
// It hides WeightedNoise: drawing a CI from the noise on disk reads the
// whole noise, so Compare reads it block by block instead.
type fileDesign struct{ s *results.Stats }

func (d fileDesign) Pairs() int           { return d.s.Pairs() }
func (d fileDesign) Size() (w, h int)     { return d.s.Size() }
func (d fileDesign) Gram() []float64      { return d.s.Gram() }
func (d fileDesign) PixelSums() []float64 { return d.s.PixelSums() }
func (d fileDesign) NoiseBlock(ctx context.Context, p0, p1 int, dst []float64) error {
	return d.s.NoiseBlock(ctx, p0, p1, dst)
}

// design is the pack's stats as inference reads them: a generated pack
// draws each CI whole from its parameters (an inference.ImageDesign).
func design(s *results.Stats) inference.Design {
	if s.Generated() {
		return s
	}
	return fileDesign{s}
}
