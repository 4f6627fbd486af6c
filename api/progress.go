package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

// progress saves a run's answers so far and its event counts: retried or
// repeated saves change nothing, and the server judges every answer by the
// order and sides the run served.
func (h *Handler) progress(c *gin.Context) {
	o, err := readJSONBody(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	token, ok := o.str("token")
	if !ok || !tokenRE.MatchString(token) {
		h.fail(c, model.Errorf(model.NotFound, "Unknown Run"))
		return
	}
	ctx := c.Request.Context()
	served, err := h.Runs.RunServed(ctx, token)
	if err != nil {
		h.fail(c, err)
		return
	}
	pack, err := h.Packs.PackFiles(ctx, served.PackID)
	if err != nil {
		h.fail(c, err)
		return
	}
	raw, present := o["answers"]
	if !present {
		h.fail(c, model.Errorf(model.Invalid, "Invalid Input: answers missing"))
		return
	}
	list, err := parseAnswers(raw, pack, len(served.Order))
	if err == nil {
		err = list.asServed(served)
	}
	if err != nil {
		h.fail(c, model.Errorf(model.Invalid, "Invalid Input: %v", err))
		return
	}
	ev, err := parseEvents(o["events"])
	if err != nil {
		h.fail(c, model.Errorf(model.Invalid, "Invalid Input: %v", err))
		return
	}
	answered, err := h.Runs.SaveProgress(ctx, token, list.json, len(list.trials), ev, h.Now())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"answered": answered})
}
