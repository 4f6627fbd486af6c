package api

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

// progress saves a run's answers so far and its event counts: retried or
// repeated saves change nothing, and every answer is judged by the order
// and sides the run served.
func (h *Handler) progress(c *gin.Context) {
	o, err := readJSONBody(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	token, ok := o.str("token")
	if !ok || !tokenRE.MatchString(token) {
		h.fail(c, model.Fail(model.UnknownRun))
		return
	}
	answers, present := o["answers"]
	if !present {
		h.fail(c, inputErr(model.Fail(answersMissing)))
		return
	}
	ev, err := parseEvents(o["events"])
	if err != nil {
		h.fail(c, inputErr(model.Fail(badEvents, err.Error())))
		return
	}
	answered, finished, err := h.Participants.Progress(c.Request.Context(), token, answers, ev)
	if e := (*model.Error)(nil); errors.As(err, &e) && !slices.Contains(progressOwn, e.Reason) {
		err = inputErr(e) // an answer of the list is wrong
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if finished {
		c.JSON(http.StatusOK, gin.H{"answered": answered, "finished": true})
		return
	}
	c.JSON(http.StatusOK, gin.H{"answered": answered})
}

// progressOwn are the conditions a progress save reports as they are; any
// other is about the answers, "Invalid Input: …".
var progressOwn = []model.Reason{model.UnknownRun, model.ProgressConflict, model.PackNotFound}
