package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// reliability answers how reliable a pack's group CI is over the replies
// the selection keeps: permuted split-half (Spearman–Brown), ICC(3,1) and
// ICC(3,k), each reply's leave-one-out influence.
func (h *Handler) reliability(c *gin.Context) {
	id, err := packIDParam(c, "id")
	if err != nil {
		h.fail(c, err)
		return
	}
	sel, err := selectionParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	extendDeadlines(c, downloadDeadline)
	r, err := h.Analysis.Reliability(c.Request.Context(), id, sel, h.Quality)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.provenance(c, r.Provenance)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"p_id": id, "replies": r.Replies, "excluded": orEmpty(r.Excluded), "seed": r.Seed,
		"split_half": r.SplitHalf, "icc_3_1": jsonNumber(r.ICC31), "icc_3_k": jsonNumber(r.ICC3K), "loo": orEmpty(r.LOO)})
}

// orEmpty is xs, or an empty list rather than null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
