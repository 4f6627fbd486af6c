package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
)

// packJSON is a pack as the list and the download show it.
type packJSON struct {
	ID        int     `json:"p_id"`
	Name      string  `json:"pack_name"`
	Sex       int     `json:"sex"`
	AgeMin    int     `json:"age_min"`
	AgeMax    int     `json:"age_max"`
	Size      int     `json:"size"`
	Count     int     `json:"count"`
	Date      string  `json:"date"`
	Running   int     `json:"running"`
	Abandoned int     `json:"abandoned"`
	Last      *string `json:"last"` // the newest reply's date, null without replies
}

func (h *Handler) packJSON(p *model.PackSummary) packJSON {
	out := packJSON{ID: p.ID, Name: p.Name, Sex: p.Sex, AgeMin: p.AgeMin, AgeMax: p.AgeMax, Size: p.Size,
		Count: p.Count, Date: h.date(p.CreatedAt), Running: p.Running, Abandoned: p.Abandoned}
	if p.LastReply != nil {
		last := h.date(*p.LastReply)
		out.Last = &last
	}
	return out
}

func (h *Handler) listPacks(c *gin.Context) {
	list, err := h.Packs.ListPacks(c.Request.Context(), h.Now(), h.AbandonAfter)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]packJSON, len(list))
	for i := range list {
		out[i] = h.packJSON(&list[i])
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// createPack receives a pack upload into a staging folder and registers it.
func (h *Handler) createPack(c *gin.Context) {
	extendDeadlines(c, uploadDeadline)
	// Refuse a declared oversize body before reading any of it.
	if c.Request.ContentLength > h.MaxUploadBytes {
		h.fail(c, model.Fail(model.UploadTooLarge, h.MaxUploadBytes>>20))
		return
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, h.MaxUploadBytes)
	up, meta, err := h.Folders.Receive(c.GetHeader("Content-Type"), body, func(fields map[string]string) (packs.Meta, error) {
		return h.checkMeta(c, fields)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	defer up.Discard()
	id, err := packs.Register(c.Request.Context(), h.Packs, meta, up)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.Analysis.Prepare(id)
	text(c, "Pack "+strconv.Itoa(id)+" Added.")
}

func (h *Handler) checkMeta(c *gin.Context, form map[string]string) (packs.Meta, error) {
	meta, err := packs.ParseMeta(form["pack_name"], form["sex"], form["age_min"], form["age_max"])
	if err != nil {
		return meta, err
	}
	taken, err := h.Packs.PackNameTaken(c.Request.Context(), meta.Name)
	if err != nil {
		return meta, err
	}
	if taken {
		return meta, model.Fail(model.PackExisted)
	}
	return meta, nil
}

func (h *Handler) removePack(c *gin.Context) {
	id, err := packIDParam(c, "id")
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.Packs.DeletePack(c.Request.Context(), id, h.Folders); err != nil {
		h.fail(c, err)
		return
	}
	h.Analysis.Forget(id)
	text(c, "Pack "+strconv.Itoa(id)+" Deleted.")
}
