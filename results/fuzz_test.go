package results

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
	"github.com/psyx-lab/psyx/trials"
)

// FuzzOpen: whatever bytes a stats file holds, Open returns an error or a
// usable Stats, and never panics or allocates what the file cannot back.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	pack, err := testkit.WriteRCPack(dir, testkit.RCOptions{Size: 4, Pairs: 2, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	good := filepath.Join(dir, "good.stats")
	if err := Compute(context.Background(), pairFiles(pack), 1, good, ComputeOptions{}); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:headerSize])
	f.Add(data[:headerSize+100])
	f.Add([]byte(magic))
	f.Add([]byte{})
	path := filepath.Join(dir, "fuzz.stats")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			return
		}
		defer s.Close()
		// A file that opens must answer: a CI and an infoVal of one reply.
		ts := []trials.Trial{trialOf(0, 1, false, 0)}
		if _, err := s.ReplyCI(context.Background(), ts); err != nil {
			t.Errorf("opened, but ReplyCI: %v", err)
		}
		if _, err := s.InfoVal(ts); err != nil {
			t.Errorf("opened, but InfoVal: %v", err)
		}
	})
}
