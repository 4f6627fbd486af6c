package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/store"
)

type replyJSON struct {
	ID     int64  `json:"r_id"`
	PackID int    `json:"p_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	No     string `json:"no"`
	Sex    int    `json:"sex"`
	Age    int    `json:"age"`
	Phone  string `json:"phone"`
	Date   string `json:"date"`
}

// download streams a pack and its replies: rows go from the database cursor
// to the client one at a time, so 10,000 replies need no more memory than 10.
func (h *Handler) download(c *gin.Context) {
	raw := c.Query("id")
	id, err := strconv.Atoi(raw)
	if err != nil || id < 1 {
		h.fail(c, badInput("Pack %s Not Found", clip(raw)))
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		h.fail(c, badInput("Unknown Format %s: use json or csv", clip(format)))
		return
	}
	extendDeadlines(c, downloadDeadline)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	var exp exporter = &jsonExporter{h: h, w: w}
	if format == "csv" {
		exp = &csvExporter{h: h, w: csv.NewWriter(w)}
	}
	started := false
	head := func(p *store.Pack) error {
		started = true
		c.Header("Content-Type", exp.contentType())
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%d.%s"`, id, format))
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		return exp.head(p)
	}
	err = h.Replies.ExportPack(c.Request.Context(), id, head, exp.reply)
	if err == nil {
		err = exp.end()
	}
	if err == nil {
		err = w.Flush()
	}
	switch {
	case err == nil:
	case !started && errors.Is(err, store.ErrPackNotFound):
		h.fail(c, badInput("Pack %d Not Found", id))
	case !started:
		h.fail(c, err)
	default:
		// Half a file must not look like a whole one: cut the connection.
		h.Log.Error("download failed after it started", zap.Int("p_id", id), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}

type exporter interface {
	contentType() string
	head(p *store.Pack) error
	reply(r *store.Reply) error
	end() error
}

type jsonExporter struct {
	h     *Handler
	w     *bufio.Writer
	count int
}

func (e *jsonExporter) contentType() string { return "application/json; charset=utf-8" }

func (e *jsonExporter) head(p *store.Pack) error {
	b, err := json.Marshal(e.h.packJSON(p))
	if err != nil {
		return fmt.Errorf("encode pack: %w", err)
	}
	// The pack object, left open for its replies.
	e.w.Write(b[:len(b)-1])
	_, err = e.w.WriteString(`,"replies":[`)
	return err
}

func (e *jsonExporter) reply(r *store.Reply) error {
	b, err := json.Marshal(replyJSON{ID: r.ID, PackID: r.PackID, Name: r.Name, Email: r.Email, No: r.No,
		Sex: r.Sex, Age: r.Age, Phone: r.Phone, Date: e.h.date(r.CreatedAt)})
	if err != nil {
		return fmt.Errorf("encode reply %d: %w", r.ID, err)
	}
	if e.count > 0 {
		e.w.WriteByte(',')
	}
	e.count++
	// The answers are PostgreSQL's jsonb text, valid JSON already: written
	// as they come, not re-validated and compacted by json.Marshal (that
	// was three quarters of a download's CPU).
	e.w.Write(b[:len(b)-1])
	e.w.WriteString(`,"answers":`)
	e.w.Write(r.Answers)
	return e.w.WriteByte('}')
}

func (e *jsonExporter) end() error {
	_, err := e.w.WriteString("]}\n")
	return err
}

// csvExporter writes one row per trial, the long format rcicr reads.
type csvExporter struct {
	h *Handler
	w *csv.Writer
}

var csvHeader = []string{"r_id", "p_id", "name", "email", "no", "sex", "age", "phone", "date",
	"trial", "pair", "key", "rt", "left", "right", "chosen", "response"}

func (e *csvExporter) contentType() string { return "text/csv; charset=utf-8" }

func (e *csvExporter) head(*store.Pack) error { return e.w.Write(csvHeader) }

func (e *csvExporter) reply(r *store.Reply) error {
	var answers [][4]json.RawMessage
	if err := json.Unmarshal(r.Answers, &answers); err != nil {
		return fmt.Errorf("reply %d: decode answers: %w", r.ID, err)
	}
	person := []string{strconv.FormatInt(r.ID, 10), strconv.Itoa(r.PackID), r.Name, r.Email, r.No,
		strconv.Itoa(r.Sex), strconv.Itoa(r.Age), r.Phone, e.h.date(r.CreatedAt)}
	row := make([]string, 0, len(csvHeader))
	for i, a := range answers {
		var key, left, right string
		json.Unmarshal(a[0], &key)
		json.Unmarshal(a[2], &left)
		json.Unmarshal(a[3], &right)
		pair, chosen, response := trialOutcome(key, left, right)
		row = append(row[:0], person...)
		row = append(row, strconv.Itoa(i+1), pair, key, string(a[1]), left, right, chosen, response)
		if err := e.w.Write(row); err != nil {
			return err
		}
	}
	return e.w.Error()
}

func (e *csvExporter) end() error {
	e.w.Flush()
	return e.w.Error()
}

// trialOutcome derives the pair number, the chosen side and rcicr's
// response (1 = ori chosen, -1 = inv chosen, empty on timeout).
func trialOutcome(key, left, right string) (pair, chosen, response string) {
	lf, _ := packs.ParseFileName(left)
	pair = strconv.Itoa(lf.Pair)
	var picked string
	switch key {
	case "F":
		picked = left
	case "J":
		picked = right
	default:
		return pair, "", ""
	}
	fn, ok := packs.ParseFileName(picked)
	if !ok {
		return pair, "", ""
	}
	if fn.Side == packs.Ori {
		return pair, "ori", "1"
	}
	return pair, "inv", "-1"
}
