package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
)

// generate makes a pack from one base face (README, "Making a pack from one
// face"), or with ?preview=1 answers its first pair as one PNG, ori left
// and inv right, and stores nothing.
func (h *Handler) generate(c *gin.Context) {
	preview := false
	switch v := c.Query("preview"); v {
	case "", "0":
	case "1":
		preview = true
	default:
		h.fail(c, model.Fail(packs.InvalidField, "preview", model.Echo(v)).With(model.Fail(packs.WantOneOf, "1", "0")))
		return
	}
	extendDeadlines(c, uploadDeadline)
	limit := min(h.MaxUploadBytes, packs.MaxBaseBytes+64<<10)
	if c.Request.ContentLength > limit {
		h.fail(c, model.Fail(model.UploadTooLarge, limit>>20))
		return
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	form, err := packs.ReceiveGenerate(c.GetHeader("Content-Type"), body, min(packs.MaxBaseBytes, limit))
	if err != nil {
		h.fail(c, err)
		return
	}
	var meta packs.Meta
	if !preview {
		if form.Base == nil {
			h.fail(c, packs.ErrNothingUploaded)
			return
		}
		if meta, err = h.checkMeta(c, form.Fields); err != nil {
			h.fail(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	select {
	case h.generating <- struct{}{}:
		defer func() { <-h.generating }()
	case <-ctx.Done():
		h.fail(c, ctx.Err())
		return
	}
	plan, err := h.Folders.NewPlan(form, packs.PlanOptions{MaxPixels: h.MaxImagePixels, Version: h.Version, Preview: preview})
	if err != nil {
		h.fail(c, err)
		return
	}
	if preview {
		var png bytes.Buffer
		if err := plan.WritePreview(&png); err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-store")
		c.Header("X-Psyx-Seed", strconv.FormatInt(plan.Settings.Seed, 10))
		c.Data(http.StatusOK, "image/png", png.Bytes())
		return
	}
	id, err := h.Folders.Generate(ctx, h.Packs, meta, plan)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.Analysis.Prepare(id)
	text(c, "Pack "+strconv.Itoa(id)+" Added.")
}
