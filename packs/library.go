package packs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"go.uber.org/zap"
)

// Library is the folder of packs (served by Nginx) and its staging area,
// which must be on the same file system so a rename is atomic.
type Library struct {
	packsDir   string
	stagingDir string
	pairs      int // pairs per pack; 0 = any number >= 1
	maxPixels  int // width × height of the largest image accepted
	log        *zap.Logger
	// decoders holds a token per image being decoded, in all uploads:
	// GOMAXPROCS at most, so memory and CPU stay bounded however many
	// uploads arrive at once.
	decoders chan struct{}
	// decodeHook, when set (tests), runs in each decode while it holds
	// its token.
	decodeHook func()
}

// Staging entries start with these; anything else in staging is foreign.
const (
	uploadPrefix = "upload-"
	trashPrefix  = "trash-"
)

// NewLibrary prepares dataDir/packs and dataDir/.staging. Images of more
// than maxImagePixels pixels (width × height) are refused.
func NewLibrary(dataDir string, pairsPerPack, maxImagePixels int, log *zap.Logger) (*Library, error) {
	if maxImagePixels < 1 {
		return nil, fmt.Errorf("new library: max image pixels %d", maxImagePixels)
	}
	l := &Library{
		packsDir:   filepath.Join(dataDir, "packs"),
		stagingDir: filepath.Join(dataDir, ".staging"),
		pairs:      pairsPerPack,
		maxPixels:  maxImagePixels,
		log:        log,
		decoders:   make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	for _, d := range []string{l.packsDir, l.stagingDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	return l, nil
}

// Dir is the folder of a published pack. name must be a valid pack name.
func (l *Library) Dir(name string) string { return filepath.Join(l.packsDir, name) }

// Retire moves a pack's folder out of the served tree into a trash folder
// and returns that folder. A missing pack folder is not an error: there is
// nothing to serve either way.
func (l *Library) Retire(name string) (string, error) {
	if !ValidPackName(name) {
		return "", fmt.Errorf("retire: bad pack name %q", name)
	}
	trash, err := os.MkdirTemp(l.stagingDir, trashPrefix)
	if err != nil {
		return "", fmt.Errorf("retire %s: %w", name, err)
	}
	err = os.Rename(l.Dir(name), filepath.Join(trash, name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		os.Remove(trash)
		return "", fmt.Errorf("retire %s: %w", name, err)
	}
	if err := syncDir(l.packsDir); err != nil {
		return trash, fmt.Errorf("retire %s: %w", name, err)
	}
	return trash, nil
}

// Restore puts a retired folder back.
func (l *Library) Restore(trash, name string) error {
	err := os.Rename(filepath.Join(trash, name), l.Dir(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore %s: %w", name, err)
	}
	os.Remove(trash)
	return syncDir(l.packsDir)
}

// Purge deletes a retired folder; a failure only leaves garbage for the
// next sweep, so it is logged, not returned.
func (l *Library) Purge(trash string) {
	if err := os.RemoveAll(trash); err != nil {
		l.log.Error("purge retired pack folder", zap.String("dir", trash), zap.Error(err))
	}
}

// Withdraw takes a published folder away again (its row was not committed).
func (l *Library) Withdraw(name string) error {
	trash, err := l.Retire(name)
	if err != nil {
		return err
	}
	l.Purge(trash)
	return nil
}

// Sweep repairs what a crash can leave: unfinished uploads, folders of packs
// whose row never committed, and folders retired by a delete that did not
// commit. exists tells the packs the database holds (id by name); the
// caller guarantees that no create or delete runs meanwhile.
func (l *Library) Sweep(exists map[string]int) error {
	staged, err := os.ReadDir(l.stagingDir)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, e := range staged {
		dir := filepath.Join(l.stagingDir, e.Name())
		if strings.HasPrefix(e.Name(), trashPrefix) {
			if err := l.sweepTrash(dir, exists); err != nil {
				return err
			}
			continue
		}
		l.log.Warn("sweep: removing unfinished upload", zap.String("dir", dir))
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("sweep %s: %w", dir, err)
		}
	}
	published, err := os.ReadDir(l.packsDir)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, e := range published {
		if _, ok := exists[e.Name()]; !e.IsDir() || ok {
			continue
		}
		dir := filepath.Join(l.packsDir, e.Name())
		l.log.Warn("sweep: removing folder of a pack that is not in the database", zap.String("dir", dir))
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("sweep %s: %w", dir, err)
		}
	}
	return syncDir(l.packsDir)
}

func (l *Library) sweepTrash(trash string, exists map[string]int) error {
	inner, err := os.ReadDir(trash)
	if err != nil {
		return fmt.Errorf("sweep %s: %w", trash, err)
	}
	for _, e := range inner {
		name := e.Name()
		_, inDB := exists[name]
		if _, err := os.Lstat(l.Dir(name)); inDB && errors.Is(err, fs.ErrNotExist) {
			l.log.Warn("sweep: restoring folder of a pack whose delete did not commit", zap.String("pack", name))
			if err := l.Restore(trash, name); err != nil {
				return err
			}
		}
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("sweep %s: %w", trash, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
