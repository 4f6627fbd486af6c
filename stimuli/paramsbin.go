package stimuli

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// The binary parameter file kept beside a pack:
//
//	offset size
//	0      8    magic "PSYXPRM\n"
//	8      4    version (1), little-endian uint32
//	12     4    trials, little-endian uint32
//	16     4    nparams, little-endian uint32
//	20     4    CRC-32C (Castagnoli) of bytes 8…19 and of the payload
//	24     8·trials·nparams  the parameters, trial-major, little-endian float64
const (
	paramsMagic      = "PSYXPRM\n"
	paramsVersion    = 1
	paramsHeaderSize = 24
)

// MarshalParams encodes a trials × nparams parameter matrix (trial-major) in
// the binary format above. The values must be finite.
func MarshalParams(params []float64, trials, nparams int) ([]byte, error) {
	if err := checkMatrix(trials, nparams, 0, 0); err != nil {
		return nil, fmt.Errorf("marshal parameters: %w", err)
	}
	if len(params) != trials*nparams {
		return nil, fmt.Errorf("marshal parameters: %w", fmtShape("%d values for %d×%d", len(params), trials, nparams))
	}
	out := make([]byte, paramsHeaderSize+8*len(params))
	copy(out, paramsMagic)
	binary.LittleEndian.PutUint32(out[8:], paramsVersion)
	binary.LittleEndian.PutUint32(out[12:], uint32(trials))
	binary.LittleEndian.PutUint32(out[16:], uint32(nparams))
	for i, v := range params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("marshal parameters: %w: value %d is %g", ErrNotFinite, i, v)
		}
		binary.LittleEndian.PutUint64(out[paramsHeaderSize+8*i:], math.Float64bits(v))
	}
	binary.LittleEndian.PutUint32(out[20:], paramsCRC(out))
	return out, nil
}

// UnmarshalParams decodes MarshalParams's output. It refuses, before
// allocating anything, data that is not of the format and version, whose
// sizes exceed maxTrials or maxParams (≤ 0: the package limits) or do not
// match the data's length; then a CRC mismatch or a non-finite value.
func UnmarshalParams(data []byte, maxTrials, maxParams int) (params []float64, trials, nparams int, err error) {
	if len(data) < paramsHeaderSize || string(data[:8]) != paramsMagic {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w: not a parameter file", ErrCorrupt)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != paramsVersion {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w: version %d", ErrCorrupt, v)
	}
	t64 := uint64(binary.LittleEndian.Uint32(data[12:]))
	p64 := uint64(binary.LittleEndian.Uint32(data[16:]))
	if t64 > MaxTrials || p64 > MaxParams {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w", fmtTooLarge("%d×%d", t64, p64))
	}
	trials, nparams = int(t64), int(p64)
	if err := checkMatrix(trials, nparams, maxTrials, maxParams); err != nil {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w", err)
	}
	if uint64(len(data)) != paramsHeaderSize+8*t64*p64 {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w: %d bytes for %d×%d", ErrCorrupt, len(data), trials, nparams)
	}
	if got, want := paramsCRC(data), binary.LittleEndian.Uint32(data[20:]); got != want {
		return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w: checksum", ErrCorrupt)
	}
	params = make([]float64, trials*nparams)
	for i := range params {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[paramsHeaderSize+8*i:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("unmarshal parameters: %w: value %d", ErrNotFinite, i)
		}
		params[i] = v
	}
	return params, trials, nparams, nil
}

// paramsCRC is the CRC-32C of the header fields after the magic (version,
// trials, nparams) and of the payload: everything but the magic and the CRC.
func paramsCRC(data []byte) uint32 {
	tab := crc32.MakeTable(crc32.Castagnoli)
	c := crc32.Update(0, tab, data[8:20])
	return crc32.Update(c, tab, data[paramsHeaderSize:])
}
