package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/runs"
)

// start matches a participant to their pack and starts their run, or
// resumes the one they left: same order, answers saved so far.
func (h *Handler) start(c *gin.Context) {
	in, err := h.parseStart(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	st, err := h.Participants.Start(c.Request.Context(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	body := st.AppendJSON(make([]byte, 0, len(st.Run.Served)+len(st.Run.Answers)+160))
	c.Header("Cache-Control", "no-store")
	// Known in advance: without it net/http sends any answer over 2 KB
	// (this one is 13 KB) in chunks.
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

func (h *Handler) parseStart(c *gin.Context) (runs.StartInput, error) {
	var in runs.StartInput
	o, err := readJSONBody(c)
	if err != nil {
		return in, err
	}
	if in.Person, err = h.Rules.participant(o); err != nil {
		return in, err
	}
	if in.Token, err = optionalToken(o); err != nil {
		return in, inputErr(model.Fail(badToken))
	}
	if raw, present := o["resume"]; present && string(raw) != "null" {
		typed, _ := o.str("resume")
		code, ok := runs.NormalizeCode(typed)
		if !ok {
			return in, model.Fail(model.UnknownResume)
		}
		in.Resume = code
	}
	if in.Client, err = parseClient(o["client"]); err != nil {
		return in, inputErr(model.Fail(badClient, err.Error()))
	}
	return in, nil
}
