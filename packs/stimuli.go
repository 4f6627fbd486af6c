package packs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/stimuli"
)

// The files a generated pack keeps beside its images (never served: Nginx
// serves only .png and .jpg from packs/). A pack uploaded as images has
// none of them.
const (
	// StimuliSettingsFile is the settings as JSON (StimuliSettings).
	StimuliSettingsFile = "stimuli.json"
	// StimuliParamsFile is the trials × NParams parameters,
	// stimuli.MarshalParams: row t is pair t+1's.
	StimuliParamsFile = "stimuli.params"
	// StimuliBaseFile is the base as used, img_size² values in [0, 1],
	// stimuli.MarshalParams as an img_size × img_size matrix (row y is the
	// image's row y; the format allows at most 65,532 values a row).
	StimuliBaseFile = "stimuli.base"
)

// StimuliFiles are the three, in the order they are written.
var StimuliFiles = []string{StimuliSettingsFile, StimuliParamsFile, StimuliBaseFile}

func isStimuliFile(name string) bool {
	for _, f := range StimuliFiles {
		if name == f {
			return true
		}
	}
	return false
}

// StimuliSettings are what a generated pack was made with.
type StimuliSettings struct {
	Noise            string  `json:"noise"` // "sinusoid" or "gabor"
	NScales          int     `json:"nscales"`
	Sigma            float64 `json:"sigma"`
	ImgSize          int     `json:"img_size"`
	Trials           int     `json:"trials"`
	Seed             int64   `json:"seed"`
	MaximizeContrast bool    `json:"maximize_contrast"`
	Generator        string  `json:"generator"` // "psyx <version>"
}

// Stimuli is what a generated pack keeps of its making: its settings, its
// parameters (Settings.Trials × NParams(Settings.NScales), trial-major: row
// t is pair t+1's) and its base as used (ImgSize² values, row-major).
type Stimuli struct {
	Settings StimuliSettings
	Params   []float64
	Base     []float64
}

// maxSettingsBytes bounds stimuli.json (it is about 150 bytes).
const maxSettingsBytes = 4096

// check refuses settings that could not have been written: every size is
// within the generate form's limits before anything is sized from it.
func (s *StimuliSettings) check() error {
	if _, err := stimuli.ParseNoiseType(s.Noise); err != nil {
		return err
	}
	if s.NScales < 1 || s.NScales > stimuli.MaxScales || !tiles(s.ImgSize, s.NScales) {
		return fmt.Errorf("nscales %d, img_size %d", s.NScales, s.ImgSize)
	}
	if s.Trials < 1 || s.Trials > maxTrialsAt(s.NScales) {
		return fmt.Errorf("trials %d at nscales %d", s.Trials, s.NScales)
	}
	if !(s.Sigma > 0) {
		return fmt.Errorf("sigma %g", s.Sigma)
	}
	return nil
}

// ReadStimuliSettings reads a generated pack's settings. For a pack
// uploaded as images the error satisfies errors.Is(err, fs.ErrNotExist).
func (l *Library) ReadStimuliSettings(name string) (*StimuliSettings, error) {
	if !ValidPackName(name) {
		return nil, fmt.Errorf("read stimuli: bad pack name %q", name)
	}
	data, err := readBounded(filepath.Join(l.Dir(name), StimuliSettingsFile), maxSettingsBytes)
	if err != nil {
		return nil, err
	}
	var s StimuliSettings
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", StimuliSettingsFile, name, err)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", StimuliSettingsFile, name, err)
	}
	return &s, nil
}

// ReadStimuli reads everything a generated pack keeps of its making. For a
// pack uploaded as images (no stimuli.json) the error satisfies
// errors.Is(err, fs.ErrNotExist). The settings bound the other two files:
// each must be exactly the size they imply, checked before it is read.
func (l *Library) ReadStimuli(name string) (*Stimuli, error) {
	s, err := l.ReadStimuliSettings(name)
	if err != nil {
		return nil, err
	}
	dir := l.Dir(name)
	np := NParams(s.NScales)
	params, err := readMatrix(filepath.Join(dir, StimuliParamsFile), s.Trials, np)
	if err != nil {
		return nil, err
	}
	base, err := readMatrix(filepath.Join(dir, StimuliBaseFile), s.ImgSize, s.ImgSize)
	if err != nil {
		return nil, err
	}
	return &Stimuli{Settings: *s, Params: params, Base: base}, nil
}

// paramsFileSize is the size of stimuli.MarshalParams's file of rows × cols
// values: a 24-byte header and 8 bytes a value.
func paramsFileSize(rows, cols int) int64 { return 24 + 8*int64(rows)*int64(cols) }

// readMatrix reads a stimuli.MarshalParams file that must hold rows × cols
// values: its size is checked before it is read, its header and checksum
// after. Its absence beside a stimuli.json is damage, not a pack of images:
// the error does not match fs.ErrNotExist.
func readMatrix(path string, rows, cols int) ([]float64, error) {
	data, err := readBounded(path, paramsFileSize(rows, cols))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read stimuli: %s is missing", path)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != paramsFileSize(rows, cols) {
		return nil, fmt.Errorf("read %s: %d bytes, want %d for %d×%d", path, len(data), paramsFileSize(rows, cols), rows, cols)
	}
	v, r, c, err := stimuli.UnmarshalParams(data, rows, cols)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if r != rows || c != cols {
		return nil, fmt.Errorf("read %s: %d×%d, want %d×%d", path, r, c, rows, cols)
	}
	return v, nil
}

// readBounded reads a whole file of at most limit bytes; a larger one is
// refused from its size, before it is read. A missing file's error
// satisfies errors.Is(err, fs.ErrNotExist).
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read stimuli: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read stimuli: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, fmt.Errorf("read %s: %d bytes, at most %d expected", path, fi.Size(), limit)
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// AddGenerated writes a file the server made into the upload and syncs it
// to disk: a stimulus image, kept as a side of its pair as Add keeps an
// uploaded one, or one of StimuliFiles. It is safe for concurrent use
// (Generator.Each's workers write their pairs at once).
func (u *Upload) AddGenerated(name string, data []byte) error {
	fn, isImage := ParseFileName(name)
	if isImage && fn.Base != name || !isImage && !isStimuliFile(name) {
		return fmt.Errorf("add generated file: bad name %q", name)
	}
	if err := writeSynced(filepath.Join(u.dir, name), data); err != nil {
		return err
	}
	if !isImage {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.first.Base == "" {
		u.first = fn
	} else if fn.Prefix != u.first.Prefix {
		return fmt.Errorf("add generated file %s: prefix %q, the pack's is %q", name, fn.Prefix, u.first.Prefix)
	}
	p := u.sides[fn.Pair]
	if p == nil {
		p = &model.Pair{}
		u.sides[fn.Pair] = p
	}
	p[fn.Side] = name
	return nil
}

// writeSynced creates path (never over an existing file), writes data and
// syncs it before closing.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), os.Remove(path))
	}
	return nil
}
