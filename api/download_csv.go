package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
)

// csvExporter writes one row per trial, the long format rcicr reads.
type csvExporter struct {
	h   *Handler
	w   *csv.Writer
	now time.Time
	row []string
}

func newCSVExporter(h *Handler, w *bufio.Writer, now time.Time) *csvExporter {
	return &csvExporter{h: h, w: csv.NewWriter(w), now: now, row: make([]string, 0, len(csvHeader))}
}

var csvHeader = []string{"r_id", "p_id", "name", "email", "no", "sex", "age", "phone", "date",
	"trial", "pair", "key", "rt", "left", "right", "chosen", "response", "state", "started", "client_window"}

func (e *csvExporter) contentType() string { return "text/csv; charset=utf-8" }

func (e *csvExporter) head(*model.PackSummary, bool) error { return e.w.Write(csvHeader) }

func (e *csvExporter) reply(r *model.Reply) error {
	person := []string{strconv.FormatInt(r.ID, 10), strconv.Itoa(r.PackID), r.Name, r.Email, r.No,
		strconv.Itoa(r.Sex), strconv.Itoa(r.Age), r.Phone, e.h.date(r.CreatedAt)}
	started := ""
	if r.StartedAt != nil {
		started = e.h.date(*r.StartedAt)
	}
	return e.trials(person, r.Answers, string(model.RunFinished), started, r.Client)
}

func (e *csvExporter) run(r *model.Run) error {
	person := []string{"", strconv.Itoa(r.PackID), r.Name, r.Email, r.No, strconv.Itoa(r.Sex), strconv.Itoa(r.Age), r.Phone, ""}
	return e.trials(person, r.Answers, string(r.State(e.now, e.h.RunRules.AbandonAfter)), e.h.date(r.StartedAt), r.Client)
}

func (e *csvExporter) trials(person []string, answers json.RawMessage, state, started string, client json.RawMessage) error {
	var list [][4]json.RawMessage
	if err := json.Unmarshal(answers, &list); err != nil {
		return fmt.Errorf("decode answers: %w", err)
	}
	window := clientWindow(client)
	for i, a := range list {
		var key, left, right string
		json.Unmarshal(a[0], &key)
		json.Unmarshal(a[2], &left)
		json.Unmarshal(a[3], &right)
		pair, chosen, response := trialOutcome(key, left, right)
		e.row = append(append(e.row[:0], person...),
			strconv.Itoa(i+1), pair, key, string(a[1]), left, right, chosen, response, state, started, window)
		if err := e.w.Write(e.row); err != nil {
			return err
		}
	}
	return e.w.Error()
}

func (e *csvExporter) end() error {
	e.w.Flush()
	return e.w.Error()
}

// clientWindow is the participant's window as WxH, or empty.
func clientWindow(client json.RawMessage) string {
	var c struct {
		W *float64 `json:"window_w"`
		H *float64 `json:"window_h"`
	}
	if json.Unmarshal(client, &c) != nil || c.W == nil || c.H == nil {
		return ""
	}
	return strconv.FormatFloat(*c.W, 'f', -1, 64) + "x" + strconv.FormatFloat(*c.H, 'f', -1, 64)
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
	if fn.Side == model.Ori {
		return pair, "ori", "1"
	}
	return pair, "inv", "-1"
}
