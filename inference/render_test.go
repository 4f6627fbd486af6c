package inference

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// renderFixture is a comparison with significant clusters of both signs
// and a base face with values outside [0, 1] and a NaN.
func renderFixture(t *testing.T) (*Comparison, []float64) {
	t.Helper()
	c := compareCases[1]
	s, wa, wb := c.simulate(t, 501)
	cmp, err := Compare(context.Background(), s.d, wa, wb, CompareOptions{Permutations: 199, Seed: 501}, nil)
	if err != nil {
		t.Fatal(err)
	}
	signs := map[int]bool{}
	for _, cl := range cmp.Clusters {
		if cl.P < 0.05 {
			signs[cl.Sign] = true
		}
	}
	if !signs[1] || !signs[-1] {
		t.Fatalf("fixture needs significant clusters of both signs: %+v", cmp.Clusters)
	}
	rng := rand.New(rand.NewPCG(8, 8))
	base := make([]float64, c.w*c.h)
	for p := range base {
		base[p] = 1.2*rng.Float64() - 0.1
	}
	base[3] = math.NaN()
	return cmp, base
}

func TestRenderComparison(t *testing.T) {
	cmp, base := renderFixture(t)
	w, h := cmp.Width, cmp.Height
	for _, alpha := range []float64{0.05, 0.5, 0} {
		var buf bytes.Buffer
		if err := RenderComparison(&buf, base, w, h, cmp, alpha); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		if len(raw) < 26 || raw[25] != 2 { // IHDR colour type 2: RGB, 8 bits
			t.Fatalf("PNG colour type %v, want 2 (RGB)", raw[25])
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Fatalf("size %v, want %dx%d", b, w, h)
		}
		// The expected picture, from a flood fill of the t map.
		clusters, label := naiveLabels(cmp.TMap, w, h, cmp.Threshold)
		outlined := 0
		for p := range base {
			x, y := p%w, p/w
			g := base[p]
			if math.IsNaN(g) {
				g = 0
			}
			v := uint8(math.Round(255 * math.Max(0, math.Min(1, g))))
			want := color.RGBA{v, v, v, 255}
			if l := label[p]; l >= 0 && cmp.Clusters[l].P < alpha {
				inside := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && label[y*w+x] == l }
				if !inside(x-1, y) || !inside(x+1, y) || !inside(x, y-1) || !inside(x, y+1) {
					want = color.RGBA{0, 0, 255, 255}
					if clusters[l].Sign > 0 {
						want = color.RGBA{255, 0, 0, 255}
					}
					outlined++
				}
			}
			if got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); got != want {
				t.Fatalf("alpha %v: pixel (%d, %d) = %v, want %v", alpha, x, y, got, want)
			}
		}
		if (alpha > 0) != (outlined > 0) {
			t.Errorf("alpha %v: %d outline pixels", alpha, outlined)
		}
	}
}

func TestRenderComparisonBadInput(t *testing.T) {
	cmp, base := renderFixture(t)
	w, h := cmp.Width, cmp.Height
	fewer := *cmp
	fewer.Clusters = cmp.Clusters[1:]
	short := *cmp
	short.TMap = cmp.TMap[1:]
	cases := []struct {
		name  string
		base  []float64
		w, h  int
		cmp   *Comparison
		alpha float64
		want  error
	}{
		{name: "no comparison", base: base, w: w, h: h, cmp: nil, alpha: 0.05, want: ErrShape},
		{name: "width differs", base: base, w: w + 1, h: h, cmp: cmp, alpha: 0.05, want: ErrShape},
		{name: "height differs", base: base, w: w, h: h - 1, cmp: cmp, alpha: 0.05, want: ErrShape},
		{name: "base too short", base: base[1:], w: w, h: h, cmp: cmp, alpha: 0.05, want: ErrShape},
		{name: "t map too short", base: base, w: w, h: h, cmp: &short, alpha: 0.05, want: ErrShape},
		{name: "clusters do not match the t map", base: base, w: w, h: h, cmp: &fewer, alpha: 0.05, want: ErrShape},
		{name: "alpha NaN", base: base, w: w, h: h, cmp: cmp, alpha: math.NaN(), want: ErrBadOption},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := RenderComparison(&bytes.Buffer{}, tc.base, tc.w, tc.h, tc.cmp, tc.alpha)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestWriteTMapCSV(t *testing.T) {
	cmp, _ := renderFixture(t)
	var buf bytes.Buffer
	if err := WriteTMapCSV(&buf, cmp); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != cmp.Height {
		t.Fatalf("%d lines, want %d", len(lines), cmp.Height)
	}
	for y, line := range lines {
		fields := strings.Split(line, ",")
		if len(fields) != cmp.Width {
			t.Fatalf("line %d: %d fields, want %d", y, len(fields), cmp.Width)
		}
		for x, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			want := cmp.TMap[y*cmp.Width+x]
			if err != nil || v != want || f != strconv.FormatFloat(want, 'g', -1, 64) {
				t.Fatalf("(%d, %d) = %q, want %v in shortest form", x, y, f, want)
			}
		}
	}
	for _, bad := range []*Comparison{nil, {Width: 2, Height: 2, TMap: make([]float64, 3)}} {
		if err := WriteTMapCSV(&bytes.Buffer{}, bad); !errors.Is(err, ErrShape) {
			t.Errorf("WriteTMapCSV(%v) = %v, want ErrShape", bad, err)
		}
	}
}
