package stimuli

import (
	"bufio"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fixture: rcicr 1.3.0.9000's own output, copied from
// shared/fixtures/rcicr-stimuli (see testdata/rcicr/README.md).
const (
	fixtureDir    = "testdata/rcicr"
	fixtureSize   = 128
	fixtureScales = 5
	fixtureSigma  = 25
	fixtureTrials = 4
)

// fixtureTypes are the fixture's two noise types, each in a folder of its name.
var fixtureTypes = []NoiseType{Sinusoid, Gabor}

// fixturePath is a file of the fixture.
func fixturePath(parts ...string) string {
	return filepath.Join(append([]string{fixtureDir}, parts...)...)
}

// readFloatGrid reads a CSV of numbers (fields may be space-padded) into one
// row-major slice, checking it has rows × cols values.
func readFloatGrid(t testing.TB, path string, rows, cols int) []float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	out := make([]float64, 0, rows*cols)
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		if len(fields) != cols {
			t.Fatalf("%s line %d: %d fields, want %d", path, n+1, len(fields), cols)
		}
		for _, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				t.Fatalf("%s line %d: %v", path, n+1, err)
			}
			out = append(out, v)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Fatalf("%s: %d rows, want %d", path, n, rows)
	}
	return out
}

// fixtureParams reads a type's params.csv with ReadParamsCSV.
func fixtureParams(t testing.TB, nt NoiseType) []float64 {
	t.Helper()
	f, err := os.Open(fixturePath(nt.String(), "params.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	params, trials, nparams, err := ReadParamsCSV(f, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if trials != fixtureTrials || nparams != 4092 {
		t.Fatalf("params.csv: %d×%d, want %d×4092", trials, nparams, fixtureTrials)
	}
	return params
}

// fixtureBasis is the fixture's basis for a noise type.
func fixtureBasis(t testing.TB, nt NoiseType) *Basis {
	t.Helper()
	b, err := NewBasis(fixtureSize, fixtureScales, nt, fixtureSigma)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readPNG decodes a PNG file.
func readPNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// maxAbsDiff is max_i |a[i] − b[i]|.
func maxAbsDiff(t testing.TB, a, b []float64) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("lengths %d and %d", len(a), len(b))
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
