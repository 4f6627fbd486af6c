package api

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/results"
)

// Analysis computes classification images and quality tables.
type Analysis interface {
	GroupCI(ctx context.Context, id int) (*analysis.Image, error)
	GroupPNG(ctx context.Context, id int, sc results.Scaling, constant float64) (*analysis.Image, []byte, float64, error)
	ReplyCI(ctx context.Context, id int, rid int64) (*analysis.Image, error)
	EachReplyCI(ctx context.Context, id int, fn func(r *model.Reply, im *analysis.Image) error) error
	Quality(ctx context.Context, id int, th results.Thresholds) (*analysis.QualityTable, error)
	Prepare(id int)
	Forget(id int)
}

// ciRequest is what a CI request asks for.
type ciRequest struct {
	id       int
	rid      int64 // 0: the group CI
	format   string
	scaling  results.Scaling
	constant float64
}

func parseCIRequest(c *gin.Context) (ciRequest, error) {
	var q ciRequest
	var err error
	if q.id, err = packIDParam(c, "id"); err != nil {
		return q, err
	}
	if q.rid, err = replyIDParam(c); err != nil {
		return q, err
	}
	if q.format, err = formatParam(c, "png", "csv", "zip"); err != nil {
		return q, err
	}
	raw := c.DefaultQuery("scaling", "independent")
	if q.scaling, err = results.ParseScaling(raw); err != nil {
		return q, model.Fail(unknownScaling, model.Echo(raw))
	}
	if q.scaling == results.Constant {
		raw := c.Query("constant")
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return q, model.Fail(badConstant, model.Echo(raw))
		}
		q.constant = v
	}
	return q, nil
}

// ci answers a classification image: the pack's group CI or one reply's,
// drawn on the base face (PNG), raw (CSV), or every reply's PNG in a zip.
func (h *Handler) ci(c *gin.Context) {
	q, err := parseCIRequest(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	extendDeadlines(c, downloadDeadline)
	ctx := c.Request.Context()
	pack, err := h.Packs.PackFiles(ctx, q.id)
	if err != nil {
		h.fail(c, err) // a database that does not answer is ours: 500
		return
	}
	if q.format == "zip" {
		h.ciZip(c, q, pack.Name)
		return
	}
	var im *analysis.Image
	var png []byte
	var constant float64
	switch {
	case q.rid > 0:
		im, err = h.Analysis.ReplyCI(ctx, q.id, q.rid)
		if err == nil && q.format == "png" {
			png, constant, err = im.PNG(q.scaling, q.constant)
		}
	case q.format == "png":
		im, png, constant, err = h.Analysis.GroupPNG(ctx, q.id, q.scaling, q.constant)
	default:
		im, err = h.Analysis.GroupCI(ctx, q.id)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	name := pack.Name + "-ci"
	if q.rid > 0 {
		name = fmt.Sprintf("%s-r%d-ci", pack.Name, q.rid)
	}
	c.Header("X-Psyx-Replies", strconv.Itoa(im.CI.Replies))
	c.Header("Cache-Control", "no-store")
	if q.format == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
		c.Status(http.StatusOK)
		w := bufio.NewWriterSize(c.Writer, 64<<10)
		err := im.WriteCSV(w)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			h.Log.Error("CI CSV failed after it started", zap.Int("p_id", q.id), zap.Error(err))
			panic(http.ErrAbortHandler)
		}
		return
	}
	c.Header("X-Psyx-Scaling-Constant", strconv.FormatFloat(constant, 'g', -1, 64))
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s.png"`, name))
	c.Data(http.StatusOK, "image/png", png)
}

// ciZip streams every reply's CI as a PNG, one file per reply.
func (h *Handler) ciZip(c *gin.Context, q ciRequest, packName string) {
	var zw *zip.Writer
	n := 0
	err := h.Analysis.EachReplyCI(c.Request.Context(), q.id, func(r *model.Reply, im *analysis.Image) error {
		png, _, err := im.PNG(q.scaling, q.constant)
		if err != nil {
			return err
		}
		if zw == nil {
			c.Header("Content-Type", "application/zip")
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-ci.zip"`, packName))
			c.Header("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			zw = zip.NewWriter(c.Writer)
		}
		n++
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%s-r%d.png", packName, r.ID), Method: zip.Store,
			Modified: r.CreatedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(png) // PNGs are compressed already
		return err
	})
	if err == nil && zw == nil {
		err = model.Fail(model.NoReplies, q.id)
	}
	if err == nil {
		err = zw.Close()
	}
	switch {
	case err == nil:
	case zw == nil:
		h.fail(c, err)
	default:
		h.Log.Error("CI zip failed after it started", zap.Int("p_id", q.id), zap.Int("images", n), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}
