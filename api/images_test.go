package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// The images outside testing sent to take the service down, and their
// bytes. The limit is the default max_image_pixels, 1024².
var (
	headerBomb = testkit.PNGBomb(100000, 100000)       // 1.6 KB, 10 GB decoded
	flat10000  = testkit.FlatPNG(10000, 10000)         // 100 KB, valid, 100 MB decoded
	overLimit  = testkit.FlatPNG(1024, 1025)           // one row over
	atLimit    = testkit.FlatPNG(1024, 1024)           // exactly the limit
	cutPNG     = testkit.Truncated(png, len(png)/2)    // header whole, pixels cut
	cutJPEG    = testkit.Truncated(jpeg, len(jpeg)-40) // the same for a JPEG
)

// An upload whose image is too large by its header, or does not decode to
// its end, is refused with the file's name, and nothing of it is kept.
func TestCreatePackRefusesImageBombs(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 1})
	pair := func(prefix, ext string, ori, inv []byte) []file {
		return []file{{Name: prefix + "_00001_ori." + ext, Data: ori}, {Name: prefix + "_00001_inv." + ext, Data: inv}}
	}
	tests := []struct {
		name  string
		files []file
		want  string
	}{
		{"header says 100000×100000", pair("bomb", "png", headerBomb, headerBomb), "Image Too Large: bomb_00001_ori.png (100000×100000)"},
		{"valid 10000×10000 pair", pair("big", "png", flat10000, flat10000), "Image Too Large: big_00001_ori.png (10000×10000)"},
		{"one row over the limit", pair("big", "png", atLimit, overLimit), "Image Too Large: big_00001_inv.png (1024×1025)"},
		{"truncated png", pair("cut", "png", png, cutPNG), "Unreadable Image: cut_00001_inv.png: png: invalid format: not enough pixel data"},
		{"truncated jpeg", pair("cut", "jpg", cutJPEG, jpeg), "Unreadable Image: cut_00001_ori.jpg: invalid JPEG format: short Huffman data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, e.upload(t, form{"bombs", "2", "20", "29"}, tc.files), http.StatusBadRequest, tc.want)
			e.wantWhole(t, 0)
		})
	}
	// The limit itself is allowed.
	wantStatus(t, e.upload(t, form{"limit", "2", "20", "29"}, pair("lim", "png", atLimit, atLimit)), 200, "Pack 1 Added.")
}

// shortBody keeps a failure message readable when the body is an image.
func shortBody(b string) string {
	if len(b) > 300 {
		return b[:300] + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return b
}
