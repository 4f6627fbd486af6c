package results

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
)

// Stats is an opened stats file: the small sections in memory (Gram matrix,
// base, infoVal reference: about 30 MB for 300 pairs), the noise left on
// disk and streamed when a CI needs it, or, for a generated pack, computed
// from its parameters. Safe for concurrent use; Close it when done.
type Stats struct {
	f          *os.File
	w, h, n, k int
	seed       uint64
	kind       uint32
	noiseOff   int64
	baseSum    []uint32   // kind images: Σ ori + inv per pixel
	base       []float64  // kind generated: the base as used
	gen        *Generated // kind generated: the noise's parameters
	sums       []float64  // Σ_pixels of each pair's noise, in gram's units
	// unit turns the stored noise, sums and gram into c units: 0.6/255 for
	// images (stored as exact grey-level differences), 1 when generated.
	unit    float64
	gram    []float64 // G in stored units (grey levels² for images), N×N
	q       []float64 // Q_k, K
	mt      []float64 // Mᵀ = G·Rᵀ, N×K
	signs   []int8    // Rᵀ, N×K
	fullMed float64   // median of sqrt(Q_k): the reference of a reply answering every pair
	fullMAD float64   // its MAD (×1.4826)
}

// Open reads and checks a stats file written by Compute. Everything is
// verified before it is trusted: magic, version, header checksum, the file's
// length against the sizes, the payload's CRC-32C, and the random responders
// drawn again from the seed against the stored reference. A truncated,
// damaged or foreign file gives ErrCorrupt, another format version
// ErrVersion (either way: compute it again).
//
// A file of a generated pack opens only with OpenGenerated.
func Open(path string) (*Stats, error) { return open(path, nil) }

// OpenGenerated opens the stats file of a generated pack (ComputeGenerated)
// with the parameters its noise comes from. A file of an image pack, or of
// other sizes, is ErrCorrupt.
func OpenGenerated(path string, g *Generated) (*Stats, error) { return open(path, g) }

func open(path string, g *Generated) (*Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: open stats: %w", err)
	}
	s, err := load(f, g)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: open %s: %w", path, err)
	}
	return s, nil
}

func load(f *os.File, g *Generated) (*Stats, error) {
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
	if want := uint32(kindImages); g != nil {
		want = kindGenerated
		if hdr.kind != want || g.Basis.Size() != w || w != h || g.Trials != n {
			return nil, fmt.Errorf("%w: not the stats of this generated pack", ErrCorrupt)
		}
	} else if hdr.kind != want {
		return nil, fmt.Errorf("%w: the stats of a generated pack, opened without its parameters", ErrCorrupt)
	}
	l := layoutOf(w, h, n, k, hdr.kind)
	if info.Size() != l.end {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d", ErrCorrupt, info.Size(), l.end)
	}
	// Only now, with the length real, may sizes from the file size buffers.
	cr := &crcReader{r: bufio.NewReaderSize(f, 1<<20)}
	if _, err := io.CopyN(io.Discard, cr, l.base-l.noise); err != nil { // noise: checked, left on disk
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	s := &Stats{f: f, w: w, h: h, n: n, k: k, seed: hdr.seed, kind: hdr.kind, noiseOff: l.noise, gen: g, unit: dScale}
	if g != nil {
		s.unit = 1
		s.base = make([]float64, w*h)
		if err := readFloats(cr, s.base); err != nil {
			return nil, err
		}
	} else {
		s.baseSum = make([]uint32, w*h)
		if err := readUint32s(cr, s.baseSum); err != nil {
			return nil, err
		}
	}
	s.sums = make([]float64, n)
	s.gram = make([]float64, n*n)
	s.q = make([]float64, k)
	s.mt = make([]float64, n*k)
	for _, xs := range [][]float64{s.sums, s.gram, s.q, s.mt} {
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
	if s.base != nil {
		return slices.Clone(s.base)
	}
	b := make([]float64, len(s.baseSum))
	div := 255 * float64(s.n)
	for i, v := range s.baseSum {
		b[i] = float64(v)/div - 0.5
	}
	return b
}

// GramAt returns G_ij = Σ_pixels c_i·c_j in c units, c = 0.6·(ori − inv).
func (s *Stats) GramAt(i, j int) float64 { return s.gram[i*s.n+j] * s.unit * s.unit }

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
