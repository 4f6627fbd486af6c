package packs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/psyx-lab/psyx/model"
)

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
)

// Upload is a pack being received into its own staging folder. Nothing of
// it is visible until Publish.
type Upload struct {
	lib       *Library
	dir       string
	mu        sync.Mutex // held by AddGenerated, which runs on several goroutines
	sides     map[int]*model.Pair
	buf       []byte // one copy buffer for all the files of the upload
	dupe      bool
	published bool
	// The first kept file: every other one must share its prefix and, for
	// a classification image, its width and height.
	first         FileName
	width, height int
	dec           decodes
}

// NewUpload starts receiving a pack.
func (l *Library) NewUpload() (*Upload, error) {
	dir, err := os.MkdirTemp(l.stagingDir, uploadPrefix)
	if err != nil {
		return nil, fmt.Errorf("new upload: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("new upload: %w", err)
	}
	return &Upload{lib: l, dir: dir, sides: map[int]*model.Pair{}}, nil
}

// Add receives one uploaded file. Files that are not stimulus images are not
// kept (kept=false, nothing read). An image whose bytes are not what its
// extension says is InvalidImage; one whose header says more pixels than
// the library allows is ImageTooLarge; one of another prefix or size than
// the first is MixedPrefixes or MixedSizes. A kept image is then decoded in
// the background (see Decoded); once one has failed, Add returns that
// failure.
func (u *Upload) Add(clientName string, r io.Reader) (kept bool, err error) {
	if err := u.dec.failed(); err != nil {
		return true, err
	}
	fn, ok := ParseFileName(clientName)
	if !ok {
		return false, nil
	}
	if u.first.Base == "" {
		u.first = fn
	} else if fn.Prefix != u.first.Prefix {
		return true, model.Fail(model.MixedPrefixes, u.first.Prefix, fn.Prefix)
	}
	p := u.sides[fn.Pair]
	if p == nil {
		p = &model.Pair{}
		u.sides[fn.Pair] = p
	}
	if p[fn.Side] != "" {
		u.dupe = true // a pair side twice: the folder is not a valid pack
		return true, nil
	}
	if err := u.write(fn, r); err != nil {
		return true, err
	}
	if err := u.checkSize(fn); err != nil {
		return true, err
	}
	u.decodeLater(fn)
	p[fn.Side] = fn.Base
	return true, nil
}

// checkSize reads the width and height from the image's header (not the
// whole image), refuses more pixels than the library's limit before
// anything is decoded, and compares them with the first image's.
func (u *Upload) checkSize(fn FileName) error {
	f, err := os.Open(filepath.Join(u.dir, fn.Base))
	if err != nil {
		return fmt.Errorf("reopen %s: %w", fn.Base, err)
	}
	defer f.Close()
	decode := jpeg.DecodeConfig
	if fn.PNG {
		decode = png.DecodeConfig
	}
	cfg, err := decode(bufio.NewReader(f))
	if err != nil {
		return model.Fail(model.InvalidImage, fn.Base)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(u.lib.maxPixels) {
		return model.Fail(model.ImageTooLarge, fn.Base, cfg.Width, cfg.Height)
	}
	if u.width == 0 {
		u.width, u.height = cfg.Width, cfg.Height
		return nil
	}
	if cfg.Width != u.width || cfg.Height != u.height {
		return model.Fail(model.MixedSizes, fn.Base, cfg.Width, cfg.Height, u.first.Base, u.width, u.height)
	}
	return nil
}

func (u *Upload) write(fn FileName, r io.Reader) error {
	head := make([]byte, len(pngMagic))
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", fn.Base, err)
	}
	head = head[:n]
	magic := jpegMagic
	if fn.PNG {
		magic = pngMagic
	}
	if !bytes.HasPrefix(head, magic) {
		return model.Fail(model.InvalidImage, fn.Base)
	}
	path := filepath.Join(u.dir, fn.Base)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// Same name under two pair numbers cannot happen; same name twice is a duplicate.
		u.dupe = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(head); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if u.buf == nil {
		u.buf = make([]byte, 64<<10)
	}
	// struct{io.Writer} hides *os.File's ReadFrom, which would allocate
	// a fresh buffer for every file.
	if _, err := io.CopyBuffer(struct{ io.Writer }{f}, r, u.buf); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Durable before the row that points at it commits.
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// Pairs checks that the kept files form pairs 1..N, each with one ori and
// one inv, N being the configured size (or any N >= 1 when that is 0).
func (u *Upload) Pairs() ([]model.Pair, error) {
	if u.dupe || len(u.sides) == 0 {
		return nil, ErrInvalidSize
	}
	want := u.lib.pairs
	if want == 0 {
		want = len(u.sides)
	}
	if len(u.sides) != want {
		return nil, ErrInvalidSize
	}
	out := make([]model.Pair, want)
	for i := 1; i <= want; i++ {
		p := u.sides[i]
		if p == nil || p[model.Ori] == "" || p[model.Inv] == "" {
			return nil, ErrInvalidSize
		}
		out[i-1] = *p
	}
	return out, nil
}

// Publish moves the staged folder to packs/<name>, once every image has
// decoded. A folder already there has no committed row (the caller holds
// the row's name), so it is a leftover of a crash and goes to the trash.
func (u *Upload) Publish(name string) error {
	if !ValidPackName(name) {
		return fmt.Errorf("publish: bad pack name %q", name)
	}
	if err := u.Decoded(); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	if err := syncDir(u.dir); err != nil {
		return err
	}
	target := u.lib.Dir(name)
	if _, err := os.Lstat(target); err == nil {
		if err := u.lib.Withdraw(name); err != nil {
			return fmt.Errorf("publish %s: clear leftover folder: %w", name, err)
		}
	}
	if err := os.Rename(u.dir, target); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	u.published = true
	return syncDir(u.lib.packsDir)
}

// Withdraw undoes Publish.
func (u *Upload) Withdraw(name string) error {
	if !u.published {
		return nil
	}
	u.published = false
	return u.lib.Withdraw(name)
}

// Discard removes the staged files unless they were published, once no
// decoder reads them any more.
func (u *Upload) Discard() error {
	u.dec.stop()
	if u.published {
		return nil
	}
	if err := os.RemoveAll(u.dir); err != nil {
		return fmt.Errorf("discard upload: %w", err)
	}
	return nil
}
