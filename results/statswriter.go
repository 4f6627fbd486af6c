package results

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// statsWriter writes a stats file so that it appears whole or not at all:
// into a TempPrefix file beside path, the header last, fsynced, renamed to
// path, the folder fsynced. Until finish succeeds, abandon removes the temp
// file (a crash leaves it for RemoveTemps).
type statsWriter struct {
	path string
	f    *os.File
	cw   *crcWriter
	done bool
}

func newStatsWriter(path string) (*statsWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("results: compute: %w", err)
	}
	if _, err := f.Seek(headerSize, 0); err != nil { // the header goes in last
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("results: compute: %w", err)
	}
	return &statsWriter{path: path, f: f, cw: &crcWriter{w: bufio.NewWriterSize(f, 1<<20)}}, nil
}

// finish writes the Gram matrix and the infoVal reference drawn from
// hdr.seed after what was written so far, then the header, and puts the
// file in place. beforeRename is a crash test's hook.
func (sw *statsWriter) finish(hdr header, g []float64, beforeRename func()) error {
	n := int(hdr.n)
	mt, q := referenceMQ(responderSigns(hdr.seed, int(hdr.k), n), g, int(hdr.k), n)
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
	if err := sw.f.Close(); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	if beforeRename != nil {
		beforeRename()
	}
	if err := os.Rename(sw.f.Name(), sw.path); err != nil {
		os.Remove(sw.f.Name())
		return fmt.Errorf("results: compute: %w", err)
	}
	sw.done = true
	if err := syncDir(filepath.Dir(sw.path)); err != nil {
		return fmt.Errorf("results: compute: %w", err)
	}
	return nil
}

// abandon removes the temp file unless finish put it in place.
func (sw *statsWriter) abandon() {
	if !sw.done {
		sw.f.Close()
		os.Remove(sw.f.Name())
	}
}
