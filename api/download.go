package api

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
)

// download streams a pack and its replies (and, with include=unfinished,
// its unfinished runs): rows go from the database cursor to the client one
// at a time, so 10,000 replies need no more memory than 10.
func (h *Handler) download(c *gin.Context) {
	id, format, err := packFormatParams(c, "json", "csv")
	if err != nil {
		h.fail(c, err)
		return
	}
	include := c.Query("include")
	if include != "" && include != "unfinished" {
		h.fail(c, model.Fail(unknownInclude, model.Echo(include)))
		return
	}
	extendDeadlines(c, downloadDeadline)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	bom := format == "csv" && c.Query("bom") == "1"
	started := false
	// head answers the headers once the pack is known to exist.
	head := func(p *model.PackSummary, contentType string) {
		started = true
		c.Header("Content-Type", contentType)
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, fileName(p.Name, p.ID, include, bom), format))
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
	}
	ctx, now := c.Request.Context(), h.Now()
	if format == "csv" {
		err = h.downloadCSV(ctx, w, id, now, include != "", bom, head)
	} else {
		err = h.downloadJSON(ctx, w, id, now, include != "", head)
	}
	if err == nil {
		err = w.Flush()
	}
	switch {
	case err == nil:
	case !started:
		h.fail(c, err)
	default:
		// Half a file must not look like a whole one: cut the connection.
		h.Log.Error("download failed after it started", zap.Int("p_id", id), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}

// downloadJSON writes the pack object with its replies and, when asked,
// its unfinished runs: each row's object comes from PostgreSQL as text
// (store.ExportPackJSON) and is copied out as it is.
func (h *Handler) downloadJSON(ctx context.Context, w *bufio.Writer, id int, now time.Time, unfinished bool,
	head func(*model.PackSummary, string)) error {
	d := &jsonDownload{h: h, w: w, unfinished: unfinished}
	e := model.ExportJSON{
		Head: func(p *model.PackSummary) error {
			head(p, "application/json; charset=utf-8")
			return d.head(p)
		},
		Reply: d.reply,
	}
	if unfinished {
		e.Unfinished = d.run
	}
	if err := h.Replies.ExportPackJSON(ctx, id, now, h.AbandonAfter, h.Location.String(), e); err != nil {
		return err
	}
	return d.end()
}

// downloadCSV writes one row per trial: each reply's (and, when asked,
// each unfinished run's) answers decoded against the pack's files.
func (h *Handler) downloadCSV(ctx context.Context, w *bufio.Writer, id int, now time.Time, unfinished, bom bool,
	head func(*model.PackSummary, string)) error {
	// The pack's files read the stored answers; a pack never changes, so
	// this read may come before the export's snapshot.
	pack, err := h.Packs.PackFiles(ctx, id)
	if err != nil {
		return err
	}
	exp := newCSVExporter(h, w, now, pack)
	e := model.Export{
		Head: func(p *model.PackSummary) error {
			head(p, "text/csv; charset=utf-8")
			if bom {
				// Excel reads a CSV without a byte-order mark in the
				// system's code page, which garbles Hangul; pandas and R
				// want none.
				w.WriteString("\ufeff")
			}
			return exp.head()
		},
		Reply: exp.reply,
	}
	if unfinished {
		e.Unfinished = exp.run
	}
	if err := h.Replies.ExportPack(ctx, id, now, h.AbandonAfter, e); err != nil {
		return err
	}
	return exp.end()
}

// fileName says what a download holds: <pack>-<id>, then -unfinished when
// it has the unfinished runs too, -excel for the CSV Excel reads.
func fileName(pack string, id int, include string, excel bool) string {
	name := fmt.Sprintf("%s-%d", pack, id)
	if include != "" {
		name += "-" + include
	}
	if excel {
		name += "-excel"
	}
	return name
}
