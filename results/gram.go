package results

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gramBlockBytes bounds the float64 block of noise that gram holds: N pairs
// × B pixels × 8 bytes ≤ 16 MB, so even a 1,000-pair pack stays small.
const gramBlockBytes = 16 << 20

// gram computes G = D·Dᵀ for the N×P noise matrix D stored (int16,
// pair-major) at off in r: pixel block by pixel block, each block's N×B
// float64 copy added with Dsyrk. Every product and partial sum is an integer
// below 2^53, so G is exact whatever the blocking.
func gram(ctx context.Context, r io.ReaderAt, off int64, n, p int) ([]float64, error) {
	b := min(p, max(256, gramBlockBytes/(8*n)))
	blk := make([]float64, n*b)
	buf := make([]byte, 2*b)
	g := make([]float64, n*n)
	impl := blas64.Implementation()
	for p0 := 0; p0 < p; p0 += b {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("results: compute: %w", err)
		}
		bw := min(b, p-p0)
		for i := range n {
			if _, err := r.ReadAt(buf[:2*bw], off+2*(int64(i)*int64(p)+int64(p0))); err != nil {
				return nil, fmt.Errorf("results: compute: read back noise: %w", err)
			}
			row := blk[i*bw : (i+1)*bw]
			for j := range row {
				row[j] = float64(int16(binary.LittleEndian.Uint16(buf[2*j:])))
			}
		}
		impl.Dsyrk(blas.Upper, blas.NoTrans, n, bw, 1, blk[:n*bw], bw, 1, g, n)
	}
	for i := range n { // Dsyrk filled the upper triangle
		for j := range i {
			g[i*n+j] = g[j*n+i]
		}
	}
	return g, nil
}
