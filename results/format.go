package results

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// The stats file (all numbers little-endian):
//
//	header, 64 bytes:
//	  0  [8]byte  magic "PSYXSTAT"
//	  8  uint32   format version (2)
//	 12  uint32   width W
//	 16  uint32   height H
//	 20  uint32   pairs N
//	 24  uint32   random responders K
//	 28  uint32   kind: 0 a pack of images, 1 a pack generated from parameters
//	 32  uint64   seed of the random responders
//	 40  uint64   payload length in bytes (the file is 64 + this long)
//	 48  uint32   CRC-32C of the payload
//	 52  [8]byte  reserved, 0
//	 60  uint32   CRC-32C of bytes 0..59
//	payload, in this order (kind 0, images):
//	  noise  N×W×H int16   d = ori − inv in grey levels, pair-major, rows top first
//	  base   W×H   uint32  Σ over pairs of ori + inv in grey levels
//	  sums   N     float64 Σ_pixels d_i (exact integers)
//	  gram   N×N   float64 G_ij = Σ_pixels d_i·d_j (exact integers)
//	  q      K     float64 Q_k = r_kᵀ G r_k
//	  m      N×K   float64 Mᵀ = (R·G)ᵀ = G·Rᵀ, R the K×N random responses (±1);
//	               pair-major, so one pair's values over all responders are contiguous
//
// Kind 1 (generated from parameters) has no noise section: its noise is
// computed from the pack's parameters (package stimuli) whenever it is
// needed, in float64, so everything is in c units (rcicr's noise) exactly:
//
//	base   W×H   float64 the base face as used, in [0, 1]
//	sums   N     float64 Σ_pixels c_i
//	gram   N×N   float64 G_ij = Σ_pixels c_i·c_j
//	q, m   as above, from this gram
//
// R itself is not stored: it is drawn again from the seed (see
// responderSigns), and Open checks it against Q and M.
const (
	magic         = "PSYXSTAT"
	formatVersion = 2
	headerSize    = 64

	// Bounds on what a header may claim, so that a damaged header can never
	// make Open compute an overflowing length.
	maxSide       = 1 << 15
	maxPairs      = 1 << 16
	maxResponders = 1 << 20
)

// castagnoli is CRC-32C: hardware-accelerated, so checking a 180 MB file at
// every Open costs tens of milliseconds.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The kinds of pack a stats file describes.
const (
	kindImages    = 0
	kindGenerated = 1
)

type header struct {
	w, h, n, k uint32
	kind       uint32
	seed       uint64
	payloadLen uint64
	payloadCRC uint32
}

// layout is where each payload section starts, as file offsets.
type layout struct {
	noise, base, sums, gram, q, m, end int64
}

func layoutOf(w, h, n, k int, kind uint32) layout {
	p := int64(w) * int64(h)
	var l layout
	l.noise = headerSize
	l.base = l.noise + 2*int64(n)*p
	l.sums = l.base + 4*p
	if kind == kindGenerated {
		l.base = l.noise
		l.sums = l.base + 8*p
	}
	l.gram = l.sums + 8*int64(n)
	l.q = l.gram + 8*int64(n)*int64(n)
	l.m = l.q + 8*int64(k)
	l.end = l.m + 8*int64(k)*int64(n)
	return l
}

func (h header) marshal() []byte {
	b := make([]byte, headerSize)
	copy(b, magic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], formatVersion)
	le.PutUint32(b[12:], h.w)
	le.PutUint32(b[16:], h.h)
	le.PutUint32(b[20:], h.n)
	le.PutUint32(b[24:], h.k)
	le.PutUint32(b[28:], h.kind)
	le.PutUint64(b[32:], h.seed)
	le.PutUint64(b[40:], h.payloadLen)
	le.PutUint32(b[48:], h.payloadCRC)
	le.PutUint32(b[60:], crc32.Checksum(b[:60], castagnoli))
	return b
}

// parseHeader checks magic, header checksum, version and bounds, and that
// the payload length is the one the sizes imply.
func parseHeader(b []byte) (header, error) {
	if len(b) < headerSize {
		return header{}, fmt.Errorf("%w: %d bytes, shorter than the header", ErrCorrupt, len(b))
	}
	if string(b[:8]) != magic {
		return header{}, fmt.Errorf("%w: not a stats file", ErrCorrupt)
	}
	le := binary.LittleEndian
	if got, want := le.Uint32(b[60:]), crc32.Checksum(b[:60], castagnoli); got != want {
		return header{}, fmt.Errorf("%w: header checksum mismatch", ErrCorrupt)
	}
	if v := le.Uint32(b[8:]); v != formatVersion {
		return header{}, fmt.Errorf("%w: version %d, this build reads %d", ErrVersion, v, formatVersion)
	}
	h := header{
		w: le.Uint32(b[12:]), h: le.Uint32(b[16:]), n: le.Uint32(b[20:]), k: le.Uint32(b[24:]), kind: le.Uint32(b[28:]),
		seed: le.Uint64(b[32:]), payloadLen: le.Uint64(b[40:]), payloadCRC: le.Uint32(b[48:]),
	}
	if h.w < 1 || h.w > maxSide || h.h < 1 || h.h > maxSide || h.n < 1 || h.n > maxPairs ||
		h.k < 1 || h.k > maxResponders || h.kind > kindGenerated {
		return header{}, fmt.Errorf("%w: sizes out of range (%d×%d, %d pairs, %d responders)",
			ErrCorrupt, h.w, h.h, h.n, h.k)
	}
	if l := layoutOf(int(h.w), int(h.h), int(h.n), int(h.k), h.kind); uint64(l.end-headerSize) != h.payloadLen {
		return header{}, fmt.Errorf("%w: payload length %d does not fit the sizes", ErrCorrupt, h.payloadLen)
	}
	return h, nil
}
