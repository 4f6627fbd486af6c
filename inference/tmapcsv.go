package inference

import (
	"fmt"
	"io"

	"github.com/psyx-lab/psyx/results"
)

// WriteTMapCSV writes c's t map as CSV: one line per pixel row, top row
// first, the row's values separated by commas in the shortest form that
// reads back to the same float64 (strconv 'g', −1), lines ended by "\n".
// It is the layout of the CI CSV (SPEC, Results), written by the same code.
func WriteTMapCSV(w io.Writer, c *Comparison) error {
	if c == nil {
		return fmt.Errorf("inference: t map csv: %w", &ShapeError{What: "comparison", Got: 0, Want: 1})
	}
	if c.Width < 1 || c.Height < 1 || len(c.TMap) != c.Width*c.Height {
		return fmt.Errorf("inference: t map csv: %w", &ShapeError{What: "t map", Got: len(c.TMap), Want: max(0, c.Width) * max(0, c.Height)})
	}
	if err := results.WriteCSV(w, results.CI{W: c.Width, H: c.Height, Pix: c.TMap}); err != nil {
		return fmt.Errorf("inference: t map csv: %w", err)
	}
	return nil
}
