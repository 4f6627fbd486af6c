package api

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
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

// Analysis computes classification images, quality tables and the
// statistics of reliability and comparison.
type Analysis interface {
	GroupCI(ctx context.Context, id int, sel analysis.Selection, th results.Thresholds) (*analysis.Image, error)
	GroupPNG(ctx context.Context, id int, sel analysis.Selection, th results.Thresholds, anti bool,
		sc results.Scaling, constant float64) (*analysis.Image, []byte, float64, error)
	ReplyCI(ctx context.Context, id int, rid int64) (*analysis.Image, error)
	ReplyCIs(ctx context.Context, id int, sel analysis.Selection, th results.Thresholds) (*analysis.ReplyCIs, error)
	Quality(ctx context.Context, id int, th results.Thresholds, sel analysis.Selection) (*analysis.QualityTable, error)
	Reliability(ctx context.Context, id int, sel analysis.Selection, th results.Thresholds) (*analysis.Reliability, error)
	Compare(ctx context.Context, req analysis.CompareRequest, th results.Thresholds) (*analysis.Comparison, error)
	CompareProgress(ctx context.Context, req analysis.CompareRequest, th results.Thresholds) (int, bool, bool, error)
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
	anti     bool
	sel      analysis.Selection
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
	if q.sel, err = selectionParam(c); err != nil {
		return q, err
	}
	q.anti = c.Query("anti") == "1"
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

// ci answers a classification image: the pack's group CI (over the
// replies the selection keeps) or one reply's, or its anti-CI, drawn on the
// base face (PNG), raw (CSV), or every reply's PNG in a zip.
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
		h.ciZip(c, q, pack)
		return
	}
	var im *analysis.Image
	var png []byte
	var constant float64
	switch {
	case q.rid > 0:
		if im, err = h.Analysis.ReplyCI(ctx, q.id, q.rid); err == nil && q.anti {
			im = im.Anti()
		}
		if err == nil && q.format == "png" {
			png, constant, err = im.PNG(q.scaling, q.constant)
		}
	case q.format == "png":
		im, png, constant, err = h.Analysis.GroupPNG(ctx, q.id, q.sel, h.Quality, q.anti, q.scaling, q.constant)
	default:
		if im, err = h.Analysis.GroupCI(ctx, q.id, q.sel, h.Quality); err == nil && q.anti {
			im = im.Anti()
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	name := fmt.Sprintf("%s-%d", pack.Name, pack.ID)
	if q.rid > 0 {
		name += fmt.Sprintf("-r%d", q.rid)
	}
	if name += "-ci"; q.anti {
		name += "-anti"
	}
	h.provenance(c, im.Provenance)
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
	scalingHeaders(c, q.scaling, constant)
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s.png"`, name))
	c.Data(http.StatusOK, "image/png", png)
}

// scalingHeaders say how a drawn CI was scaled.
func scalingHeaders(c *gin.Context, sc results.Scaling, constant float64) {
	c.Header("X-Psyx-Scaling", map[results.Scaling]string{results.Independent: "independent", results.Constant: "constant"}[sc])
	c.Header("X-Psyx-Scaling-Constant", strconv.FormatFloat(constant, 'g', -1, 64))
}

// manifest is what the zip of every reply's CI says of itself.
type manifest struct {
	Pack         string             `json:"pack"`
	PackID       int                `json:"p_id"`
	Replies      []int64            `json:"replies"`    // the r_ids of the images, in order
	Excluded     []int64            `json:"excluded"`   // left out by the selection (&exclude=)
	Unanswered   []int64            `json:"unanswered"` // in, but without an answered trial: no image
	Scaling      string             `json:"scaling"`
	Constant     float64            `json:"constant,omitempty"` // the constant given; independent: each image's own, in its file name
	Anti         bool               `json:"anti"`
	InfoValSeed  int                `json:"infoval_seed"`
	PsyxVersion  string             `json:"psyx_version"`
	ImageScaling map[string]float64 `json:"image_constants"` // file → the constant used
}

// ciZip streams every reply's CI as a PNG, one file per reply, and a
// manifest.json of what went into them.
func (h *Handler) ciZip(c *gin.Context, q ciRequest, pack *model.PackFiles) {
	ctx := c.Request.Context()
	cis, err := h.Analysis.ReplyCIs(ctx, q.id, q.sel, h.Quality)
	if err != nil {
		h.fail(c, err)
		return
	}
	var zw *zip.Writer
	m := manifest{Pack: pack.Name, PackID: pack.ID, Replies: []int64{}, Excluded: orEmpty(cis.Excluded), Unanswered: []int64{},
		Anti:     q.anti,
		Scaling:  map[results.Scaling]string{results.Independent: "independent", results.Constant: "constant"}[q.scaling],
		Constant: q.constant, InfoValSeed: pack.ID, PsyxVersion: h.Version, ImageScaling: map[string]float64{}}
	err = cis.Each(ctx, func(r *model.Reply, im *analysis.Image) error {
		if q.anti {
			im = im.Anti()
		}
		png, constant, err := im.PNG(q.scaling, q.constant)
		if err != nil {
			return err
		}
		if zw == nil {
			c.Header("Content-Type", "application/zip")
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-ci.zip"`, pack.Name, pack.ID))
			c.Header("Cache-Control", "no-store")
			c.Header("X-Psyx-Version", h.Version)
			c.Header("X-Psyx-Excluded", joinIDs(cis.Excluded))
			c.Status(http.StatusOK)
			zw = zip.NewWriter(c.Writer)
		}
		file := fmt.Sprintf("%s-r%d.png", pack.Name, r.ID)
		m.Replies = append(m.Replies, r.ID)
		m.ImageScaling[file] = constant
		f, err := zw.CreateHeader(&zip.FileHeader{Name: file, Method: zip.Store, Modified: r.CreatedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(png) // PNGs are compressed already
		return err
	}, func(rid int64) { m.Unanswered = append(m.Unanswered, rid) })
	if err == nil && zw == nil {
		err = model.Fail(model.NoReplies, q.id)
	}
	if err == nil {
		err = writeManifest(zw, &m)
	}
	if err == nil {
		err = zw.Close()
	}
	switch {
	case err == nil:
	case zw == nil:
		h.fail(c, err)
	default:
		h.Log.Error("CI zip failed after it started", zap.Int("p_id", q.id), zap.Int("images", len(m.Replies)), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}

func writeManifest(zw *zip.Writer, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := zw.Create("manifest.json")
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return err
}
