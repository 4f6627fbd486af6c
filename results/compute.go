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

// DefaultMaxPixels is the largest image (width × height) Compute decodes
// when its options name no limit: 1024², the service's default.
const DefaultMaxPixels = 1024 * 1024

// ComputeOptions bound a computation and let its caller follow it.
type ComputeOptions struct {
	// MaxPixels is the most pixels an image may have, read from its header
	// before anything is decoded; 0 means DefaultMaxPixels.
	MaxPixels int
	// Progress, when set, is called after each batch of pairs is written
	// to the temp file, with the number of pairs done so far.
	Progress func(done int)
}

// Compute reads a pack's images once and writes its stats file at path: for
// every pair the noise d = ori − inv (exact 8-bit difference), the sum of
// ori + inv (the base face), the pairs' Gram matrix G_ij = Σ_pixels d_i·d_j,
// and the infoVal reference of Responders random responders drawn from seed
// (M = R·G and Q_k = r_kᵀ G r_k). Pick the seed once per pack (e.g. its id):
// it fixes every infoVal of the pack.
//
// Whatever the pack's files hold, Compute answers with an error, never a
// crash: every header is read first, and an image of more than MaxPixels
// is an *ImageTooLargeError before anything is decoded or written; one
// that cannot be opened or decoded is an *UnreadableImageError; images of
// different sizes give an *InconsistentPackError.
//
// The file appears whole or not at all: it is written to a TempPrefix file
// in the same folder, which Compute holds under an exclusive flock until it
// is fsynced and renamed to path (then the folder is fsynced). On an error,
// a cancelled ctx included, the temp file is removed; a crash leaves it,
// unlocked, for RemoveTemps.
//
// Memory stays bounded whatever the pack's size: pairs are decoded one per
// core at a time, each image at most MaxPixels × 8 bytes while it decodes
// (a 16-bit RGBA PNG), and written as they come; G is accumulated over
// blocks of pixels read back from the temp file (BLAS Dsyrk, ≤ 16 MB a
// block); the largest buffer is the reference Mᵀ (n × 10,000 float64s,
// 24 MB for 300 pairs). computeHeapBound (bench_memory_test.go) counts it
// from the code, 70 MB for 300 pairs of 1024² on two cores;
// BenchmarkComputeMemory measured a 36 MB peak heap (58 MB of RSS).
func Compute(ctx context.Context, pairs []PairFiles, seed uint64, path string, o ComputeOptions) error {
	return compute(ctx, pairs, seed, path, o, nil)
}

// compute is Compute with a test hook run just before the rename, where a
// crash test kills the process.
func compute(ctx context.Context, pairs []PairFiles, seed uint64, path string, o ComputeOptions, beforeRename func()) (err error) {
	n := len(pairs)
	if n < 1 || n > maxPairs {
		return fmt.Errorf("results: compute: %d pairs, want 1..%d", n, maxPairs)
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	w, h, err := checkHeaders(ctx, pairs, o.MaxPixels)
	if err != nil {
		return err
	}
	sw, err := newStatsWriter(path)
	if err != nil {
		return err
	}
	defer sw.abandon()
	baseSum, sums, err := writeNoise(ctx, pairs, sw.cw, w, h, o)
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
	return sw.finish(ctx, hdr, g, beforeRename)
}

// checkHeaders reads every image's header, without decoding any: a bomb
// is refused before a byte is written, and images of different sizes
// before the long work begins. It returns the images' width and height.
func checkHeaders(ctx context.Context, pairs []PairFiles, maxPixels int) (w, h int, err error) {
	for i, p := range pairs {
		if err := ctx.Err(); err != nil {
			return 0, 0, fmt.Errorf("results: compute: %w", err)
		}
		for _, path := range []string{p.Ori, p.Inv} {
			im, err := openImage(path, maxPixels)
			if err != nil {
				return 0, 0, err
			}
			im.f.Close()
			if i == 0 && path == p.Ori {
				w, h = im.w, im.h
				if w > maxSide || h > maxSide { // the stats file's own limit, whatever MaxPixels allows
					return 0, 0, &ImageTooLargeError{File: im.name, W: w, H: h}
				}
				if w < 1 || h < 1 {
					return 0, 0, &UnreadableImageError{File: im.name, Reason: "no pixels"}
				}
				continue
			}
			if im.w != w || im.h != h {
				return 0, 0, &InconsistentPackError{File: im.name, W: im.w, H: im.h, First: filepath.Base(pairs[0].Ori), W0: w, H0: h}
			}
		}
	}
	return w, h, nil
}

// writeNoise decodes the pairs (a few images at a time, in parallel),
// checks that each is w×h, writes each pair's d = ori − inv as int16 and
// returns Σ(ori + inv) per pixel and Σ d per pair.
func writeNoise(ctx context.Context, pairs []PairFiles, cw *crcWriter, w, h int, o ComputeOptions) (baseSum []uint32, sums []float64, err error) {
	batch := max(1, runtime.GOMAXPROCS(0)/2) // two images per pair: one per core
	imgs := make([]grey, 2*batch)
	errs := make([]error, 2*batch)
	baseSum = make([]uint32, w*h)
	buf := make([]byte, 2*w*h)
	sums = make([]float64, len(pairs))
	for b0 := 0; b0 < len(pairs); b0 += batch {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("results: compute: %w", err)
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
				imgs[j], errs[j] = decodeGrey(name, o.MaxPixels)
			})
		}
		wg.Wait()
		for _, e := range errs[:2*cnt] {
			if e != nil {
				return nil, nil, e
			}
		}
		for j := range cnt {
			p := pairs[b0+j]
			ori, inv := imgs[2*j], imgs[2*j+1]
			for _, c := range []struct {
				g    grey
				name string
			}{{ori, p.Ori}, {inv, p.Inv}} {
				if c.g.w != w || c.g.h != h { // replaced since its header was read
					return nil, nil, &InconsistentPackError{File: filepath.Base(c.name), W: c.g.w, H: c.g.h,
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
				return nil, nil, fmt.Errorf("results: compute: %w", err)
			}
		}
		clear(imgs) // the decoded images go before the next batch decodes
		if o.Progress != nil {
			o.Progress(b0 + cnt)
		}
	}
	return baseSum, sums, nil
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
