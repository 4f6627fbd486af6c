package api

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/model"
)

// What the handlers share in reading a request: ids, formats, tokens.

// packIDParam reads a pack id from the query (key "id" unless given): a
// positive integer that fits the database's integer, else PackNotFound
// echoing what was sent.
func packIDParam(c *gin.Context, key string) (int, error) {
	raw := c.Query(key)
	if raw == "" && c.Request.Method == "POST" {
		raw = c.PostForm(key)
	}
	id, err := strconv.ParseInt(raw, 10, 32)
	if err != nil || id < 1 {
		return 0, model.Fail(model.PackNotFound, model.Echo(raw))
	}
	return int(id), nil
}

// replyIDParam reads an optional r_id: 0 when absent, else a positive
// integer that fits the database's bigint, else UnknownReply.
func replyIDParam(c *gin.Context) (int64, error) {
	raw, ok := c.GetQuery("r_id")
	if !ok {
		return 0, nil
	}
	rid, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || rid < 1 {
		return 0, model.Fail(model.UnknownReply, model.Echo(raw))
	}
	return rid, nil
}

// formatParam reads ?format=, one of allowed (the first is the default).
func formatParam(c *gin.Context, allowed ...string) (string, error) {
	f := c.DefaultQuery("format", allowed[0])
	if !slices.Contains(allowed, f) {
		return "", model.Fail(unknownFormat, model.Echo(f), orList(allowed))
	}
	return f, nil
}

// packFormatParams reads ?id= (packIDParam) and ?format= (formatParam),
// as the endpoints that answer a pack in several formats start.
func packFormatParams(c *gin.Context, formats ...string) (id int, format string, err error) {
	if id, err = packIDParam(c, "id"); err != nil {
		return 0, "", err
	}
	if format, err = formatParam(c, formats...); err != nil {
		return 0, "", err
	}
	return id, format, nil
}

// orList is "a, b or c".
func orList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// tokenRE is a run's token: the page's own id for its run.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// optionalToken reads "token": absent or null is "", else it must be 8 to
// 64 letters, digits or dashes.
func optionalToken(o object) (string, error) {
	raw, present := o["token"]
	if !present || string(raw) == "null" {
		return "", nil
	}
	token, ok := o.str("token")
	if !ok || !tokenRE.MatchString(token) {
		return "", model.Fail(badToken)
	}
	return token, nil
}

// maxExcluded bounds the r_ids one request may name.
const maxExcluded = 10000

// selectionParam reads &exclude=: "flagged" (every reply with a quality
// flag) or r_ids separated by commas; each must be a positive integer
// (whether it is the pack's is the analysis's to say).
func selectionParam(c *gin.Context) (analysis.Selection, error) {
	var sel analysis.Selection
	raw := c.Query("exclude")
	if raw == "" {
		return sel, nil
	}
	if raw == "flagged" {
		sel.Flagged = true
		return sel, nil
	}
	var err error
	sel.Exclude, err = replyIDList(raw)
	return sel, err
}

// replyIDList reads "3,7,12": positive int64s, at most maxExcluded.
func replyIDList(raw string) ([]int64, error) {
	parts := strings.Split(raw, ",")
	if len(parts) > maxExcluded {
		return nil, model.Fail(model.UnknownReply, model.Echo(parts[maxExcluded]))
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		rid, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || rid < 1 {
			return nil, model.Fail(model.UnknownReply, model.Echo(p))
		}
		ids = append(ids, rid)
	}
	return ids, nil
}
