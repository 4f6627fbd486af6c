package stimuli

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// TestParamsCSVRoundTrip: 17 significant digits parse back to the same
// float64, including awkward values.
func TestParamsCSVRoundTrip(t *testing.T) {
	params, err := DrawParams(3, 5, 4092)
	if err != nil {
		t.Fatal(err)
	}
	copy(params, []float64{0, math.Copysign(0, -1), 1, -1, 1e-300, -5e-324, math.Nextafter(1, 0), 0.1, 1.0 / 3})
	var buf bytes.Buffer
	if err := WriteParamsCSV(&buf, params, 5, 4092); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "trial,p1,p2,") {
		t.Fatalf("header starts %q", buf.String()[:20])
	}
	got, trials, nparams, err := ReadParamsCSV(&buf, 5, 4092)
	if err != nil {
		t.Fatal(err)
	}
	if trials != 5 || nparams != 4092 {
		t.Fatalf("%d×%d, want 5×4092", trials, nparams)
	}
	for i := range params {
		if math.Float64bits(got[i]) != math.Float64bits(params[i]) {
			t.Fatalf("value %d: wrote %v, read %v", i, params[i], got[i])
		}
	}
}

// TestReadParamsCSVFixture: rcicr's export has a trial column (header
// "trial", rows 1…4 first) and 4092 parameters; its first row's first
// parameter is 0.977818595711142, not the trial number.
func TestReadParamsCSVFixture(t *testing.T) {
	params := fixtureParams(t, Sinusoid)
	if params[0] != 0.977818595711142 || params[4092] != -0.0211332514882088 {
		t.Fatalf("first parameters of trials 1 and 2: %v, %v", params[0], params[4092])
	}
}

// TestReadParamsCSVLayouts: the trial column is found from the rows, not
// only from the header.
func TestReadParamsCSVLayouts(t *testing.T) {
	want := []float64{0.5, -0.25, 1, -1}
	cases := []struct{ name, in string }{
		{"trial column", "trial,p1,p2\n1,0.5,-0.25\n2,1,-1\n"},
		{"R row names, quoted", "\"\",\"p1\",\"p2\"\n\"1\",0.5,-0.25\n\"2\",1,-1\n"},
		{"row names without header cell", "p1,p2\n1,0.5,-0.25\n2,1,-1\n"},
		{"no trial column", "p1,p2\n0.5,-0.25\n1,-1"},
		{"CRLF, BOM, padding, blank end", "\xef\xbb\xbftrial,p1,p2\r\n1,  0.5, -0.25\r\n2,1,-1\r\n\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, trials, nparams, err := ReadParamsCSV(strings.NewReader(c.in), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if trials != 2 || nparams != 2 {
				t.Fatalf("%d×%d, want 2×2", trials, nparams)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		})
	}
}

// TestReadParamsCSVRejects: malformed, inconsistent and oversized input.
func TestReadParamsCSVRejects(t *testing.T) {
	cases := []struct {
		name       string
		in         string
		maxTrials  int
		maxParams  int
		wantTarget error
	}{
		{"empty", "", 0, 0, ErrCorrupt},
		{"header only", "trial,p1\n", 0, 0, ErrCorrupt},
		{"no parameter columns", "trial\n1\n", 0, 0, ErrCorrupt},
		{"header out of order", "trial,p2,p1\n1,0,0\n", 0, 0, ErrCorrupt},
		{"unknown first column", "id,p1\n1,0\n", 0, 0, ErrCorrupt},
		{"ragged row", "trial,p1,p2\n1,0,0\n2,0\n", 0, 0, ErrCorrupt},
		{"trial header but no trial field", "trial,p1,p2\n0.1,0.2\n", 0, 0, ErrCorrupt},
		{"trials out of order", "trial,p1\n2,0\n1,0\n", 0, 0, ErrCorrupt},
		{"not a number", "trial,p1\n1,abc\n", 0, 0, ErrCorrupt},
		{"NaN", "trial,p1\n1,NaN\n", 0, 0, ErrNotFinite},
		{"Inf", "trial,p1\n1,-Inf\n", 0, 0, ErrNotFinite},
		{"overflow", "trial,p1\n1,1e999\n", 0, 0, ErrCorrupt},
		{"more trials than allowed", "trial,p1\n1,0\n2,0\n3,0\n", 2, 0, ErrTooLarge},
		{"more params than allowed", "trial,p1,p2,p3\n1,0,0,0\n", 0, 2, ErrTooLarge},
		{"line longer than the buffer", "trial,p1\n1," + strings.Repeat("0", 200) + "\n", 0, 1, ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := ReadParamsCSV(strings.NewReader(c.in), c.maxTrials, c.maxParams)
			if !errors.Is(err, c.wantTarget) {
				t.Fatalf("got %v, want %v", err, c.wantTarget)
			}
		})
	}
}

// TestParamsBinaryRoundTrip: Marshal then Unmarshal gives the same bits.
func TestParamsBinaryRoundTrip(t *testing.T) {
	params, err := DrawParams(11, 7, 4092)
	if err != nil {
		t.Fatal(err)
	}
	params[3] = math.Copysign(0, -1)
	data, err := MarshalParams(params, 7, 4092)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != paramsHeaderSize+8*7*4092 {
		t.Fatalf("%d bytes", len(data))
	}
	got, trials, nparams, err := UnmarshalParams(data, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if trials != 7 || nparams != 4092 {
		t.Fatalf("%d×%d", trials, nparams)
	}
	for i := range params {
		if math.Float64bits(got[i]) != math.Float64bits(params[i]) {
			t.Fatalf("value %d: %v → %v", i, params[i], got[i])
		}
	}
}

// TestUnmarshalParamsRejects: damaged, truncated, extended and oversized
// files are refused.
func TestUnmarshalParamsRejects(t *testing.T) {
	good, err := MarshalParams([]float64{0.5, -0.5, 0.25, 1}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(d []byte) []byte) []byte { return f(bytes.Clone(good)) }
	// withCRC rewrites the checksum so only the other damage remains.
	withCRC := func(d []byte) []byte {
		binary.LittleEndian.PutUint32(d[20:], paramsCRC(d))
		return d
	}
	cases := []struct {
		name      string
		data      []byte
		maxTrials int
		want      error
	}{
		{"empty", nil, 0, ErrCorrupt},
		{"header cut", good[:20], 0, ErrCorrupt},
		{"payload cut", good[:len(good)-1], 0, ErrCorrupt},
		{"extra byte", append(bytes.Clone(good), 0), 0, ErrCorrupt},
		{"bad magic", edit(func(d []byte) []byte { d[0] = 'X'; return d }), 0, ErrCorrupt},
		{"version 2", edit(func(d []byte) []byte { d[8] = 2; return withCRC(d) }), 0, ErrCorrupt},
		{"flipped payload bit", edit(func(d []byte) []byte { d[30] ^= 1; return d }), 0, ErrCorrupt},
		{"flipped crc bit", edit(func(d []byte) []byte { d[21] ^= 1; return d }), 0, ErrCorrupt},
		{"trials claim past length", edit(func(d []byte) []byte { d[12] = 3; return withCRC(d) }), 0, ErrCorrupt},
		{"zero trials", edit(func(d []byte) []byte { d[12] = 0; return withCRC(d) }), 0, ErrShape},
		{"huge trials", edit(func(d []byte) []byte { binary.LittleEndian.PutUint32(d[12:], 1<<31); return withCRC(d) }), 0, ErrTooLarge},
		{"huge params", edit(func(d []byte) []byte { binary.LittleEndian.PutUint32(d[16:], 1<<30); return withCRC(d) }), 0, ErrTooLarge},
		{"over caller's limit", good, 1, ErrTooLarge},
		{"NaN with a valid checksum", edit(func(d []byte) []byte {
			binary.LittleEndian.PutUint64(d[24:], math.Float64bits(math.NaN()))
			return withCRC(d)
		}), 0, ErrNotFinite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, _, err := UnmarshalParams(c.data, c.maxTrials, 0); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	if _, err := MarshalParams([]float64{math.Inf(1)}, 1, 1); !errors.Is(err, ErrNotFinite) {
		t.Fatalf("marshal Inf: %v", err)
	}
}

// TestBase16RoundTrip: the 16-bit base PNG reads back within half a 16-bit
// level, and rcicr's base through it stays within that.
func TestBase16RoundTrip(t *testing.T) {
	base := readFloatGrid(t, fixturePath("sinusoid", "base.csv"), fixtureSize, fixtureSize)
	var buf bytes.Buffer
	if err := EncodeBase16(&buf, base, fixtureSize); err != nil {
		t.Fatal(err)
	}
	got, size, err := DecodeBase16(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if size != fixtureSize {
		t.Fatalf("size %d", size)
	}
	for i := range base {
		if math.Abs(got[i]-base[i]) > 0.5/65535+1e-15 || got[i] != math.Round(65535*base[i])/65535 {
			t.Fatalf("pixel %d: %v → %v", i, base[i], got[i])
		}
	}
	// An 8-bit PNG of another size or a non-PNG is refused.
	f, err := os.ReadFile(fixturePath("face.png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := DecodeBase16(bytes.NewReader(f)); err != nil {
		t.Fatalf("face.png as a base: %v", err) // colour PNG: converted, valid size
	}
	if _, _, err := DecodeBase16(strings.NewReader("not a png")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("not a png: %v", err)
	}
}
