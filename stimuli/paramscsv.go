package stimuli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// maxFieldBytes bounds one CSV field: a 17-digit 'g' float is at most 24
// bytes ("-1.2345678901234567e-308"), R's 15-digit export less; the rest is
// room for quotes and spaces.
const maxFieldBytes = 40

// WriteParamsCSV writes a trials × nparams parameter matrix (trial-major)
// the way rcicr's stimuli_params are exported: a header
// "trial,p1,…,pK", then one row per trial, its number (from 1) and its
// parameters with 17 significant digits (strconv 'g', 17), which parse back
// to the same float64. Lines end in "\n".
func WriteParamsCSV(w io.Writer, params []float64, trials, nparams int) error {
	if err := checkMatrix(trials, nparams, 0, 0); err != nil {
		return fmt.Errorf("write parameters: %w", err)
	}
	if len(params) != trials*nparams {
		return fmt.Errorf("write parameters: %w", fmtShape("%d values for %d×%d", len(params), trials, nparams))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, (nparams+1)*maxFieldBytes)
	line = append(line, "trial"...)
	for j := 1; j <= nparams; j++ {
		line = append(line, ",p"...)
		line = strconv.AppendInt(line, int64(j), 10)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("write parameters: %w", err)
	}
	for t := 0; t < trials; t++ {
		line = strconv.AppendInt(line[:0], int64(t+1), 10)
		for _, v := range params[t*nparams : (t+1)*nparams] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("write parameters: %w: trial %d", ErrNotFinite, t+1)
			}
			line = append(line, ',')
			line = strconv.AppendFloat(line, v, 'g', 17, 64)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("write parameters: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write parameters: %w", err)
	}
	return nil
}

// ReadParamsCSV reads a parameter matrix written by WriteParamsCSV or by R
// (rcicr's stimuli_params with write.csv): a header naming the parameters
// p1…pK in order, and one row per trial. The leading trial column is taken
// from what is really there, not from the header alone: a header "trial"
// (or "" — R's row-names column) over rows of K+1 fields, a header of p1…pK
// only over rows of K+1 fields (row names without a header cell), or no
// trial column at all (K fields everywhere). A trial column must count
// 1, 2, 3… so that rows cannot be silently reordered. Fields may be quoted
// and space-padded, lines may end in "\r\n".
//
// maxTrials and maxParams (≤ 0: the package limits) bound the matrix, and
// each line is read into a buffer sized from maxParams, so nothing larger is
// allocated whatever the input. Values must be finite.
func ReadParamsCSV(r io.Reader, maxTrials, maxParams int) (params []float64, trials, nparams int, err error) {
	if maxTrials <= 0 || maxTrials > MaxTrials {
		maxTrials = MaxTrials
	}
	if maxParams <= 0 || maxParams > MaxParams {
		maxParams = MaxParams
	}
	fail := func(err error) ([]float64, int, int, error) {
		return nil, 0, 0, fmt.Errorf("read parameters: %w", err)
	}
	br := bufio.NewReaderSize(r, (maxParams+1)*maxFieldBytes+2)
	header, err := readCSVLine(br)
	if errors.Is(err, io.EOF) {
		return fail(fmt.Errorf("%w: no header", ErrCorrupt))
	}
	if err != nil {
		return fail(err)
	}
	header = bytes.TrimPrefix(header, []byte("\xef\xbb\xbf")) // a UTF-8 BOM
	names := bytes.Split(header, []byte(","))
	// The first cell names the trial column ("trial", or "" for R's row
	// names) unless it is already p1.
	trialHeader := false
	switch first := string(unquote(names[0])); {
	case first == "trial" || first == "":
		trialHeader = true
		names = names[1:]
	case !isParamName(names[0], 1):
		return fail(fmt.Errorf("%w: header starts with %q", ErrCorrupt, first))
	}
	nparams = len(names)
	if nparams < 1 {
		return fail(fmt.Errorf("%w: no parameter columns", ErrCorrupt))
	}
	if nparams > maxParams {
		return fail(fmtTooLarge("%d parameter columns (limit %d)", nparams, maxParams))
	}
	for j, name := range names {
		if !isParamName(name, j+1) {
			return fail(fmt.Errorf("%w: header column %d is %q, want p%d", ErrCorrupt, j+1, unquote(name), j+1))
		}
	}
	// hasTrial is decided by the first row and then holds for every row.
	hasTrial := -1
	for {
		line, err := readCSVLine(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fields := bytes.Split(line, []byte(","))
		if hasTrial < 0 {
			switch {
			case len(fields) == nparams+1:
				hasTrial = 1
			case len(fields) == nparams && !trialHeader:
				hasTrial = 0
			default:
				return fail(fmt.Errorf("%w: first row has %d fields for %d parameters", ErrCorrupt, len(fields), nparams))
			}
		}
		if len(fields) != nparams+hasTrial {
			return fail(fmt.Errorf("%w: row %d has %d fields, want %d", ErrCorrupt, trials+1, len(fields), nparams+hasTrial))
		}
		if trials+1 > maxTrials || (trials+1)*nparams > MaxValues {
			return fail(fmtTooLarge("more than %d trials of %d parameters", trials, nparams))
		}
		if hasTrial == 1 {
			n, err := strconv.Atoi(string(unquote(fields[0])))
			if err != nil || n != trials+1 {
				return fail(fmt.Errorf("%w: row %d has trial %q", ErrCorrupt, trials+1, unquote(fields[0])))
			}
			fields = fields[1:]
		}
		if params == nil {
			params = make([]float64, 0, nparams*min(maxTrials, 64))
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(string(unquote(f)), 64)
			if err != nil {
				return fail(fmt.Errorf("%w: trial %d, p%d: %q", ErrCorrupt, trials+1, j+1, unquote(f)))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fail(fmt.Errorf("%w: trial %d, p%d", ErrNotFinite, trials+1, j+1))
			}
			params = append(params, v)
		}
		trials++
	}
	if trials == 0 {
		return fail(fmt.Errorf("%w: no trials", ErrCorrupt))
	}
	return params, trials, nparams, nil
}

// readCSVLine returns the next line without its "\n" or "\r\n". It is
// io.EOF only when nothing is left; a line longer than the reader's buffer
// is ErrTooLarge.
func readCSVLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmtTooLarge("a line longer than %d bytes", br.Size())
	case errors.Is(err, io.EOF):
		if len(line) == 0 {
			return nil, io.EOF
		}
	case err != nil:
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// unquote trims spaces and one pair of surrounding double quotes.
func unquote(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return b
}

// isParamName says whether a header cell is "p<j>".
func isParamName(cell []byte, j int) bool {
	c := unquote(cell)
	return len(c) > 1 && c[0] == 'p' && string(c[1:]) == strconv.Itoa(j)
}
