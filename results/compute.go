package results

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"path/filepath"
	"runtime"
	"sync"
)

// Compute reads a pack's images once and writes its stats file at path: for
// every pair the noise d = ori − inv (exact 8-bit difference), the sum of
// ori + inv (the base face), the pairs' Gram matrix G_ij = Σ_pixels d_i·d_j,
// and the infoVal reference of Responders random responders drawn from seed
// (M = R·G and Q_k = r_kᵀ G r_k). Pick the seed once per pack (e.g. its id):
// it fixes every infoVal of the pack.
//
// The file appears whole or not at all: it is written to a TempPrefix file
// in the same folder, fsynced, renamed to path, and the folder fsynced. On an
// error the temp file is removed; a crash leaves it for RemoveTemps.
//
// Images of different sizes give an *InconsistentPackError. Memory stays
// bounded whatever the pack's size: pairs are decoded and written one batch
// at a time, and G is accumulated over blocks of pixels read back from the
// temp file (BLAS Dsyrk per block).
func Compute(ctx context.Context, pairs []PairFiles, seed uint64, path string) error {
	return compute(ctx, pairs, seed, path, nil)
}

// compute is Compute with a test hook run just before the rename, where a
// crash test kills the process.
func compute(ctx context.Context, pairs []PairFiles, seed uint64, path string, beforeRename func()) (err error) {
	n := len(pairs)
	if n < 1 || n > maxPairs {
		return fmt.Errorf("results: compute: %d pairs, want 1..%d", n, maxPairs)
	}
	sw, err := newStatsWriter(path)
	if err != nil {
		return err
	}
	defer sw.abandon()
	w, h, baseSum, sums, err := writeNoise(ctx, pairs, sw.cw)
	if err != nil {
		return err
	}
	if err := sw.cw.w.Flush(); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	g, err := gram(ctx, sw.f, headerSize, n, w*h)
	if err != nil {
		return err
	}
	writeUint32s(sw.cw, baseSum)
	writeFloats(sw.cw, sums)
	hdr := header{w: uint32(w), h: uint32(h), n: uint32(n), k: Responders, seed: seed, kind: kindImages}
	return sw.finish(hdr, g, beforeRename)
}

// writeNoise decodes the pairs (a few images at a time, in parallel), checks
// that all have the first image's size, writes each pair's d = ori − inv as
// int16 and returns the size, Σ(ori + inv) per pixel and Σ d per pair.
func writeNoise(ctx context.Context, pairs []PairFiles, cw *crcWriter) (w, h int, baseSum []uint32, sums []float64, err error) {
	batch := max(1, runtime.GOMAXPROCS(0)/2) // two images per pair: one per core
	imgs := make([]grey, 2*batch)
	errs := make([]error, 2*batch)
	var buf []byte
	for b0 := 0; b0 < len(pairs); b0 += batch {
		if err := ctx.Err(); err != nil {
			return 0, 0, nil, nil, fmt.Errorf("results: compute: %w", err)
		}
		cnt := min(batch, len(pairs)-b0)
		var wg sync.WaitGroup
		for j := range 2 * cnt {
			wg.Go(func() {
				p := pairs[b0+j/2]
				name := p.Ori
				if j%2 == 1 {
					name = p.Inv
				}
				imgs[j], errs[j] = decodeGrey(name)
			})
		}
		wg.Wait()
		for _, e := range errs[:2*cnt] {
			if e != nil {
				return 0, 0, nil, nil, e
			}
		}
		if b0 == 0 {
			w, h = imgs[0].w, imgs[0].h
			if w < 1 || h < 1 || w > maxSide || h > maxSide {
				return 0, 0, nil, nil, fmt.Errorf("results: compute: %s is %dx%d, want 1..%d a side",
					filepath.Base(pairs[0].Ori), w, h, maxSide)
			}
			baseSum = make([]uint32, w*h)
			buf = make([]byte, 2*w*h)
			sums = make([]float64, len(pairs))
		}
		for j := range cnt {
			p := pairs[b0+j]
			ori, inv := imgs[2*j], imgs[2*j+1]
			for _, c := range []struct {
				g    grey
				name string
			}{{ori, p.Ori}, {inv, p.Inv}} {
				if c.g.w != w || c.g.h != h {
					return 0, 0, nil, nil, &InconsistentPackError{File: filepath.Base(c.name), W: c.g.w, H: c.g.h,
						First: filepath.Base(pairs[0].Ori), W0: w, H0: h}
				}
			}
			var sum int64
			for i, o := range ori.pix {
				v := inv.pix[i]
				d := int16(o) - int16(v)
				binary.LittleEndian.PutUint16(buf[2*i:], uint16(d))
				baseSum[i] += uint32(o) + uint32(v)
				sum += int64(d)
			}
			sums[b0+j] = float64(sum)
			if _, err := cw.Write(buf); err != nil {
				return 0, 0, nil, nil, fmt.Errorf("results: compute: %w", err)
			}
		}
	}
	return w, h, baseSum, sums, nil
}

// crcWriter writes through a buffer and keeps the CRC-32C and length of
// what it wrote. Write errors stick in the bufio.Writer and come back at
// Flush, so the section writers below need not check each call.
type crcWriter struct {
	w   *bufio.Writer
	crc uint32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, castagnoli, p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

func writeFloats(cw *crcWriter, xs []float64) {
	var buf [8 << 10]byte
	for len(xs) > 0 {
		k := min(len(xs), len(buf)/8)
		for i, x := range xs[:k] {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
		}
		cw.Write(buf[:8*k])
		xs = xs[k:]
	}
}

func writeUint32s(cw *crcWriter, xs []uint32) {
	var buf [8 << 10]byte
	for len(xs) > 0 {
		k := min(len(xs), len(buf)/4)
		for i, x := range xs[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], x)
		}
		cw.Write(buf[:4*k])
		xs = xs[k:]
	}
}
