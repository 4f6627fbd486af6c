package api

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/analysis"
)

// provenance sends what went into a figure in headers: the replies in,
// those left out, the seed of whatever was random, this build.
func (h *Handler) provenance(c *gin.Context, p analysis.Provenance) {
	c.Header("X-Psyx-Replies", strconv.Itoa(p.Replies))
	c.Header("X-Psyx-Excluded", joinIDs(p.Excluded))
	if p.Seed != 0 {
		c.Header("X-Psyx-Seed", strconv.FormatUint(p.Seed, 10))
	}
	c.Header("X-Psyx-Version", h.Version)
}

// joinIDs is "3,7,12".
func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}
