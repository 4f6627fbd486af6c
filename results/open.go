package results

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// Stats is an opened stats file: the small sections in memory (Gram matrix,
// base, infoVal reference: about 30 MB for 300 pairs), the noise left on
// disk and streamed when a CI needs it. Safe for concurrent use; Close it
// when done.
type Stats struct {
	f          *os.File
	w, h, n, k int
	seed       uint64
	noiseOff   int64
	baseSum    []uint32
	gram       []float64 // G in d units (grey levels²), N×N
	q          []float64 // Q_k, K
	mt         []float64 // Mᵀ = G·Rᵀ, N×K
	signs      []int8    // Rᵀ, N×K
	fullMed    float64   // median of sqrt(Q_k): the reference of a reply answering every pair
	fullMAD    float64   // its MAD (×1.4826)
}

// Open reads and checks a stats file written by Compute. Everything is
// verified before it is trusted: magic, version, header checksum, the file's
// length against the sizes, the payload's CRC-32C, and the random responders
// drawn again from the seed against the stored reference. A truncated,
// damaged or foreign file gives ErrCorrupt, another format version
// ErrVersion (either way: compute it again).
func Open(path string) (*Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: open stats: %w", err)
	}
	s, err := load(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: open %s: %w", path, err)
	}
	return s, nil
}

func load(f *os.File) (*Stats, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	hb := make([]byte, headerSize)
	if _, err := io.ReadFull(f, hb); err != nil {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrCorrupt, info.Size())
	}
	hdr, err := parseHeader(hb)
	if err != nil {
		return nil, err
	}
	w, h, n, k := int(hdr.w), int(hdr.h), int(hdr.n), int(hdr.k)
	l := layoutOf(w, h, n, k)
	if info.Size() != l.end {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d", ErrCorrupt, info.Size(), l.end)
	}
	// Only now, with the length real, may sizes from the file size buffers.
	cr := &crcReader{r: bufio.NewReaderSize(f, 1<<20)}
	if _, err := io.CopyN(io.Discard, cr, l.base-l.noise); err != nil { // noise: checked, left on disk
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	s := &Stats{f: f, w: w, h: h, n: n, k: k, seed: hdr.seed, noiseOff: l.noise}
	s.baseSum = make([]uint32, w*h)
	s.gram = make([]float64, n*n)
	s.q = make([]float64, k)
	s.mt = make([]float64, n*k)
	if err := readUint32s(cr, s.baseSum); err != nil {
		return nil, err
	}
	for _, xs := range [][]float64{s.gram, s.q, s.mt} {
		if err := readFloats(cr, xs); err != nil {
			return nil, err
		}
	}
	if cr.crc != hdr.payloadCRC {
		return nil, fmt.Errorf("%w: payload checksum mismatch", ErrCorrupt)
	}
	s.signs = responderSigns(s.seed, k, n)
	q := make([]float64, k)
	qOf(s.signs, s.mt, n, k, q)
	for i := range q {
		if q[i] != s.q[i] {
			return nil, fmt.Errorf("%w: random responders differ from the stored reference", ErrCorrupt)
		}
	}
	norms := make([]float64, k)
	for i, v := range s.q {
		norms[i] = math.Sqrt(max(v, 0))
	}
	s.fullMed, s.fullMAD = medianMAD(norms)
	return s, nil
}

// Close releases the file.
func (s *Stats) Close() error { return s.f.Close() }

// Width is the stimuli's width in pixels.
func (s *Stats) Width() int { return s.w }

// Height is the stimuli's height in pixels.
func (s *Stats) Height() int { return s.h }

// Pairs is the number of pairs in the pack.
func (s *Stats) Pairs() int { return s.n }

// Seed is the seed the random responders were drawn from.
func (s *Stats) Seed() uint64 { return s.seed }

// Base returns the base face, row-major in [0, 1]-units (it may leave [0, 1]
// slightly where rcicr's stimuli were clipped): base = mean over pairs of
// ori + inv − 0.5, rcicr's base image recovered from the stimuli.
func (s *Stats) Base() []float64 {
	b := make([]float64, len(s.baseSum))
	div := 255 * float64(s.n)
	for i, v := range s.baseSum {
		b[i] = float64(v)/div - 0.5
	}
	return b
}

// Gram returns G_ij = Σ_pixels c_i·c_j in c units, c = 0.6·(ori − inv).
func (s *Stats) Gram(i, j int) float64 { return s.gram[i*s.n+j] * dScale * dScale }

// crcReader keeps the CRC-32C of what it reads.
type crcReader struct {
	r   io.Reader
	crc uint32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

func readFloats(r io.Reader, xs []float64) error {
	var buf [8 << 10]byte
	for len(xs) > 0 {
		k := min(len(xs), len(buf)/8)
		if _, err := io.ReadFull(r, buf[:8*k]); err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		for i := range xs[:k] {
			xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
		}
		xs = xs[k:]
	}
	return nil
}

func readUint32s(r io.Reader, xs []uint32) error {
	var buf [8 << 10]byte
	for len(xs) > 0 {
		k := min(len(xs), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		for i := range xs[:k] {
			xs[i] = binary.LittleEndian.Uint32(buf[4*i:])
		}
		xs = xs[k:]
	}
	return nil
}
