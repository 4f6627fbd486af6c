package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"time"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/trials"
)

// csvExporter writes one row per trial, the long format rcicr reads.
type csvExporter struct {
	h    *Handler
	w    *csv.Writer
	now  time.Time
	pack *model.PackFiles
	row  []string
}

func newCSVExporter(h *Handler, w *bufio.Writer, now time.Time, pack *model.PackFiles) *csvExporter {
	return &csvExporter{h: h, w: csv.NewWriter(w), now: now, pack: pack, row: make([]string, 0, len(csvHeader))}
}

// csvHeader: the person, the trial (trials.CSVColumns), the run.
var csvHeader = append(append([]string{"r_id", "p_id", "name", "email", "no", "sex", "age", "phone", "date", "trial"},
	trials.CSVColumns...), "state", "started", "client_window", "completion")

func (e *csvExporter) head() error { return e.w.Write(csvHeader) }

func (e *csvExporter) reply(r *model.Reply) error {
	person := []string{strconv.FormatInt(r.ID, 10), strconv.Itoa(r.PackID), csvText(r.Name), csvText(r.Email), csvText(r.No),
		strconv.Itoa(r.Sex), strconv.Itoa(r.Age), csvText(r.Phone), e.h.date(r.CreatedAt)}
	started, code := "", ""
	if r.StartedAt != nil {
		started = e.h.date(*r.StartedAt)
	}
	if r.Completion != nil {
		code = *r.Completion
	}
	return e.trials(person, r.Answers, string(model.RunFinished), started, r.Client, code)
}

func (e *csvExporter) run(r *model.Run) error {
	person := []string{"", strconv.Itoa(r.PackID), csvText(r.Name), csvText(r.Email), csvText(r.No), strconv.Itoa(r.Sex),
		strconv.Itoa(r.Age), csvText(r.Phone), ""}
	return e.trials(person, r.Answers, string(r.State(e.now, e.h.AbandonAfter)), e.h.date(r.StartedAt), r.Client, "")
}

func (e *csvExporter) trials(person []string, answers json.RawMessage, state, started string, client json.RawMessage, code string) error {
	ts, err := trials.Decode(answers, e.pack)
	if err != nil {
		return err
	}
	window := clientWindow(client)
	for i, t := range ts {
		e.row = append(append(e.row[:0], person...), strconv.Itoa(i+1))
		e.row = append(trials.CSVFields(e.row, t, e.pack, csvText), state, started, window, code)
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
