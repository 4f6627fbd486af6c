package stimuli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"slices"
	"sync"
	"testing"
)

// fixtureGenerator is a Generator over rcicr's base and parameters.
func fixtureGenerator(t *testing.T, nt NoiseType) *Generator {
	t.Helper()
	base := readFloatGrid(t, fixturePath(nt.String(), "base.csv"), fixtureSize, fixtureSize)
	gen, err := NewGenerator(fixtureBasis(t, nt), base, fixtureParams(t, nt), fixtureTrials)
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

// TestGeneratorPairMatchesRcicr: Pair(t) is rcicr's stimulus pair t+1 (to
// within one grey level) and exactly RenderPair of Noise.
func TestGeneratorPairMatchesRcicr(t *testing.T) {
	for _, nt := range fixtureTypes {
		gen := fixtureGenerator(t, nt)
		for tr := range fixtureTrials {
			t.Run(fmt.Sprintf("%s/trial%d", nt, tr+1), func(t *testing.T) {
				ori, inv, err := gen.Pair(tr)
				if err != nil {
					t.Fatal(err)
				}
				noise := make([]float64, fixtureSize*fixtureSize)
				np := gen.basis.NParams()
				if err := gen.basis.Noise(gen.params[tr*np:(tr+1)*np], noise); err != nil {
					t.Fatal(err)
				}
				wantOri, wantInv, err := RenderPair(gen.base, noise, fixtureSize)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ori.Pix, wantOri.Pix) || !slices.Equal(inv.Pix, wantInv.Pix) {
					t.Fatal("Pair differs from RenderPair(Noise)")
				}
				for side, got := range map[string]*image.Gray{"ori": ori, "inv": inv} {
					name := fixturePath(nt.String(), fmt.Sprintf("rc_base_7_%05d_%s.png", tr+1, side))
					maxd, exact := compareGrey(t, got, readPNG(t, name))
					t.Logf("%s: max difference %d grey levels, %.2f%% of pixels exact", side, maxd, 100*exact)
					if maxd > 1 {
						t.Errorf("%s: max difference %d grey levels > 1", side, maxd)
					}
				}
			})
		}
	}
}

// TestGeneratorConcurrentPairs: Pair called from many goroutines at once
// (the same t and different t; run with -race) gives what it gives alone.
func TestGeneratorConcurrentPairs(t *testing.T) {
	gen := fixtureGenerator(t, Gabor)
	want := make([][2][]uint8, fixtureTrials)
	for tr := range fixtureTrials {
		ori, inv, err := gen.Pair(tr)
		if err != nil {
			t.Fatal(err)
		}
		want[tr] = [2][]uint8{ori.Pix, inv.Pix}
	}
	const callers = 16
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := c % fixtureTrials
			ori, inv, err := gen.Pair(tr)
			switch {
			case err != nil:
				errs <- err
			case !slices.Equal(ori.Pix, want[tr][0]) || !slices.Equal(inv.Pix, want[tr][1]):
				errs <- fmt.Errorf("caller %d: pair %d differs", c, tr)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestGeneratorEach: Each emits every pair once, as PNGs that decode to
// exactly Pair's images, with any number of workers.
func TestGeneratorEach(t *testing.T) {
	gen := fixtureGenerator(t, Sinusoid)
	for _, workers := range []int{0, 1, 3, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			var mu sync.Mutex
			got := make(map[int][2][]byte)
			err := gen.Each(context.Background(), workers, func(tr int, ori, inv []byte) error {
				mu.Lock()
				defer mu.Unlock()
				if _, dup := got[tr]; dup {
					return fmt.Errorf("pair %d emitted twice", tr)
				}
				// The slices are reused after emit returns: keep copies.
				got[tr] = [2][]byte{bytes.Clone(ori), bytes.Clone(inv)}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != fixtureTrials {
				t.Fatalf("%d pairs emitted, want %d", len(got), fixtureTrials)
			}
			for tr, pngs := range got {
				ori, inv, err := gen.Pair(tr)
				if err != nil {
					t.Fatal(err)
				}
				checkPNGIs(t, pngs[0], ori)
				checkPNGIs(t, pngs[1], inv)
			}
		})
	}
}

// checkPNGIs decodes data and checks it is want, pixel for pixel, as 8-bit
// grey.
func checkPNGIs(t *testing.T, data []byte, want *image.Gray) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Rect != want.Rect || !slices.Equal(g.Pix, want.Pix) {
		t.Fatalf("PNG decodes to a %T %v that is not the image encoded", img, img.Bounds())
	}
}

// TestGeneratorEachStops: emit's error and a cancelled context end Each
// with that error.
func TestGeneratorEachStops(t *testing.T) {
	gen := fixtureGenerator(t, Sinusoid)
	errStop := errors.New("stop")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		emit func(int, []byte, []byte) error
		want error
	}{
		{"emit fails", context.Background(), func(int, []byte, []byte) error { return errStop }, errStop},
		{"cancelled", cancelled, func(int, []byte, []byte) error { return nil }, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := gen.Each(c.ctx, 1, c.emit); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestEncodePNG: the generator's encoder writes 8-bit grey PNGs that decode
// to the same pixels, also from concurrent callers sharing its buffer pool.
func TestEncodePNG(t *testing.T) {
	gen := fixtureGenerator(t, Gabor)
	ori, inv, err := gen.Pair(0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bufs := make([]bytes.Buffer, 8)
	errs := make([]error, len(bufs))
	for i := range bufs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = gen.EncodePNG(&bufs[i], []*image.Gray{ori, inv}[i%2])
		}()
	}
	wg.Wait()
	for i := range bufs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		checkPNGIs(t, bufs[i].Bytes(), []*image.Gray{ori, inv}[i%2])
	}
}
