package inference

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// WriteTMapCSV writes c's t map as CSV: one line per pixel row, top row
// first, the row's values separated by commas in the shortest form that
// reads back to the same float64 (strconv 'g', −1), lines ended by "\n".
// It is the layout of the CI CSV (SPEC, Results).
func WriteTMapCSV(w io.Writer, c *Comparison) error {
	if c == nil {
		return fmt.Errorf("inference: t map csv: %w", &ShapeError{What: "comparison", Got: 0, Want: 1})
	}
	if c.Width < 1 || c.Height < 1 || len(c.TMap) != c.Width*c.Height {
		return fmt.Errorf("inference: t map csv: %w", &ShapeError{What: "t map", Got: len(c.TMap), Want: max(0, c.Width) * max(0, c.Height)})
	}
	bw := bufio.NewWriter(w)
	buf := make([]byte, 0, 32*c.Width)
	for y := range c.Height {
		buf = buf[:0]
		for x, v := range c.TMap[y*c.Width : (y+1)*c.Width] {
			if x > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("inference: t map csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("inference: t map csv: %w", err)
	}
	return nil
}
