package api

import (
	"bufio"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
)

// download streams a pack and its replies (and, with include=unfinished,
// its unfinished runs): rows go from the database cursor to the client one
// at a time, so 10,000 replies need no more memory than 10.
func (h *Handler) download(c *gin.Context) {
	id, err := packIDParam(c, "id")
	if err != nil {
		h.fail(c, err)
		return
	}
	format, err := formatParam(c, "json", "csv")
	if err != nil {
		h.fail(c, err)
		return
	}
	include := c.Query("include")
	if include != "" && include != "unfinished" {
		h.fail(c, model.Fail(unknownInclude, model.Echo(include)))
		return
	}
	// The pack's files read the stored answers; a pack never changes, so
	// this read may come before the export's snapshot.
	pack, err := h.Packs.PackFiles(c.Request.Context(), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	excel := format == "csv" && c.Query("bom") == "1"
	extendDeadlines(c, downloadDeadline)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	now := h.Now()
	var exp exporter = &jsonExporter{h: h, w: w, now: now}
	if format == "csv" {
		exp = newCSVExporter(h, w, now, pack)
	}
	started := false
	e := model.Export{
		Head: func(p *model.PackSummary) error {
			started = true
			c.Header("Content-Type", exp.contentType())
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, fileName(p.Name, p.ID, include, excel), format))
			c.Header("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			if excel {
				// Excel reads a CSV without a byte-order mark in the
				// system's code page, which garbles Hangul; pandas and R
				// want none.
				w.WriteString("\ufeff")
			}
			return exp.head(p, include != "")
		},
		Reply: exp.reply,
	}
	if include != "" {
		e.Unfinished = exp.run
	}
	err = h.Replies.ExportPack(c.Request.Context(), id, now, h.AbandonAfter, e)
	if err == nil {
		err = exp.end()
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

type exporter interface {
	contentType() string
	head(p *model.PackSummary, unfinished bool) error
	reply(r *model.Reply) error
	run(r *model.Run) error
	end() error
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
