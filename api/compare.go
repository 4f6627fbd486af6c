package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/inference"
	"github.com/psyx-lab/psyx/model"
)

// significance is the family-wise p below which the comparison's PNG
// outlines a cluster.
const significance = 0.05

// compare answers where two sets of replies' CIs differ: ?a=N&b=M (two
// packs with the same images) or ?id=N&a_r=…&b_r=… (two lists of one
// pack's replies); the pixel-wise Welch t map, its clusters and their
// family-wise p from 1,000 permutations, as JSON, a PNG (the base face with
// the significant clusters outlined) or CSV (the t map). format=progress
// tells how far a comparison computing has come (the results page's bar).
func (h *Handler) compare(c *gin.Context) {
	req, err := parseCompare(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	format, err := formatParam(c, "json", "png", "csv", "progress")
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	c.Header("Cache-Control", "no-store")
	if format == "progress" {
		done, computing, finished, err := h.Analysis.CompareProgress(ctx, req, h.Quality)
		if err != nil {
			h.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"done": done, "total": analysis.Permutations, "computing": computing, "finished": finished})
		return
	}
	extendDeadlines(c, downloadDeadline)
	res, err := h.Analysis.Compare(ctx, req, h.Quality)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.provenance(c, res.Provenance)
	name := fmt.Sprintf("compare-%d-%d", req.A, req.B)
	switch format {
	case "png":
		var buf bytes.Buffer
		if err := inference.RenderComparison(&buf, res.Base, res.Width, res.Height, res.Comparison, significance); err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s.png"`, name))
		c.Data(http.StatusOK, "image/png", buf.Bytes())
	case "csv":
		var buf bytes.Buffer
		if err := inference.WriteTMapCSV(&buf, res.Comparison); err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-t.csv"`, name))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	default:
		c.JSON(http.StatusOK, gin.H{"a_replies": res.AReplies, "b_replies": res.BReplies, "clusters": res.Clusters,
			"threshold": res.Threshold, "permutations": res.Permutations, "alpha": significance,
			"width": res.Width, "height": res.Height, "excluded": orEmpty(res.Excluded), "seed": res.Seed})
	}
}

// parseCompare reads the two sets a comparison is between.
func parseCompare(c *gin.Context) (analysis.CompareRequest, error) {
	var req analysis.CompareRequest
	var err error
	if req.Sel, err = selectionParam(c); err != nil {
		return req, err
	}
	if _, ok := c.GetQuery("a"); ok {
		if req.A, err = packIDParam(c, "a"); err != nil {
			return req, err
		}
		req.B, err = packIDParam(c, "b")
		return req, err
	}
	if req.A, err = packIDParam(c, "id"); err != nil {
		return req, err
	}
	req.B = req.A
	for _, set := range []struct {
		key string
		ids *[]int64
	}{{"a_r", &req.AR}, {"b_r", &req.BR}} {
		raw := c.Query(set.key)
		if raw == "" {
			return req, model.Fail(model.TooFewReplies)
		}
		if *set.ids, err = replyIDList(raw); err != nil {
			return req, err
		}
	}
	return req, nil
}
