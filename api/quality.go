package api

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/model"
)

// qualityRow is a reply's row as the quality table shows it; a value that
// is undefined (no answered trial, say) is null.
type qualityRow struct {
	ReplyID     int64    `json:"r_id"`
	Name        string   `json:"name"`
	No          string   `json:"no"`
	Date        string   `json:"date"`
	Answered    int      `json:"answered"`
	Timeouts    int      `json:"timeouts"`
	TimeoutRate *float64 `json:"timeout_rate"`
	FastRate    *float64 `json:"fast_rate"`
	RTMedian    *float64 `json:"rt_median"`
	RTCV        *float64 `json:"rt_cv"`
	LeftRate    *float64 `json:"left_rate"`
	OriRate     *float64 `json:"ori_rate"`
	InfoVal     *float64 `json:"infoval"`
	Blur        int      `json:"blur"`
	HiddenMS    int      `json:"hidden_ms"`
	Flags       []string `json:"flags"`
}

type rtHistogram struct {
	BinMS  int   `json:"bin_ms"`
	Counts []int `json:"counts"`
}

type qualityJSON struct {
	PackID      int          `json:"p_id"`
	Pairs       int          `json:"pairs"`
	Replies     []qualityRow `json:"replies"`
	RTHistogram rtHistogram  `json:"rt_histogram"`
}

func number(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// quality answers a pack's data-quality table, one row per reply.
func (h *Handler) quality(c *gin.Context) {
	id, err := packIDParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		h.fail(c, model.Errorf(model.Invalid, "Unknown Format %s: use json or csv", model.Echo(format)))
		return
	}
	extendDeadlines(c, downloadDeadline)
	t, err := h.Results.Quality(c.Request.Context(), id, h.Quality)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := qualityJSON{PackID: t.PackID, Pairs: t.Pairs, Replies: make([]qualityRow, len(t.Rows)),
		RTHistogram: rtHistogram{BinMS: 100, Counts: t.RTHistogram}}
	for i, r := range t.Rows {
		out.Replies[i] = qualityRow{ReplyID: r.ReplyID, Name: r.Name, No: r.No, Date: h.date(r.Date),
			Answered: r.Answered, Timeouts: r.Timeouts, TimeoutRate: number(r.TimeoutRate), FastRate: number(r.FastRate),
			RTMedian: number(r.RTMedian), RTCV: number(r.RTCV), LeftRate: number(r.LeftRate), OriRate: number(r.OriRate),
			InfoVal: number(r.InfoVal), Blur: r.Blur, HiddenMS: r.HiddenMS, Flags: r.Flags}
	}
	c.Header("Cache-Control", "no-store")
	if format == "json" {
		c.JSON(http.StatusOK, out)
		return
	}
	h.qualityCSV(c, out)
}

var qualityHeader = []string{"r_id", "name", "no", "date", "answered", "timeouts", "timeout_rate", "fast_rate",
	"rt_median", "rt_cv", "left_rate", "ori_rate", "infoval", "blur", "hidden_ms", "flags"}

func (h *Handler) qualityCSV(c *gin.Context, t qualityJSON) {
	pack, err := h.Packs.PackFiles(c.Request.Context(), t.PackID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-quality.csv"`, pack.Name, pack.ID))
	c.Status(http.StatusOK)
	if c.Query("bom") == "1" {
		c.Writer.WriteString("\ufeff")
	}
	w := csv.NewWriter(c.Writer)
	w.Write(qualityHeader)
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', 6, 64)
	}
	for _, r := range t.Replies {
		w.Write([]string{strconv.FormatInt(r.ReplyID, 10), r.Name, r.No, r.Date, strconv.Itoa(r.Answered),
			strconv.Itoa(r.Timeouts), num(r.TimeoutRate), num(r.FastRate), num(r.RTMedian), num(r.RTCV),
			num(r.LeftRate), num(r.OriRate), num(r.InfoVal), strconv.Itoa(r.Blur), strconv.Itoa(r.HiddenMS),
			strings.Join(r.Flags, " ")})
	}
	w.Flush()
}
