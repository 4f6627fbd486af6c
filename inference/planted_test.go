package inference

import (
	"context"
	"math/rand/v2"
	"testing"
)

// The planted study: noise constant on 4×4 blocks (one normal value per
// block). Pairs come in antithetic twins: the second image equals the first
// inside the template's rectangle and is its negative elsewhere. An observer
// who looks only inside the rectangle answers both alike, so whatever the
// sample, the noise outside the rectangle cancels from the systematic part
// of every CI: outside it the two sets differ by chance alone, and inside
// by the template.

const (
	plantedSide  = 32
	plantedBlock = 4
)

// plantedTemplate is where set a's observers look: blocks covering columns
// and rows [12, 20). knownRect is the template's rectangle grown by one
// block on every side, [8, 24): the largest cluster takes in any block next
// to the template whose t exceeds the threshold by chance (clusters are
// 8-connected, and a null block does so with probability ≈ 3 %), so the
// test allows one block of margin. Measured over seeds 100–199 with 100
// pairs and 12 vs 12: the top cluster left the template's own rectangle in
// 31 studies and the grown one in 4, and was significant with sign +1 in
// all 100.
var (
	plantedTemplate = [4]int{12, 12, 20, 20} // x0, y0, x1, y1 (exclusive)
	knownRect       = [4]int{8, 8, 24, 24}
)

// blockNoise is noise constant on size×size blocks, one value per block.
func blockNoise(rng *rand.Rand, w, h, size int) []float64 {
	img := make([]float64, w*h)
	for by := 0; by < h; by += size {
		for bx := 0; bx < w; bx += size {
			v := 0.1 * rng.NormFloat64()
			for y := by; y < min(by+size, h); y++ {
				for x := bx; x < min(bx+size, w); x++ {
					img[y*w+x] = v
				}
			}
		}
	}
	return img
}

// rect is the indicator of columns [x0, x1) × rows [y0, y1).
func rect(w, h int, r [4]int) []float64 {
	img := make([]float64, w*h)
	for y := r[1]; y < r[3]; y++ {
		for x := r[0]; x < r[2]; x++ {
			img[y*w+x] = 1
		}
	}
	return img
}

// plantedStudy draws pairs/2 antithetic twins and k observers per set:
// a's use the template, b's answer at random.
func plantedStudy(t *testing.T, pairs, k int, seed uint64) (*study, [][]float64, [][]float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 6))
	inside := rect(plantedSide, plantedSide, plantedTemplate)
	noise := make([][]float64, 0, pairs)
	for range pairs / 2 {
		c := blockNoise(rng, plantedSide, plantedSide, plantedBlock)
		twin := make([]float64, len(c))
		for p, v := range c {
			twin[p] = v
			if inside[p] == 0 {
				twin[p] = -v
			}
		}
		noise = append(noise, c, twin)
	}
	s := newStudyFrom(t, plantedSide, plantedSide, noise)
	return s, s.observers(t, rng, k, inside, 1), s.observers(t, rng, k, nil, 1)
}

func TestPlantedDifference(t *testing.T) {
	cases := []struct {
		name  string
		pairs int
		k     int
		seed  uint64
	}{
		{name: "100 pairs, 12 vs 12", pairs: 100, k: 12, seed: 1},
		{name: "200 pairs, 15 vs 15", pairs: 200, k: 15, seed: 2},
		{name: "300 pairs, 20 vs 20", pairs: 300, k: 20, seed: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, wa, wb := plantedStudy(t, tc.pairs, tc.k, tc.seed)
			opts := CompareOptions{Permutations: 200, Seed: tc.seed}
			ab, err := Compare(context.Background(), s.d, wa, wb, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			ba, err := Compare(context.Background(), s.d, wb, wa, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, run := range []struct {
				name string
				c    *Comparison
				sign int
			}{{"a vs b", ab, 1}, {"b vs a", ba, -1}} {
				if len(run.c.Clusters) == 0 {
					t.Fatalf("%s: no cluster", run.name)
				}
				top := run.c.Clusters[0]
				box := top.BBox
				if top.Sign != run.sign || !(top.P < 0.05) {
					t.Errorf("%s: top cluster %+v, want sign %d and p < 0.05", run.name, top, run.sign)
				}
				if box[0] < knownRect[0] || box[1] < knownRect[1] || box[2] >= knownRect[2] || box[3] >= knownRect[3] {
					t.Errorf("%s: top cluster's box %v leaves the rectangle %v", run.name, box, knownRect)
				}
				cx, cy := (plantedTemplate[0]+plantedTemplate[2])/2, (plantedTemplate[1]+plantedTemplate[3])/2
				if box[0] > cx || box[2] < cx || box[1] > cy || box[3] < cy {
					t.Errorf("%s: top cluster's box %v misses the template's centre (%d, %d)", run.name, box, cx, cy)
				}
			}
			if ab.Clusters[0].Mass != ba.Clusters[0].Mass || ab.Clusters[0].BBox != ba.Clusters[0].BBox {
				t.Errorf("swapping the sets changed the top cluster: %+v, %+v", ab.Clusters[0], ba.Clusters[0])
			}
		})
	}
}
