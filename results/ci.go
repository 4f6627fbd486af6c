package results

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/psyx-lab/psyx/trials"
)

// dScale turns a stored difference d = ori − inv (grey levels) into rcicr's
// noise: c = 0.6·(ori − inv) with ori, inv in [0, 1], i.e. c = d·0.6/255.
const dScale = 0.6 / 255

// CI is a classification image in c units, what rcicr's ci$ci holds: pixel
// (x, y) is Pix[y*W+x].
type CI struct {
	W, H    int
	Pix     []float64
	Replies int // replies averaged: 1 for a reply's CI
	Skipped int // replies left out of a group CI for having no answered trial
}

// ReplyCI returns one reply's CI: (1/n) Σ_t response_t·c_t over its n
// answered trials; timeouts are dropped, never counted as 0. No answered
// trial gives ErrNoAnswers. The noise is streamed from the stats file.
func (s *Stats) ReplyCI(ctx context.Context, ts []trials.Trial) (CI, error) {
	w := make([]float64, s.n)
	if _, err := addWeights(ts, s.n, 1, w); err != nil {
		return CI{}, err
	}
	pix, err := s.weightedNoise(ctx, w)
	if err != nil {
		return CI{}, err
	}
	return CI{W: s.w, H: s.h, Pix: pix, Replies: 1}, nil
}

// GroupCI returns a pack's group CI: the unweighted mean of its replies'
// CIs. It is one weighted sum of the pairs' noise, Σ_i w_i·c_i with w_i =
// mean over replies of response_i/n_reply, so the cost is one pass over the
// noise however many replies there are. Replies without an answered trial
// have no CI and are left out (counted in Skipped); if none is left, the
// error is ErrNoReplies.
func (s *Stats) GroupCI(ctx context.Context, replies [][]trials.Trial) (CI, error) {
	w := make([]float64, s.n)
	used, skipped := 0, 0
	for i, ts := range replies {
		_, err := addWeights(ts, s.n, 1, w)
		switch {
		case err == nil:
			used++
		case errors.Is(err, ErrNoAnswers):
			skipped++
		default:
			return CI{}, fmt.Errorf("reply %d: %w", i, err)
		}
	}
	if used == 0 {
		return CI{}, ErrNoReplies
	}
	for i := range w {
		w[i] /= float64(used)
	}
	pix, err := s.weightedNoise(ctx, w)
	if err != nil {
		return CI{}, err
	}
	return CI{W: s.w, H: s.h, Pix: pix, Replies: used, Skipped: skipped}, nil
}

// addWeights checks a reply's trials and adds scale·response/n to w at each
// answered pair, n the number of answered trials, which it returns. Nothing
// is added on an error.
func addWeights(ts []trials.Trial, npairs int, scale float64, w []float64) (int, error) {
	resp := make([]int8, npairs)
	n, err := answers(ts, resp)
	if err != nil {
		return 0, err
	}
	for i, r := range resp {
		w[i] += scale * float64(r) / float64(n)
	}
	return n, nil
}

// answers checks a reply's trials and sets resp[pair] to each answered
// trial's response (resp, one entry per pair, must come zeroed). It returns
// n, the number of answered trials; none is ErrNoAnswers.
func answers(ts []trials.Trial, resp []int8) (int, error) {
	n := 0
	for t, tr := range ts {
		pair := tr.Pair()
		if pair < 0 || pair >= len(resp) {
			return 0, fmt.Errorf("%w: trial %d: pair %d outside 0..%d", ErrBadTrial, t, pair, len(resp)-1)
		}
		if tr.Right.Pair != pair || tr.Left.Side == tr.Right.Side {
			return 0, fmt.Errorf("%w: trial %d: files of two pairs or one side", ErrBadTrial, t)
		}
		if resp[pair] != 0 { // ±1 answered, 2 timed out
			return 0, fmt.Errorf("%w: trial %d: pair %d twice", ErrBadTrial, t, pair)
		}
		switch r := tr.Response(); r {
		case 1, -1:
			resp[pair] = r
			n++
		default:
			resp[pair] = 2 // seen, unanswered; cleared below
		}
	}
	for i, r := range resp {
		if r == 2 {
			resp[i] = 0
		}
	}
	if n == 0 {
		return 0, ErrNoAnswers
	}
	return n, nil
}

// ciBlock is how many pixels a CI worker accumulates at once: 256 KB of
// float64, which stays in cache while every pair's slice is added to it.
const ciBlock = 32 << 10

// ciGroup pairs are added to a block in one pass, so each pass loads and
// stores the accumulator once for four pairs instead of once per pair.
const ciGroup = 4

// weightedNoise returns Σ_i w_i·c_i: from the parameters for a generated
// pack, else from the noise on disk.
func (s *Stats) weightedNoise(ctx context.Context, w []float64) ([]float64, error) {
	if s.gen != nil {
		return s.generatedNoise(w)
	}
	return s.fileNoise(ctx, w)
}

// fileNoise returns Σ_i w_i·c_i, reading the noise from disk block of
// pixels by block of pixels (each block by one worker, the workers in
// parallel) so memory holds one image of float64s and small buffers.
func (s *Stats) fileNoise(ctx context.Context, w []float64) ([]float64, error) {
	p := s.w * s.h
	out := make([]float64, p)
	var pairs []int // the pairs with a weight: the others need no reading
	for i, wi := range w {
		if wi != 0 {
			pairs = append(pairs, i)
		}
	}
	nblocks := (p + ciBlock - 1) / ciBlock
	var next atomic.Int64
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for wk := range errs {
		wg.Go(func() {
			buf := make([]byte, ciGroup*2*ciBlock)
			for {
				b := int(next.Add(1)) - 1
				if b >= nblocks {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[wk] = fmt.Errorf("results: ci: %w", err)
					return
				}
				p0 := b * ciBlock
				acc := out[p0:min(p, p0+ciBlock)]
				n := 2 * len(acc)
				for g0 := 0; g0 < len(pairs); g0 += ciGroup {
					group := pairs[g0:min(len(pairs), g0+ciGroup)]
					var raw [ciGroup][]byte
					var c [ciGroup]float64
					for g, i := range group {
						raw[g] = buf[g*n : (g+1)*n]
						c[g] = w[i] * dScale
						if _, err := s.f.ReadAt(raw[g], s.noiseOff+2*(int64(i)*int64(p)+int64(p0))); err != nil {
							errs[wk] = fmt.Errorf("results: ci: read noise: %w", err)
							return
						}
					}
					if len(group) == ciGroup {
						addNoise4(acc, raw, c)
						continue
					}
					for g := range group {
						addNoise1(acc, raw[g], c[g])
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addNoise1 adds c·d to acc, d little-endian int16s.
func addNoise1(acc []float64, raw []byte, c float64) {
	raw = raw[:2*len(acc)]
	for j := range acc {
		acc[j] += c * float64(int16(binary.LittleEndian.Uint16(raw[2*j:])))
	}
}

// addNoise4 adds four pairs' c·d to acc in one pass.
func addNoise4(acc []float64, raw [ciGroup][]byte, c [ciGroup]float64) {
	r0, r1, r2, r3 := raw[0][:2*len(acc)], raw[1][:2*len(acc)], raw[2][:2*len(acc)], raw[3][:2*len(acc)]
	for j := range acc {
		le := binary.LittleEndian
		acc[j] += c[0]*float64(int16(le.Uint16(r0[2*j:]))) + c[1]*float64(int16(le.Uint16(r1[2*j:]))) +
			c[2]*float64(int16(le.Uint16(r2[2*j:]))) + c[3]*float64(int16(le.Uint16(r3[2*j:])))
	}
}
