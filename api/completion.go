package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/runs"
)

// completion answers a finished run's completion code and, when the lab
// set one, the address that confirms the participation (a course-credit
// system).
func (h *Handler) completion(c *gin.Context) {
	token := c.Query("token")
	if !tokenRE.MatchString(token) {
		h.fail(c, model.Fail(model.UnknownRun))
		return
	}
	done, err := h.Participants.Completion(c.Request.Context(), token)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"code": done.Code, "url": done.URL})
}

// findCompletion looks a completion code up for the researcher: whose
// finished reply it confirms, in which pack, and its quality flags.
func (h *Handler) findCompletion(c *gin.Context) {
	code, ok := runs.NormalizeCode(c.Query("code"))
	if !ok {
		h.fail(c, model.Fail(model.UnknownCompletion))
		return
	}
	ctx := c.Request.Context()
	found, err := h.Completions.ReplyByCompletion(ctx, code)
	if err != nil {
		h.fail(c, err)
		return
	}
	flags := []string{}
	if t, err := h.Analysis.Quality(ctx, found.PackID, h.Quality, analysis.Selection{}); err == nil {
		for _, row := range t.Rows {
			if row.ReplyID == found.ReplyID {
				flags = row.Flags
			}
		}
	} else if model.ReasonOf(err) == "" {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"r_id": found.ReplyID, "p_id": found.PackID, "pack_name": found.PackName,
		"name": found.Name, "no": found.No, "finished": h.date(found.Finished), "flags": flags})
}
