package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// A pack published by an older release (or whose files were replaced on
// disk) may hold anything: ci and quality answer 400 with the file's name,
// never a 500, and once the files are whole again the results come.
func TestResultsOfADamagedPack(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 1})
	id := e.publish(t, "damaged", testkit.PackFiles("damaged", 1, testkit.JPEG))
	who := testkit.Person(1, 2, 25)
	s := e.start(t, who)
	wantStatus(t, e.postJSON(t, "/api/reply/submit", submitBody(who, id, answersFor(s.PicPairs), s.Token)), 200, "Reply Submitted.")
	dir := filepath.Join(e.DataDir, "packs", "damaged")
	ori, inv := filepath.Join(dir, "damaged_00001_ori.jpg"), filepath.Join(dir, "damaged_00001_inv.jpg")
	whole := map[string][]byte{}
	for _, path := range []string{ori, inv} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		whole[path] = b
	}
	plant := func(t *testing.T, path string, data []byte) {
		t.Helper()
		if data == nil {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		ori, inv []byte // nil: the file is gone
		want     string
	}{
		{"header says 100000×100000", headerBomb, headerBomb, "Image Too Large: damaged_00001_ori.jpg (100000×100000)"},
		{"valid 10000×10000 pair", flat10000, flat10000, "Image Too Large: damaged_00001_ori.jpg (10000×10000)"},
		{"truncated png", whole[ori], cutPNG, "Unreadable Image: damaged_00001_inv.jpg: png: invalid format: not enough pixel data"},
		{"truncated jpeg", cutJPEG, whole[inv], "Unreadable Image: damaged_00001_ori.jpg: invalid JPEG format: short Huffman data"},
		{"not an image", []byte("hello"), whole[inv], "Unreadable Image: damaged_00001_ori.jpg: image: unknown format"},
		{"file gone", whole[ori], nil, "Unreadable Image: damaged_00001_inv.jpg: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plant(t, ori, tc.ori)
			plant(t, inv, tc.inv)
			for _, path := range []string{"/api/admin/ci", "/api/admin/quality"} {
				wantStatus(t, e.get(t, fmt.Sprintf("%s?id=%d", path, id)), http.StatusBadRequest, tc.want)
			}
			if got := e.dirEntries(t, "stats"); len(got) != 0 {
				t.Errorf("stats folder holds %v", got)
			}
		})
	}
	plant(t, ori, whole[ori])
	plant(t, inv, whole[inv])
	wantStatus(t, e.get(t, fmt.Sprintf("/api/admin/ci?id=%d", id)), 200, "")
	wantStatus(t, e.get(t, fmt.Sprintf("/api/admin/quality?id=%d", id)), 200, "")
}

// publish registers a pack as `psyx pack import` does, and as an older
// release left its packs: published, with no statistics computed yet.
func (e *env) publish(t *testing.T, name string, files []file) int {
	t.Helper()
	src := t.TempDir()
	testkit.WriteFiles(t, src, files)
	lib, err := packs.NewLibrary(e.DataDir, e.Pairs, config.DefaultMaxImagePixels, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	up, _, err := lib.StageDir(src)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Discard()
	meta, err := packs.ParseMeta(name, "2", "20", "29")
	if err != nil {
		t.Fatal(err)
	}
	id, err := packs.Register(context.Background(), e.Store, meta, up)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
