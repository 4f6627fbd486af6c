package stimuli

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sync"
)

// PNGEncoder encodes PNGs fast: zlib's best speed (no filtering) and the
// encoder's buffers reused across calls through a pool of its own. It is safe
// for concurrent use. Make one with NewPNGEncoder: the zero value encodes
// with default compression and no pooling.
type PNGEncoder struct {
	enc png.Encoder
}

// encoderPool is a png.EncoderBufferPool on a sync.Pool.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// NewPNGEncoder is an encoder with its own buffer pool.
func NewPNGEncoder() *PNGEncoder {
	return &PNGEncoder{enc: png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}}
}

// Encode writes img as a PNG (8-bit grey for *image.Gray).
func (e *PNGEncoder) Encode(w io.Writer, img image.Image) error {
	if err := e.enc.Encode(w, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	return nil
}

// maxBase16Bytes bounds the PNG DecodeBase16 reads: a 1024² 16-bit grey PNG
// is 2 MiB of pixels, and no compressor makes it much larger.
const maxBase16Bytes = 8 << 20

// EncodeBase16 writes the base as used (size² values in [0, 1], row-major)
// as a 16-bit grey PNG of round(65535·v), clipped to [0, 1], so that the base
// beside a pack is kept to within 1/131070 instead of 8-bit's 1/510.
func EncodeBase16(w io.Writer, base []float64, size int) error {
	if size < 1 || size > MaxSize || len(base) != size*size {
		return fmt.Errorf("encode base: %w", fmtShape("%d values for size %d", len(base), size))
	}
	img := image.NewGray16(image.Rect(0, 0, size, size))
	for i, v := range base {
		if math.IsNaN(v) {
			return fmt.Errorf("encode base: %w: pixel %d", ErrNotFinite, i)
		}
		q := uint16(math.Round(65535 * min(max(v, 0), 1)))
		img.Pix[2*i], img.Pix[2*i+1] = uint8(q>>8), uint8(q)
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("encode base: %w", err)
	}
	return nil
}

// DecodeBase16 reads EncodeBase16's PNG back: the base (v = level/65535)
// and its side. It checks the PNG's header (square, side in [MinSize,
// MaxSize]) before decoding the pixels, and reads at most 8 MiB. A PNG that
// is not 16-bit grey is converted through color.Gray16Model.
func DecodeBase16(r io.Reader) (base []float64, size int, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBase16Bytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("decode base: %w", err)
	}
	if len(data) > maxBase16Bytes {
		return nil, 0, fmt.Errorf("decode base: %w", fmtTooLarge("more than %d bytes", maxBase16Bytes))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("decode base: %w: %w", ErrCorrupt, err)
	}
	if cfg.Width != cfg.Height {
		return nil, 0, fmt.Errorf("decode base: %w", &NotSquareError{Width: cfg.Width, Height: cfg.Height})
	}
	if cfg.Width < MinSize || cfg.Width > MaxSize {
		return nil, 0, fmt.Errorf("decode base: %w: %d", ErrImgSize, cfg.Width)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("decode base: %w: %w", ErrCorrupt, err)
	}
	size = cfg.Width
	base = make([]float64, size*size)
	b := img.Bounds()
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := color.Gray16Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray16)
			base[y*size+x] = float64(c.Y) / 65535
		}
	}
	return base, size, nil
}
