package results

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// statsWriter writes a stats file so that it appears whole or not at all:
// into a TempPrefix file beside path, held under an exclusive flock until
// it is renamed, the header last, fsynced, renamed to path, the folder
// fsynced. Until finish succeeds, abandon removes the temp file (a crash
// leaves it, unlocked, for RemoveTemps).
type statsWriter struct {
	path string
	f    *os.File
	cw   *crcWriter
	done bool
}

func newStatsWriter(path string) (*statsWriter, error) {
	f, err := createLocked(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("results: compute: %w", err)
	}
	if _, err := f.Seek(headerSize, 0); err != nil { // the header goes in last
		os.Remove(f.Name())
		f.Close()
		return nil, fmt.Errorf("results: compute: %w", err)
	}
	return &statsWriter{path: path, f: f, cw: &crcWriter{w: bufio.NewWriterSize(f, 1<<20)}}, nil
}

// finish writes the Gram matrix and the infoVal reference drawn from
// hdr.seed after what was written so far, then the header, and puts the
// file in place, unless ctx ends first. beforeRename is a crash test's
// hook.
func (sw *statsWriter) finish(ctx context.Context, hdr header, g []float64, beforeRename func()) error {
	n := int(hdr.n)
	mt, q, err := referenceMQ(ctx, responderSigns(hdr.seed, int(hdr.k), n), g, int(hdr.k), n)
	if err != nil {
		return err
	}
	writeFloats(sw.cw, g)
	writeFloats(sw.cw, q)
	writeFloats(sw.cw, mt)
	if err := sw.cw.w.Flush(); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	hdr.payloadLen, hdr.payloadCRC = uint64(sw.cw.n), sw.cw.crc
	if _, err := sw.f.WriteAt(hdr.marshal(), 0); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	if err := sw.f.Sync(); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	if beforeRename != nil {
		beforeRename()
	}
	if err := ctx.Err(); err != nil { // cancelled meanwhile: nothing appears
		return fmt.Errorf("results: compute: %w", err)
	}
	if err := os.Rename(sw.f.Name(), sw.path); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	sw.done = true
	if err := syncDir(filepath.Dir(sw.path)); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	if err := sw.f.Close(); err != nil { // the lock goes only now, with the name
		return fmt.Errorf("results: compute: %w", err)
	}
	return nil
}

// abandon removes the temp file unless finish put it in place (while it is
// still locked: no sweep takes it for a dead writer's), and closes it.
func (sw *statsWriter) abandon() {
	if !sw.done {
		os.Remove(sw.f.Name())
	}
	sw.f.Close()
}
