package packs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/psyx-lab/psyx/model"
)

// Registry stores a pack's row and publishes its folder in one step.
type Registry interface {
	CreatePack(ctx context.Context, np model.NewPack, folder model.PackFolder) (int, error)
}

// Register checks the staged files (every image decoded, then the pairs)
// and registers the pack. The caller discards the upload afterwards (a
// no-op once published).
func Register(ctx context.Context, reg Registry, meta Meta, u *Upload) (int, error) {
	if err := u.Decoded(); err != nil {
		return 0, err
	}
	pairs, err := u.Pairs()
	if err != nil {
		return 0, err
	}
	return reg.CreatePack(ctx, model.NewPack{
		Name: meta.Name, Sex: meta.Sex, AgeMin: meta.AgeMin, AgeMax: meta.AgeMax, Pairs: pairs,
	}, u)
}

// StageDir copies the images of a local folder (not its subfolders) into a
// new upload, with the same checks as a browser upload. It returns the names
// it skipped.
func (l *Library) StageDir(dir string) (*Upload, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	u, err := l.NewUpload()
	if err != nil {
		return nil, nil, err
	}
	var skipped []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			skipped = append(skipped, e.Name())
			continue
		}
		kept, err := u.addFile(filepath.Join(dir, e.Name()))
		if err != nil {
			u.Discard()
			return nil, nil, err
		}
		if !kept {
			skipped = append(skipped, e.Name())
		}
	}
	return u, skipped, nil
}

func (u *Upload) addFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	return u.Add(filepath.Base(path), f)
}
