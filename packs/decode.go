package packs

// decode.go proves that every image of an upload decodes to its end before
// the pack is published: a file whose header reads but whose pixels are cut
// or corrupt is refused at upload, not found by the researcher's first look
// at the results.

import (
	"bufio"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/psyx-lab/psyx/model"
)

// decodes are an upload's images being decoded in the background while the
// next files arrive: each was just written and fsynced, so it is read back
// from the page cache.
type decodes struct {
	wg      sync.WaitGroup
	started int // files handed to a decoder, in upload order

	mu      sync.Mutex
	stopped bool  // discarded: decoders not begun yet skip their file
	bad     error // the failure of the earliest file in upload order
	badAt   int
}

// decodeLater decodes fn in the background once one of the library's
// decoders is free. Waiting here, in the receive, is what bounds memory:
// at most GOMAXPROCS decodes at once in the whole process, each holding at
// most 8 bytes a pixel (a 16-bit RGBA PNG) of an image the header check
// allowed, max_image_pixels × 8 bytes (a progressive JPEG's decoder also
// keeps 4 bytes a pixel per colour component of coefficients).
func (u *Upload) decodeLater(fn FileName) {
	u.lib.decoders <- struct{}{}
	at := u.dec.started
	u.dec.started++
	u.dec.wg.Go(func() {
		defer func() { <-u.lib.decoders }()
		u.dec.mu.Lock()
		stopped := u.dec.stopped
		u.dec.mu.Unlock()
		if stopped {
			return
		}
		if u.lib.decodeHook != nil {
			u.lib.decodeHook()
		}
		if err := decodeImage(filepath.Join(u.dir, fn.Base), fn); err != nil {
			u.dec.fail(at, err)
		}
	})
}

func (d *decodes) fail(at int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bad == nil || at < d.badAt {
		d.bad, d.badAt = err, at
	}
}

// failed is a failure found so far, without waiting: the receive stops at
// once instead of reading the rest of a doomed upload.
func (d *decodes) failed() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bad
}

// stop lets the decoders that have not begun skip their file, and waits
// for the others, so that nothing reads the folder once it is removed.
func (d *decodes) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.wg.Wait()
}

// Decoded waits until every kept image is decoded and returns the failure
// of the earliest one in upload order: UnreadableImage, or an error of the
// disk.
func (u *Upload) Decoded() error {
	u.dec.wg.Wait()
	return u.dec.failed()
}

// decodeImage decodes a whole image file and drops it. A decoder's error
// is the image's fault (UnreadableImage with the decoder's reason); an
// error reading the file is the disk's.
func decodeImage(path string, fn FileName) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("decode %s: %w", fn.Base, err)
	}
	defer f.Close()
	decode := jpeg.Decode
	if fn.PNG {
		decode = png.Decode
	}
	_, err = decode(bufio.NewReaderSize(f, 64<<10))
	var disk *fs.PathError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &disk):
		return fmt.Errorf("decode %s: %w", fn.Base, err)
	default:
		return model.Fail(model.UnreadableImage, fn.Base, model.Echo(err.Error()))
	}
}
