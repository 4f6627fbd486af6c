package report

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// What a crash or a delete on another instance leaves in the stats folder
// goes at the next start; a pack's file and another instance's fresh
// temp file stay.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	s, err := New(nil, t.TempDir(), dir, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"1.stats", "2.stats", results.TempPrefix + "1.stats-123", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sweep(map[string]int{"female20s": 1}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	if want := []string{results.TempPrefix + "1.stats-123", "1.stats"}; len(left) != 2 || left[0] != want[0] || left[1] != want[1] {
		t.Fatalf("left %v, want %v", left, want)
	}
}

func TestTrials(t *testing.T) {
	pack := model.NewPackFiles(model.Pack{ID: 1}, []model.Pair{{"x_00001_ori.jpg", "x_00001_inv.jpg"}, {"x_00002_ori.jpg", "x_00002_inv.jpg"}})
	tests := []struct {
		name    string
		answers string
		want    []results.Trial
		wantErr bool
	}{
		{"as stored by PostgreSQL", `[["F", 0.734, "x_00001_ori.jpg", "x_00001_inv.jpg"], ["J", 1.5, "x_00002_ori.jpg", "x_00002_inv.jpg"]]`,
			[]results.Trial{{Pair: 0, Response: 1, Left: true, RT: 0.734}, {Pair: 1, Response: -1, RT: 1.5}}, false},
		{"inv on the left, chosen", `[["F", 2, "x_00002_inv.jpg", "x_00002_ori.jpg"]]`, []results.Trial{{Pair: 1, Response: -1, Left: true, RT: 2}}, false},
		{"a timeout", `[[" ", 3, "x_00001_inv.jpg", "x_00001_ori.jpg"]]`, []results.Trial{{Pair: 0, Response: 0, RT: 3}}, false},
		{"not this pack's files", `[["F", 1, "y_00001_ori.jpg", "y_00001_inv.jpg"]]`, nil, true},
		{"not an array", `{}`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := trials(pack, []byte(tc.answers))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("trials %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("trial %d %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// At most maxOpen packs' statistics stay open, the least recently used go
// first, and one still loading is never dropped.
func TestEviction(t *testing.T) {
	s := &Service{packs: map[int]*pack{}}
	ready := func(used uint64) *pack {
		p := &pack{ready: make(chan struct{}), used: used}
		close(p.ready)
		return p
	}
	for id := 1; id <= maxOpen; id++ {
		s.packs[id] = ready(uint64(10 + id))
	}
	s.packs[2].used = 1 // the least recently used
	s.packs[99] = &pack{ready: make(chan struct{})}
	s.evict(99)
	if len(s.packs) != maxOpen {
		t.Fatalf("%d packs open, want %d", len(s.packs), maxOpen)
	}
	if _, ok := s.packs[2]; ok {
		t.Fatal("the least recently used pack stayed")
	}
	if _, ok := s.packs[99]; !ok {
		t.Fatal("the pack being loaded went")
	}
}
