package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

// statusOf is the one mapping from an error's code to an HTTP status. Input
// that is wrong, names nothing or contradicts what is stored is the client's
// to fix: 400 with a sentence. Anything without a code is ours: 500.
var statusOf = map[model.Code]int{
	model.Invalid:   http.StatusBadRequest,
	model.NotFound:  http.StatusBadRequest,
	model.Conflict:  http.StatusBadRequest,
	model.TooLarge:  http.StatusBadRequest,
	model.Forbidden: http.StatusForbidden,
	model.Internal:  http.StatusInternalServerError,
}

// serverErrorBody is all a client learns about our own faults.
const serverErrorBody = "< SERVER ERROR > Please try again later or tell the researcher."

// fail is the one place that turns an error into a response: the client
// gets the error's message (or serverErrorBody), the request log the
// message without personal data (or the whole cause of a 500).
func (h *Handler) fail(c *gin.Context, err error) {
	c.Header("Cache-Control", "no-store")
	var e *model.Error
	if !errors.As(err, &e) || statusOf[e.Code] >= 500 {
		c.Set(logErrorKey, err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte(serverErrorBody))
		return
	}
	c.Set(logMessageKey, e.LogMessage())
	c.Data(statusOf[e.Code], "text/plain; charset=utf-8", []byte(e.Message))
}

// errCrossSite refuses a state-changing admin request a browser sent from
// another site or as a navigation; why goes to the log.
func errCrossSite(why string) error {
	return model.Private(model.Forbidden, "Cross-Site Request Refused", "cross-site request refused: "+why)
}
