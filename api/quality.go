package api

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/results"
)

// replyColumns are who a quality row is about; results.Columns are its
// figures. Both go to the page, which draws the table from them.
var replyColumns = []results.Column{
	{Name: "r_id", Label: "r_id", Kind: "id"},
	{Name: "name", Label: "성명", Kind: "text"},
	{Name: "no", Label: "학번", Kind: "text"},
	{Name: "date", Label: "제출일", Kind: "date"},
}

type rtHistogram struct {
	BinMS  int   `json:"bin_ms"`
	Counts []int `json:"counts"`
}

type qualityJSON struct {
	PackID      int              `json:"p_id"`
	Pairs       int              `json:"pairs"`
	Included    int              `json:"included"` // replies in the group figures
	Excluded    []int64          `json:"excluded"` // left out of them
	Columns     []results.Column `json:"columns"`
	Flags       []results.Flag   `json:"flags"`
	Replies     []map[string]any `json:"replies"`
	RTHistogram rtHistogram      `json:"rt_histogram"`
}

// quality answers a pack's data-quality table, one row per reply: as JSON
// with the description of its columns, or as CSV.
func (h *Handler) quality(c *gin.Context) {
	id, format, err := packFormatParams(c, "json", "csv")
	if err != nil {
		h.fail(c, err)
		return
	}
	sel, err := selectionParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	extendDeadlines(c, downloadDeadline)
	t, err := h.Analysis.Quality(c.Request.Context(), id, h.Quality, sel)
	if err != nil {
		h.fail(c, err)
		return
	}
	cols := results.Columns(h.Quality)
	c.Header("Cache-Control", "no-store")
	h.provenance(c, t.Provenance)
	if format == "csv" {
		h.qualityCSV(c, t, cols)
		return
	}
	out := qualityJSON{PackID: t.PackID, Pairs: t.Pairs, Included: t.Replies, Excluded: orEmpty(t.Excluded), Columns: append(append([]results.Column{}, replyColumns...), cols...),
		Flags: results.Flags(), Replies: make([]map[string]any, len(t.Rows)),
		RTHistogram: rtHistogram{BinMS: results.HistBinMS, Counts: t.RTHistogram}}
	for i := range t.Rows {
		r := &t.Rows[i]
		row := map[string]any{"r_id": r.ReplyID, "name": r.Name, "no": r.No, "date": h.date(r.Date), "flags": r.Flags,
			"excluded": r.Excluded, "rt_counts": r.RTCounts}
		for _, col := range cols {
			row[col.Name] = jsonNumber(col.Value(&r.Quality))
		}
		out.Replies[i] = row
	}
	c.JSON(http.StatusOK, out)
}

// jsonNumber is v for JSON: null when undefined.
func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// csvNumber is v for a CSV cell: empty when undefined, whole numbers as
// integers, others to 6 significant digits.
func csvNumber(v float64, kind results.Kind) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case kind == results.KindCount || kind == results.KindMS:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func (h *Handler) qualityCSV(c *gin.Context, t *analysis.QualityTable, cols []results.Column) {
	pack, err := h.Packs.PackFiles(c.Request.Context(), t.PackID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	excel := c.Query("bom") == "1"
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-quality.csv"`, fileName(pack.Name, pack.ID, "", excel)))
	c.Status(http.StatusOK)
	if excel {
		c.Writer.WriteString("\ufeff")
	}
	w := csv.NewWriter(c.Writer)
	header := make([]string, 0, len(replyColumns)+len(cols)+1)
	for _, col := range append(append([]results.Column{}, replyColumns...), cols...) {
		header = append(header, col.Name)
	}
	w.Write(append(header, "flags"))
	for i := range t.Rows {
		r := &t.Rows[i]
		row := []string{strconv.FormatInt(r.ReplyID, 10), csvText(r.Name), csvText(r.No), h.date(r.Date)}
		for _, col := range cols {
			row = append(row, csvNumber(col.Value(&r.Quality), col.Kind))
		}
		w.Write(append(row, strings.Join(r.Flags, " ")))
	}
	w.Flush()
}
