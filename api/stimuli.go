package api

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/stimuli"
)

// stimuli answers what a generated pack was made with: its settings (JSON),
// its parameters (format=csv, rcicr's trial,p1…pK) or its base as used
// (format=base, a 16-bit grey PNG).
func (h *Handler) stimuli(c *gin.Context) {
	id, format, err := packFormatParams(c, "json", "csv", "base")
	if err != nil {
		h.fail(c, err)
		return
	}
	pack, err := h.Packs.PackFiles(c.Request.Context(), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	noParameters := func(err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return model.Fail(model.NoParameters, id)
		}
		return err
	}
	c.Header("Cache-Control", "no-store")
	if format == "json" {
		settings, err := h.Folders.ReadStimuliSettings(pack.Name)
		if err != nil {
			h.fail(c, noParameters(err))
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%d-stimuli.json"`, pack.Name, id))
		c.JSON(http.StatusOK, settings)
		return
	}
	st, err := h.Folders.ReadStimuli(pack.Name)
	if err != nil {
		h.fail(c, noParameters(err))
		return
	}
	file := fmt.Sprintf("%s-%d", pack.Name, id)
	if format == "base" {
		var png bytes.Buffer
		if err := stimuli.EncodeBase16(&png, st.Base, st.Settings.ImgSize); err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-base.png"`, file))
		c.Data(http.StatusOK, "image/png", png.Bytes())
		return
	}
	extendDeadlines(c, downloadDeadline)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-params.csv"`, file))
	c.Status(http.StatusOK)
	if err := stimuli.WriteParamsCSV(c.Writer, st.Params, st.Settings.Trials, packs.NParams(st.Settings.NScales)); err != nil {
		// Half a file must not look like a whole one: cut the connection.
		h.Log.Error("parameters download failed after it started", zap.Int("p_id", id), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}
