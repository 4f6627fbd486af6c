package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
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
	c.JSON(http.StatusOK, done)
}
