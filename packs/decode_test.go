package packs

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/tools/stack"
	"github.com/psyx-lab/psyx/tools/testkit"
)

// An image whose header says more than the limit (64×64 here) is refused
// before it is decoded; one whose pixels do not decode is refused once its
// decode fails, by name and with the decoder's reason; the limit itself
// passes. The upload (as `psyx pack import`, which shares it) is then
// discarded, leaving nothing.
func TestUploadRefusesImageBombs(t *testing.T) {
	good := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.PNG)
	goodJPEG := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.JPEG)
	tests := []struct {
		name     string
		ori, inv []byte
		ext      string
		want     *model.Error // nil: accepted
	}{
		{"header says 100000×100000", testkit.PNGBomb(100000, 100000), good, "png", model.Fail(model.ImageTooLarge, "a_00001_ori.png", 100000, 100000)},
		{"valid, one row over", good, testkit.FlatPNG(64, 65), "png", model.Fail(model.ImageTooLarge, "a_00001_inv.png", 64, 65)},
		{"at the limit", testkit.FlatPNG(64, 64), testkit.FlatPNG(64, 64), "png", nil},
		{"cut png", good, testkit.Truncated(good, len(good)/2), "png",
			model.Fail(model.UnreadableImage, "a_00001_inv.png", "png: invalid format: not enough pixel data")},
		{"cut jpeg", testkit.Truncated(goodJPEG, len(goodJPEG)-40), goodJPEG, "jpg",
			model.Fail(model.UnreadableImage, "a_00001_ori.jpg", "invalid JPEG format: short Huffman data")},
		{"more pixel data than its header says", testkit.PNGBomb(64, 64), testkit.FlatPNG(64, 64), "png",
			model.Fail(model.UnreadableImage, "a_00001_ori.png", "png: invalid format: too much pixel data")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, dir := newLibrary(t, 1)
			u, err := l.NewUpload()
			if err != nil {
				t.Fatal(err)
			}
			for i, data := range [][]byte{tc.ori, tc.inv} {
				if _, err = u.Add(fmt.Sprintf("a_00001_%s.%s", []string{"ori", "inv"}[i], tc.ext), bytes.NewReader(data)); err != nil {
					break
				}
			}
			if err == nil {
				err = u.Decoded()
			}
			if derr := u.Discard(); derr != nil {
				t.Fatal(derr)
			}
			if got := list(t, dir+"/.staging"); len(got) != 0 {
				t.Errorf("staging holds %v", got)
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e, ok := err.(*model.Error); !ok || !reflect.DeepEqual(e, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// A pack whose images have not all decoded is never published, whoever
// calls Publish.
func TestPublishWaitsForDecodes(t *testing.T) {
	l, dir := newLibrary(t, 1)
	good := testkit.Encode(testkit.Stimulus(1, 0, 32), testkit.PNG)
	u, err := l.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Discard()
	for _, f := range []testkit.PackFile{{Name: "a_00001_ori.png", Data: good}, {Name: "a_00001_inv.png", Data: testkit.Truncated(good, 60)}} {
		if _, err := u.Add(f.Name, bytes.NewReader(f.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := u.Publish("apack"); model.ReasonOf(err) != model.UnreadableImage {
		t.Fatalf("publish: %v", err)
	}
	if got := list(t, dir+"/packs"); len(got) != 0 {
		t.Fatalf("published %v", got)
	}
}

// Decodes overlap the receive but never run more than GOMAXPROCS at once,
// in all uploads together: the receive waits for a free decoder.
func TestDecodesAreBounded(t *testing.T) {
	l, _ := newLibrary(t, 0)
	slots := runtime.GOMAXPROCS(0)
	var inside, most atomic.Int32
	release := make(chan struct{})
	l.decodeHook = func() {
		n := inside.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		inside.Add(-1)
	}
	uploads := make([]*Upload, 2)
	var added atomic.Int32
	done := make(chan error, len(uploads))
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	for i := range uploads {
		u, err := l.NewUpload()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { u.Discard() })
		uploads[i] = u
		go func() {
			for _, f := range testkit.PackFiles("p", 2*slots, testkit.PNG) {
				if _, err := u.Add(f.Name, bytes.NewReader(f.Data)); err != nil {
					done <- err
					return
				}
				added.Add(1)
			}
			done <- nil
		}()
	}
	t.Cleanup(free) // before the uploads are discarded: cleanups run last first
	// Every decoder busy, and each upload's next file waiting for one.
	if err := stack.Poll(30*time.Second, func() bool { return int(inside.Load()) == slots }); err != nil {
		t.Fatalf("%d decodes began, want %d", inside.Load(), slots)
	}
	free()
	for range uploads {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range uploads {
		if err := u.Decoded(); err != nil {
			t.Fatal(err)
		}
	}
	if got := int(most.Load()); got != slots {
		t.Fatalf("%d decodes at once, want at most (and here exactly) GOMAXPROCS = %d", got, slots)
	}
	if got := int(added.Load()); got != 2*2*2*slots {
		t.Fatalf("%d files added", got)
	}
}
