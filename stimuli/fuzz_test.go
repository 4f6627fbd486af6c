package stimuli

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// The fuzz targets' seed corpus is testdata/fuzz/<target>/ (valid files,
// each kind of damage) plus the f.Add seeds below; scripts/fuzz.sh runs
// them for longer.

// fuzzTrials and fuzzParams are the limits FuzzReadParamsCSV reads under,
// small so that the fuzzer spends its time on parsing, not allocating.
const fuzzTrials, fuzzParams = 64, 64

// typedError fails t unless err wraps one of the package's sentinels: a
// caller must be able to pick its answer with errors.Is whatever the input.
func typedError(t *testing.T, err error) {
	t.Helper()
	for _, target := range []error{ErrCorrupt, ErrTooLarge, ErrShape, ErrNotFinite} {
		if errors.Is(err, target) {
			return
		}
	}
	t.Fatalf("untyped error %v", err)
}

// checkDecoded fails t unless a decoded matrix has its announced shape,
// within the limits, and only finite values.
func checkDecoded(t *testing.T, params []float64, trials, nparams, maxTrials, maxParams int) {
	t.Helper()
	if trials < 1 || nparams < 1 || trials > maxTrials || nparams > maxParams || len(params) != trials*nparams {
		t.Fatalf("%d values decoded as %d×%d (limits %d×%d)", len(params), trials, nparams, maxTrials, maxParams)
	}
	for i, v := range params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("value %d is %v", i, v)
		}
	}
}

// FuzzUnmarshalParams: any input is a typed error or a valid matrix that
// MarshalParams encodes back to the same bytes (the format has one encoding
// per matrix).
func FuzzUnmarshalParams(f *testing.F) {
	good, err := MarshalParams([]float64{0.5, -0.5, 0.25, 1}, 2, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte(paramsMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		params, trials, nparams, err := UnmarshalParams(data, 0, 0)
		if err != nil {
			typedError(t, err)
			return
		}
		checkDecoded(t, params, trials, nparams, MaxTrials, MaxParams)
		again, err := MarshalParams(params, trials, nparams)
		if err != nil {
			t.Fatalf("decoded matrix does not encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatal("decoded matrix encodes to other bytes")
		}
	})
}

// FuzzReadParamsCSV: any input is a typed error or a matrix within the
// limits that WriteParamsCSV and ReadParamsCSV carry through bit for bit.
func FuzzReadParamsCSV(f *testing.F) {
	for _, s := range []string{
		"trial,p1,p2\n1,0.5,-0.25\n2,1,-1\n",
		"\"\",\"p1\"\n\"1\",-0.0211332514882088\n",
		"p1,p2\r\n0.5,-0.25\r\n",
		"trial,p1\n1,NaN\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		params, trials, nparams, err := ReadParamsCSV(bytes.NewReader(data), fuzzTrials, fuzzParams)
		if err != nil {
			typedError(t, err)
			return
		}
		checkDecoded(t, params, trials, nparams, fuzzTrials, fuzzParams)
		var buf bytes.Buffer
		if err := WriteParamsCSV(&buf, params, trials, nparams); err != nil {
			t.Fatalf("read matrix does not write: %v", err)
		}
		again, t2, n2, err := ReadParamsCSV(&buf, fuzzTrials, fuzzParams)
		if err != nil || t2 != trials || n2 != nparams {
			t.Fatalf("written matrix reads back as %d×%d, %v", t2, n2, err)
		}
		for i := range params {
			if math.Float64bits(again[i]) != math.Float64bits(params[i]) {
				t.Fatalf("value %d: %v written, %v read", i, params[i], again[i])
			}
		}
	})
}
