package api

import (
	"crypto/sha256"
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

// crockford is base32 without I, L, O and U: nothing to misread when a
// participant copies the code by hand.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// CompletionCode is the short code that confirms a finished run: 8
// characters derived from its token, shown as XXXX-XXXX. The researcher
// finds the same code beside the reply in the download.
func CompletionCode(token string) string {
	sum := sha256.Sum256([]byte(token))
	s := crockford.EncodeToString(sum[:5])
	return s[:4] + "-" + s[4:]
}

// completion answers a finished run's completion code and, when the lab
// set one, the address that confirms the participation (a course-credit
// system): {code} and {no} filled in.
func (h *Handler) completion(c *gin.Context) {
	token := c.Query("token")
	if !tokenRE.MatchString(token) {
		h.fail(c, model.Errorf(model.NotFound, "Unknown Run"))
		return
	}
	run, err := h.Runs.Run(c.Request.Context(), token)
	if err != nil {
		h.fail(c, err)
		return
	}
	if run.FinishedAt == nil {
		h.fail(c, model.Errorf(model.Conflict, "Run Not Finished"))
		return
	}
	code := CompletionCode(run.Token)
	link := ""
	if h.RunRules.CompletionURL != "" {
		link = strings.NewReplacer("{code}", url.QueryEscape(code),
			"{no}", url.QueryEscape(run.No)).Replace(h.RunRules.CompletionURL)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"code": code, "url": link})
}
