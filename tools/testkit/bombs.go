package testkit

// bombs.go makes the images outside testing used to take the service down:
// PNGs whose headers promise far more pixels than their bytes (or than a
// server's memory) hold, and images cut short.

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// PNGBomb is a PNG of about 1.6 KB whose header says w×h 8-bit grey
// pixels: its pixel data is the start of a zlib stream of black rows that
// stops after about 1.5 MB of them. A decoder that trusts the header
// allocates w×h bytes before it finds the data missing.
func PNGBomb(w, h int) []byte {
	chunk := zeroDeflate(1_500_000)
	idat := append([]byte{0x78, 0xDA}, chunk...) // zlib header; no final block, no checksum
	return pngFile(w, h, idat)
}

// FlatPNG is a valid w×h 8-bit grey PNG, all black, compressed as far as
// deflate goes: about w·h/1000 bytes on disk (120 KB for 10000²), w·h
// bytes once decoded.
func FlatPNG(w, h int) []byte {
	row := w + 1 // the filter byte, then the pixels
	total := row * h
	// Deflate blocks ending in a sync flush can be repeated: each copy of
	// the chunk refers only to zeros, and zeros are all there is.
	const target = 1 << 20
	rows := max(1, min(h, target/row))
	chunk := zeroDeflate(rows * row)
	var idat bytes.Buffer
	idat.Write([]byte{0x78, 0xDA})
	for range h / rows {
		idat.Write(chunk)
	}
	if rest := h % rows; rest > 0 {
		idat.Write(zeroDeflate(rest * row))
	}
	idat.Write([]byte{0x03, 0x00}) // a final fixed-Huffman block holding only its end
	// Adler-32 of total zero bytes: a = 1, b = total·1 mod 65521.
	idat.Write(binary.BigEndian.AppendUint32(nil, uint32(total%65521)<<16|1))
	return pngFile(w, h, idat.Bytes())
}

// Truncated is b cut to its first keep bytes (a copy).
func Truncated(b []byte, keep int) []byte { return append([]byte(nil), b[:keep]...) }

// zeroDeflate is n zero bytes as raw deflate blocks ending in a sync
// flush, with no final block.
func zeroDeflate(n int) []byte {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	zeros := make([]byte, 64<<10)
	for n > 0 {
		k := min(n, len(zeros))
		fw.Write(zeros[:k]) // into a bytes.Buffer: cannot fail
		n -= k
	}
	fw.Flush()
	return buf.Bytes()
}

// pngFile is a PNG of one IDAT chunk: 8-bit grey, w×h.
func pngFile(w, h int, idat []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8 bits, grey, deflate, no filter set, no interlace
	for _, c := range []struct {
		kind string
		data []byte
	}{{"IHDR", ihdr}, {"IDAT", idat}, {"IEND", nil}} {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(c.data))))
		crc := crc32.NewIEEE()
		crc.Write([]byte(c.kind))
		crc.Write(c.data)
		b.WriteString(c.kind)
		b.Write(c.data)
		b.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
	}
	return b.Bytes()
}
