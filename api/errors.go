package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/packs"
)

// InputError is a 400: Msg goes to the client, LogMsg (no personal data)
// to the log.
type InputError struct {
	Msg    string
	LogMsg string
}

func (e *InputError) Error() string { return e.Msg }

func badInput(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &InputError{Msg: msg, LogMsg: msg}
}

// errCrossSite refuses a state-changing admin request made by another site's page.
var errCrossSite = errors.New("cross-site request refused")

// serverErrorBody is all a client learns about our own faults.
const serverErrorBody = "< SERVER ERROR > Please try again later or tell the researcher."

// fail is the one place that turns an error into a response.
func (h *Handler) fail(c *gin.Context, err error) {
	status, msg, logMsg := h.classify(err)
	c.Header("Cache-Control", "no-store")
	switch {
	case status >= 500:
		c.Set(logErrorKey, err)
	default:
		c.Set(logMessageKey, logMsg)
	}
	c.Data(status, "text/plain; charset=utf-8", []byte(msg))
}

func (h *Handler) classify(err error) (status int, msg, logMsg string) {
	var in *InputError
	var pin *packs.InputError
	switch {
	case errors.As(err, &in):
		return http.StatusBadRequest, in.Msg, in.LogMsg
	case errors.As(err, &pin):
		return http.StatusBadRequest, pin.Msg, pin.Msg
	case errors.Is(err, errCrossSite):
		return http.StatusForbidden, "Cross-Site Request Refused", "cross-site request refused"
	}
	return http.StatusInternalServerError, serverErrorBody, ""
}
