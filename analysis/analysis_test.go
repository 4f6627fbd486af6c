package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"syscall"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/results"
)

// What a crash or a delete on another instance leaves in the stats folder
// goes at the next start: the statistics of deleted packs, and the temp
// files of a dead writer (unlocked), however fresh. A pack's file and the
// temp file of a computation still running (locked, here or in another
// instance) stay.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	s, err := New(nil, t.TempDir(), dir, 1024*1024, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	live := results.TempPrefix + "1.stats-456"
	for _, name := range []string{"1.stats", "2.stats", results.TempPrefix + "1.stats-123", live, "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writer, err := os.Open(filepath.Join(dir, live))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if err := syscall.Flock(int(writer.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
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
	if want := []string{live, "1.stats"}; !reflect.DeepEqual(left, want) {
		t.Fatalf("left %v, want %v", left, want)
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
