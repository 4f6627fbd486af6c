package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// TempPrefix starts the name of every file Compute writes before it is
// complete ("<dir>/.tmp-<name>-<random>"). A crash leaves such a file
// behind, never a file at the final path; RemoveTemps deletes them.
const TempPrefix = ".tmp-"

// IsTemp tells whether a file name (base name or path) is one of Compute's
// unfinished files.
func IsTemp(name string) bool { return strings.HasPrefix(filepath.Base(name), TempPrefix) }

// createLocked creates a temp file in dir and takes an exclusive flock on
// it, held for as long as the file stays open: the kernel drops it when
// the writer closes the file or dies, which is how RemoveTemps tells a
// dead writer's file from a live one's, in this process or another.
func createLocked(dir, pattern string) (*os.File, error) {
	for range 3 {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		// Blocking: a sweep that locked the file first holds it only to
		// remove it.
		if err := flock(f, syscall.LOCK_EX); err != nil {
			os.Remove(f.Name())
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		// Between the create and the lock a sweep may have taken the
		// unlocked file for a dead writer's and removed it: then it has no
		// name left, and another file is made.
		var st syscall.Stat_t
		if err := fstat(f, &st); err != nil {
			os.Remove(f.Name())
			f.Close()
			return nil, fmt.Errorf("stat %s: %w", f.Name(), err)
		}
		if st.Nlink > 0 {
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("create a temp file in %s: removed under us three times", dir)
}

// RemoveTemps deletes the unfinished files in dir whose writer is gone:
// each one it can lock at once (flock, without waiting). A file another
// Compute is writing, in this process or another instance's, is locked and
// stays. It returns how many it removed.
func RemoveTemps(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("results: sweep: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		gone, err := removeIfDead(filepath.Join(dir, e.Name()))
		if err != nil {
			return removed, fmt.Errorf("results: sweep: %w", err)
		}
		if gone {
			removed++
		}
	}
	return removed, nil
}

// removeIfDead removes path if no one holds its lock.
func removeIfDead(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // finished or removed meanwhile
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil // its writer is alive
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", path, err)
	}
	// Locked: the writer is dead, or finished and renamed the file away
	// since it was listed (then the name is gone and nothing is removed).
	err = os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), how)
			if !errors.Is(lerr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	return lerr
}

func fstat(f *os.File, st *syscall.Stat_t) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), st) }); err != nil {
		return err
	}
	return serr
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
