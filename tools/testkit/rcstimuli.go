package testkit

// rcstimuli.go makes reverse-correlation packs the way rcicr does
// (generateStimuli2IFC with sinusoid noise), so that tests can check
// classification images against the noise that really went into the images.

import (
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// RCOptions say what pack WriteRCPack makes. Zero fields take the defaults.
type RCOptions struct {
	Size   int    // width and height in pixels (default 64)
	Pairs  int    // number of pairs (default 60)
	Prefix string // file name prefix (default "rc")
	Seed   uint64 // draws the noise contrasts; the same seed gives the same noise
	// ColourJPEG writes colour JPEGs (quality 100, a faint tint whose Rec. 601
	// luminance is the grey value) instead of 8-bit grey PNGs: the same seed
	// gives a colour twin of the grey pack.
	ColourJPEG bool
	// DropNoise keeps no noise fields in the result: a 300-pair 512×512 pack
	// would hold 630 MB of them.
	DropNoise bool
}

// RCPair is one pair's two files (absolute paths).
type RCPair struct{ Ori, Inv string }

// RCPack is a pack WriteRCPack made.
type RCPack struct {
	Dir   string
	Size  int
	Pairs []RCPair    // pair i is file number i+1: <prefix>_<i+1 as 00001>_ori.png
	Base  []float64   // the base face, row-major, in [0, 1]
	Noise [][]float64 // per pair, row-major: the noise before 8-bit rounding (nil with DropNoise)
}

// Sinusoid noise as rcicr's generateNoisePattern: at scale s the image is cut
// into 2^s × 2^s patches; each patch holds 6 orientations × 2 phases of a
// sinusoid of 2 cycles per patch, each with its own contrast drawn uniformly
// from [−1, 1]; the noise is the mean of all those layers, so it mostly stays
// within ±0.3 as rcicr assumes.
const (
	rcMaxScales = 5 // rcicr's default nscales
	rcMinPatch  = 4 // a smaller patch cannot hold two cycles
	rcCycles    = 2
)

// WriteRCPack writes a pack into dir (which must exist): for pair i,
// <prefix>_<i+1>_ori and _inv with ori = (base + (noise + 0.3)/0.6)/2 and
// inv the same with −noise, clipped to [0, 1] and rounded to 8 bits.
func WriteRCPack(dir string, o RCOptions) (*RCPack, error) {
	if o.Size == 0 {
		o.Size = 64
	}
	if o.Pairs == 0 {
		o.Pairs = 60
	}
	if o.Prefix == "" {
		o.Prefix = "rc"
	}
	size := o.Size
	if size < rcMinPatch {
		return nil, fmt.Errorf("testkit: size %d smaller than %d", size, rcMinPatch)
	}
	scales := sinusoidScales(size)
	// Contrasts are drawn in one sequence before any work starts, so the
	// noise depends on the seed only, not on goroutine scheduling.
	rng := rand.New(rand.NewPCG(o.Seed, 0x7263737469))
	contrasts := make([][]float64, o.Pairs)
	for i := range contrasts {
		var c []float64
		for _, sc := range scales {
			for range sc.patches * sc.patches * len(sc.layers) {
				c = append(c, rng.Float64()*2-1)
			}
		}
		contrasts[i] = c
	}
	pack := &RCPack{Dir: dir, Size: size, Base: Face(size), Pairs: make([]RCPair, o.Pairs)}
	if !o.DropNoise {
		pack.Noise = make([][]float64, o.Pairs)
	}
	ext := ".png"
	if o.ColourJPEG {
		ext = ".jpg"
	}
	var wg sync.WaitGroup
	errs := make([]error, o.Pairs)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range o.Pairs {
		name := fmt.Sprintf("%s_%05d_", o.Prefix, i+1)
		pack.Pairs[i] = RCPair{Ori: filepath.Join(dir, name+"ori"+ext), Inv: filepath.Join(dir, name+"inv"+ext)}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			noise := sinusoidNoise(size, scales, contrasts[i])
			if pack.Noise != nil {
				pack.Noise[i] = noise
			}
			for _, side := range []struct {
				sign float64
				path string
			}{{1, pack.Pairs[i].Ori}, {-1, pack.Pairs[i].Inv}} {
				img := make([]float64, size*size)
				for p, n := range noise {
					img[p] = (pack.Base[p] + (side.sign*n+0.3)/0.6) / 2
				}
				if err := writeStimulus(side.path, size, img, o.ColourJPEG); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return pack, nil
}

// sinusoidScale is one scale's patch grid and its 12 patch-sized layers.
type sinusoidScale struct {
	patches, patch int         // patches per side, pixels per patch side
	layers         [][]float64 // orientation × phase, patch×patch each
}

func sinusoidScales(size int) []sinusoidScale {
	var out []sinusoidScale
	for s := range rcMaxScales {
		np := 1 << s
		if size%np != 0 || size/np < rcMinPatch {
			break
		}
		ps := size / np
		sc := sinusoidScale{patches: np, patch: ps}
		for _, a := range []float64{0, 30, 60, 90, 120, 150} {
			ca, sa := math.Cos(a*math.Pi/180), math.Sin(a*math.Pi/180)
			for _, ph := range []float64{0, math.Pi / 2} {
				l := make([]float64, ps*ps)
				for v := range ps {
					for u := range ps {
						// rcicr: seq(0, cycles, length = patch) along each axis
						x := rcCycles * float64(u) / float64(ps-1)
						y := rcCycles * float64(v) / float64(ps-1)
						l[v*ps+u] = math.Sin((x*ca+y*sa)*2*math.Pi + ph)
					}
				}
				sc.layers = append(sc.layers, l)
			}
		}
		out = append(out, sc)
	}
	return out
}

// sinusoidNoise is the mean over all layers of contrast × sinusoid.
func sinusoidNoise(size int, scales []sinusoidScale, contrasts []float64) []float64 {
	noise := make([]float64, size*size)
	nlayers := 0
	ci := 0
	for _, sc := range scales {
		nlayers += len(sc.layers)
		for py := range sc.patches {
			for px := range sc.patches {
				for _, l := range sc.layers {
					c := contrasts[ci]
					ci++
					for v := range sc.patch {
						row := noise[(py*sc.patch+v)*size+px*sc.patch:]
						lr := l[v*sc.patch : (v+1)*sc.patch]
						for u, s := range lr {
							row[u] += c * s
						}
					}
				}
			}
		}
	}
	for i := range noise {
		noise[i] /= float64(nlayers)
	}
	return noise
}

// writeStimulus clips to [0, 1], rounds to 8 bits and writes a grey PNG, or
// a colour JPEG tinted towards red with green lowered to keep the Rec. 601
// luminance (0.299·ΔR + 0.587·ΔG = 0).
func writeStimulus(path string, size int, img []float64, colour bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	level := func(v float64) uint8 { return uint8(math.Round(255 * min(1, max(0, v)))) }
	if colour {
		const dr = 0.03
		const dg = -dr * 0.299 / 0.587
		m := image.NewRGBA(image.Rect(0, 0, size, size))
		for p, v := range img {
			m.Pix[4*p], m.Pix[4*p+1], m.Pix[4*p+2], m.Pix[4*p+3] = level(v+dr), level(v+dg), level(v), 255
		}
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 100})
	} else {
		m := image.NewGray(image.Rect(0, 0, size, size))
		for p, v := range img {
			m.Pix[p] = level(v)
		}
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, m)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Face is a synthetic base face, row-major in [0, 1]: a light oval on a mid
// grey background, darker eyes, brows and mouth, all with soft edges.
func Face(size int) []float64 {
	f := make([]float64, size*size)
	blob := func(x, y, cx, cy, rx, ry float64) float64 {
		d := math.Hypot((x-cx)/rx, (y-cy)/ry)
		return 1 / (1 + math.Exp((d-1)*12))
	}
	for py := range size {
		for px := range size {
			x, y := (float64(px)+0.5)/float64(size), (float64(py)+0.5)/float64(size)
			v := 0.45 + 0.25*blob(x, y, 0.5, 0.5, 0.32, 0.42)
			v -= 0.3 * (blob(x, y, 0.37, 0.42, 0.06, 0.035) + blob(x, y, 0.63, 0.42, 0.06, 0.035))
			v -= 0.15 * (blob(x, y, 0.37, 0.35, 0.08, 0.015) + blob(x, y, 0.63, 0.35, 0.08, 0.015))
			v -= 0.2 * blob(x, y, 0.5, 0.72, 0.12, 0.03)
			f[py*size+px] = min(1, max(0, v))
		}
	}
	return f
}

// Template is an observer's mental picture of the target, row-major: a
// brighter mouth region and darker eyes (smooth blobs, so that the
// low-frequency sinusoids can carry it), zero mean.
func Template(size int) []float64 {
	t := make([]float64, size*size)
	g := func(x, y, cx, cy, s float64) float64 {
		return math.Exp(-((x-cx)*(x-cx) + (y-cy)*(y-cy)) / (2 * s * s))
	}
	mean := 0.0
	for py := range size {
		for px := range size {
			x, y := (float64(px)+0.5)/float64(size), (float64(py)+0.5)/float64(size)
			v := g(x, y, 0.5, 0.72, 0.12) - 0.6*(g(x, y, 0.35, 0.42, 0.09)+g(x, y, 0.65, 0.42, 0.09))
			t[py*size+px] = v
			mean += v
		}
	}
	mean /= float64(len(t))
	for i := range t {
		t[i] -= mean
	}
	return t
}

// TemplateObserver answers every pair like a person comparing both images
// to a template: it chooses ori (+1) when ⟨noise_i, template⟩ + e1 >
// ⟨−noise_i, template⟩ + e2, else inv (−1). e1, e2 are internal noise,
// normal with sd internalNoise × the sd of ⟨noise_i, template⟩ over pairs
// (0: a perfect observer; 1: signal and noise equally strong).
func TemplateObserver(noise [][]float64, template []float64, internalNoise float64, seed uint64) []int8 {
	rng := rand.New(rand.NewPCG(seed, 0x6f6273))
	proj := make([]float64, len(noise))
	var sum, ss float64
	for i, n := range noise {
		for p, v := range n {
			proj[i] += v * template[p]
		}
		sum += proj[i]
	}
	mean := sum / float64(len(proj))
	for _, v := range proj {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(len(proj)))
	out := make([]int8, len(noise))
	for i, v := range proj {
		out[i] = -1
		if v+internalNoise*sd*rng.NormFloat64() > -v+internalNoise*sd*rng.NormFloat64() {
			out[i] = 1
		}
	}
	return out
}

// RandomObserver answers n pairs with ±1 at equal odds.
func RandomObserver(n int, seed uint64) []int8 {
	rng := rand.New(rand.NewPCG(seed, 0x72616e64))
	out := make([]int8, n)
	for i := range out {
		out[i] = int8(rng.IntN(2))*2 - 1
	}
	return out
}

// KeyFor is the key a participant pressed for a response when ori was shown
// on the left (oriLeft) or right: "F" left, "J" right, " " for a timeout (0).
func KeyFor(response int8, oriLeft bool) string {
	switch {
	case response == 0:
		return " "
	case (response > 0) == oriLeft:
		return "F"
	}
	return "J"
}

// Correlation is Pearson's r of two equally long vectors (NaN if either is
// constant).
func Correlation(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	return sab / math.Sqrt(saa*sbb)
}

// RandomResponderAnswers is a random responder's answers to pairs (each
// [ori, inv] file name, ori shown left) as a reply stores them: F or J at
// random, 10% timeouts, response times 0.3–1.3 s.
func RandomResponderAnswers[P ~[2]string](pairs []P, rng *rand.Rand) []byte {
	answers := make([][4]any, len(pairs))
	for i, p := range pairs {
		key := []string{"F", "J"}[rng.IntN(2)]
		if rng.IntN(10) == 0 {
			key = " "
		}
		answers[i] = [4]any{key, 0.3 + rng.Float64(), p[0], p[1]}
	}
	raw, err := json.Marshal(answers)
	if err != nil {
		panic(err) // strings and finite numbers always encode
	}
	return raw
}
