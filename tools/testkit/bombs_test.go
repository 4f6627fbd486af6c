package testkit

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The bombs are what they say: a tiny file with a huge header that does
// not decode, a flat image that does, and a cut one whose header still
// reads.
func TestBombs(t *testing.T) {
	bomb := PNGBomb(100000, 100000)
	if c, _, err := image.DecodeConfig(bytes.NewReader(bomb)); err != nil || c.Width != 100000 || c.Height != 100000 || len(bomb) > 2000 {
		t.Fatalf("bomb: %d bytes, header %dx%d, %v", len(bomb), c.Width, c.Height, err)
	}
	if _, err := png.Decode(bytes.NewReader(PNGBomb(300, 9000))); err == nil {
		t.Fatal("a bomb's data decodes")
	}
	for _, tc := range []struct {
		name string
		w, h int
	}{{"rows not a multiple of a chunk", 333, 77}, {"many chunks", 3000, 2000}} {
		t.Run(tc.name, func(t *testing.T) {
			b := FlatPNG(tc.w, tc.h)
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil || img.Bounds() != image.Rect(0, 0, tc.w, tc.h) {
				t.Fatalf("flat png: %v %v", err, img)
			}
			if len(b) > tc.w*tc.h/200+200 {
				t.Errorf("%d bytes for %d pixels", len(b), tc.w*tc.h)
			}
		})
	}
	whole := Encode(Stimulus(1, 0, 64), PNG)
	cut := Truncated(whole, len(whole)/2)
	if _, err := png.DecodeConfig(bytes.NewReader(cut)); err != nil {
		t.Fatalf("a cut image's header: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(cut)); err == nil {
		t.Fatal("a cut image decodes")
	}
}
