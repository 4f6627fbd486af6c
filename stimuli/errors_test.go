package stimuli

import (
	"context"
	"errors"
	"math"
	"testing"
)

// errorsIs is errors.Is, short for the tables.
func errorsIs(err, target error) bool { return errors.Is(err, target) }

// TestNewBasisRejects: every out-of-range setting is its typed error.
func TestNewBasisRejects(t *testing.T) {
	cases := []struct {
		name    string
		size    int
		nscales int
		noise   NoiseType
		sigma   float64
		want    error
	}{
		{"size below 64", 32, 1, Sinusoid, 25, ErrImgSize},
		{"size above 1024", 2048, 5, Sinusoid, 25, ErrImgSize},
		{"nscales 0", 128, 0, Sinusoid, 25, ErrNScales},
		{"nscales 8", 256, 8, Sinusoid, 25, ErrNScales},
		{"100 not a multiple of 16", 100, 5, Sinusoid, 25, ErrTiling},
		{"96 not a multiple of 64", 96, 7, Gabor, 25, ErrTiling},
		{"sigma 0", 128, 5, Gabor, 0, ErrSigma},
		{"sigma negative", 128, 5, Gabor, -3, ErrSigma},
		{"sigma NaN", 128, 5, Sinusoid, math.NaN(), ErrSigma},
		{"sigma Inf", 128, 5, Gabor, math.Inf(1), ErrSigma},
		{"unknown noise type", 128, 5, NoiseType(9), 25, ErrNoiseType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewBasis(c.size, c.nscales, c.noise, c.sigma); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestNewBasisSizes: NParams is Σ_s 12·4^s and the extremes build.
func TestNewBasisSizes(t *testing.T) {
	cases := []struct {
		size, nscales, nparams int
	}{
		{64, 1, 12}, {128, 5, 4092}, {512, 5, 4092}, {64, 7, MaxParams}, {96, 6, 16380},
	}
	for _, c := range cases {
		b, err := NewBasis(c.size, c.nscales, Gabor, 25)
		if err != nil {
			t.Fatalf("%d/%d: %v", c.size, c.nscales, err)
		}
		if b.NParams() != c.nparams || b.Size() != c.size {
			t.Fatalf("%d/%d: NParams %d Size %d, want %d %d", c.size, c.nscales, b.NParams(), b.Size(), c.nparams, c.size)
		}
	}
}

// TestParseNoiseType: rcicr's two names, and nothing else.
func TestParseNoiseType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want NoiseType
		err  error
	}{{"sinusoid", Sinusoid, nil}, {"gabor", Gabor, nil}, {"Gabor", 0, ErrNoiseType}, {"", 0, ErrNoiseType}} {
		got, err := ParseNoiseType(c.in)
		if !errors.Is(err, c.err) || (err == nil && (got != c.want || got.String() != c.in)) {
			t.Fatalf("%q: got %v, %v", c.in, got, err)
		}
	}
}

// TestShapeErrors: wrong lengths are ErrShape errors, never panics.
func TestShapeErrors(t *testing.T) {
	b, err := NewBasis(64, 2, Sinusoid, 25)
	if err != nil {
		t.Fatal(err)
	}
	np, px := b.NParams(), 64*64
	base := make([]float64, px)
	good := make([]float64, 2*np)
	gen, err := NewGenerator(b, base, good, 2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"noise: short params", func() error { return b.Noise(good[:np-1], make([]float64, px)) }},
		{"noise: short out", func() error { return b.Noise(good[:np], make([]float64, px-1)) }},
		{"weighted: params not len(w) rows", func() error { return b.Weighted(good, []float64{1}, make([]float64, px)) }},
		{"weighted: no weights", func() error { return b.Weighted(nil, nil, make([]float64, px)) }},
		{"render: short noise", func() error { _, _, err := RenderPair(base, base[1:], 64); return err }},
		{"render: size 0", func() error { _, _, err := RenderPair(nil, nil, 0); return err }},
		{"gram: params not trials rows", func() error { _, _, err := b.Gram(context.Background(), good, 3); return err }},
		{"gram: no trials", func() error { _, _, err := b.Gram(context.Background(), nil, 0); return err }},
		{"generator: short base", func() error { _, err := NewGenerator(b, base[1:], good, 2); return err }},
		{"generator: params not trials rows", func() error { _, err := NewGenerator(b, base, good, 1); return err }},
		{"generator: nil basis", func() error { _, err := NewGenerator(nil, base, good, 2); return err }},
		{"pair -1", func() error { _, _, err := gen.Pair(-1); return err }},
		{"pair 2 of 2", func() error { _, _, err := gen.Pair(2); return err }},
		{"marshal: short params", func() error { _, err := MarshalParams(good[1:], 2, np); return err }},
		{"csv: short params", func() error { return WriteParamsCSV(discard{}, good[1:], 2, np) }},
		{"base16: short base", func() error { return EncodeBase16(discard{}, base[1:], 64) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, ErrShape) {
				t.Fatalf("got %v, want ErrShape", err)
			}
		})
	}
}

// discard is an io.Writer that keeps nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
