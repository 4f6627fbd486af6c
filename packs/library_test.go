package packs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/tools/testkit"
)

func newLibrary(t *testing.T, pairs int) (*Library, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := NewLibrary(dir, pairs, 64*64, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// stage receives real 32×32 JPEGs under these names.
func stage(t *testing.T, l *Library, names ...string) *Upload {
	t.Helper()
	u, err := l.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	img := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.JPEG)
	for _, n := range names {
		if _, err := u.Add(n, bytes.NewReader(img)); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func TestPairsAnyCount(t *testing.T) {
	l, _ := newLibrary(t, 0)
	u := stage(t, l, "a_00002_inv.jpg", "a_00001_ori.jpg", "a_00002_ori.jpg", "a_00001_inv.jpg")
	pairs, err := u.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[0][0] != "a_00001_ori.jpg" || pairs[1][1] != "a_00002_inv.jpg" {
		t.Fatalf("pairs %v", pairs)
	}
	gap := stage(t, l, "a_00001_ori.jpg", "a_00001_inv.jpg", "a_00003_ori.jpg", "a_00003_inv.jpg")
	if _, err := gap.Pairs(); !errors.Is(err, ErrInvalidSize) {
		t.Fatalf("pairs 1 and 3 without 2: %v", err)
	}
}

func TestPublishRetireRestore(t *testing.T) {
	l, dir := newLibrary(t, 1)
	u := stage(t, l, "a_00001_ori.jpg", "a_00001_inv.jpg")
	if err := u.Publish("p"); err != nil {
		t.Fatal(err)
	}
	if got := list(t, filepath.Join(dir, "packs", "p")); !reflect.DeepEqual(got, []string{"a_00001_inv.jpg", "a_00001_ori.jpg"}) {
		t.Fatalf("published %v", got)
	}
	trash, err := l.Retire("p")
	if err != nil {
		t.Fatal(err)
	}
	if got := list(t, filepath.Join(dir, "packs")); len(got) != 0 {
		t.Fatalf("retired pack still served: %v", got)
	}
	if err := l.Restore(trash, "p"); err != nil {
		t.Fatal(err)
	}
	if got := list(t, filepath.Join(dir, "packs")); !reflect.DeepEqual(got, []string{"p"}) {
		t.Fatalf("after restore %v", got)
	}
	if got := list(t, filepath.Join(dir, ".staging")); len(got) != 0 {
		t.Fatalf("staging holds %v", got)
	}
}

// What a crash leaves behind is repaired at the next start.
func TestSweep(t *testing.T) {
	l, dir := newLibrary(t, 1)
	publish := func(name string) {
		if err := stage(t, l, "a_00001_ori.jpg", "a_00001_inv.jpg").Publish(name); err != nil {
			t.Fatal(err)
		}
	}
	publish("committed")           // row exists: kept
	publish("uncommitted")         // crash before its row committed: removed
	publish("deletecommitted")     // retired, and its delete committed: purged
	publish("deleteabandoned")     // retired, but its delete did not commit: restored
	stage(t, l, "a_00001_ori.jpg") // upload in progress at the crash: removed
	if _, err := l.Retire("deletecommitted"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Retire("deleteabandoned"); err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{"committed": 1, "deleteabandoned": 4}
	if err := l.Sweep(rows); err != nil {
		t.Fatal(err)
	}
	if got := list(t, filepath.Join(dir, "packs")); !reflect.DeepEqual(got, []string{"committed", "deleteabandoned"}) {
		t.Fatalf("packs after sweep %v", got)
	}
	if got := list(t, filepath.Join(dir, ".staging")); len(got) != 0 {
		t.Fatalf("staging after sweep %v", got)
	}
	if got := list(t, filepath.Join(dir, "packs", "deleteabandoned")); len(got) != 2 {
		t.Fatalf("restored folder holds %v", got)
	}
}
