package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TempPrefix starts the name of every file Compute writes before it is
// complete ("<dir>/.tmp-<name>-<random>"). A crash leaves such a file
// behind, never a file at the final path; RemoveTemps deletes them.
const TempPrefix = ".tmp-"

// IsTemp tells whether a file name (base name or path) is one of Compute's
// unfinished files.
func IsTemp(name string) bool { return strings.HasPrefix(filepath.Base(name), TempPrefix) }

// RemoveTemps deletes the unfinished files in dir last modified more than
// olderThan ago (a Compute still running keeps writing its file, so a sweep
// at start-up can use 0 and a periodic one an hour). It returns how many it
// removed.
func RemoveTemps(dir string, olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("results: sweep: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < olderThan {
			continue // gone meanwhile, or maybe still being written
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
			return removed, fmt.Errorf("results: sweep: %w", err)
		}
		removed++
	}
	return removed, nil
}

// syncDir makes a rename in dir durable: without it a power cut after the
// rename may bring back the directory without the new name.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
