package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"image"
	"image/png"
	"math"
	"strconv"
	"testing"
)

func TestRenderPNG(t *testing.T) {
	ci := CI{W: 3, H: 2, Pix: []float64{-0.02, 0, 0.01, 0.04, -0.04, 0.005}}
	base := []float64{0.5, 0.5, 0.2, 0.9, 0.1, 1}
	for _, tc := range []struct {
		name     string
		sc       Scaling
		constant float64
		wantC    float64
	}{
		{"independent", Independent, 0, 0.04},
		{"independent ignores the constant", Independent, 7, 0.04},
		{"constant", Constant, 0.01, 0.01}, // clips
		{"wide constant", Constant, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			c, err := RenderPNG(&buf, ci, base, tc.sc, tc.constant)
			if err != nil {
				t.Fatal(err)
			}
			if c != tc.wantC {
				t.Errorf("constant %v, want %v", c, tc.wantC)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			g, ok := img.(*image.Gray)
			if !ok || g.Rect.Dx() != 3 || g.Rect.Dy() != 2 {
				t.Fatalf("got %T %v, want 3x2 *image.Gray", img, img.Bounds())
			}
			for i, v := range ci.Pix {
				combined := ((v+c)/(2*c) + base[i]) / 2
				want := uint8(math.Round(255 * min(1, max(0, combined))))
				if g.Pix[i] != want {
					t.Errorf("pixel %d: %d, want %d", i, g.Pix[i], want)
				}
			}
		})
	}
	t.Run("zero CI is the bare base", func(t *testing.T) {
		var buf bytes.Buffer
		c, err := RenderPNG(&buf, CI{W: 1, H: 1, Pix: []float64{0}}, []float64{0.2}, Independent, 0)
		img, _ := png.Decode(&buf)
		if err != nil || c != 0 || img.(*image.Gray).Pix[0] != uint8(math.Round(255*0.35)) {
			t.Errorf("c %v err %v", c, err)
		}
	})
	for _, bad := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := RenderPNG(&bytes.Buffer{}, ci, base, Constant, bad); !errors.Is(err, ErrBadConstant) {
			t.Errorf("constant %v: %v, want ErrBadConstant", bad, err)
		}
	}
	if _, err := RenderPNG(&bytes.Buffer{}, ci, base[:5], Independent, 0); err == nil {
		t.Error("a base of the wrong size was accepted")
	}
}

func TestParseScaling(t *testing.T) {
	for in, want := range map[string]Scaling{"independent": Independent, "constant": Constant} {
		if got, err := ParseScaling(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseScaling("matched"); err == nil {
		t.Error(`"matched" accepted`)
	}
}

// The CSV reads back as the same float64s, one line per pixel row.
func TestWriteCSV(t *testing.T) {
	ci := CI{W: 3, H: 2, Pix: []float64{-0.0187897131157418, 1e-300, math.Pi, 0, -5e-7, 1.0 / 3}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ci); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != ci.H {
		t.Fatalf("%d lines, want %d", len(rows), ci.H)
	}
	for y, row := range rows {
		if len(row) != ci.W {
			t.Fatalf("line %d has %d values", y, len(row))
		}
		for x, f := range row {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v != ci.Pix[y*ci.W+x] {
				t.Errorf("(%d,%d): %q, want %v", x, y, f, ci.Pix[y*ci.W+x])
			}
		}
	}
	if err := WriteCSV(&buf, CI{W: 2, H: 2, Pix: []float64{1}}); err == nil {
		t.Error("a CI of the wrong size was written")
	}
}
