package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// replyJSON is a reply's own fields; the download writes its stored JSON
// (answers, client, events) after them as they are.
type replyJSON struct {
	ID         *int64  `json:"r_id"` // null for an unfinished run
	PackID     int     `json:"p_id"`
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	No         string  `json:"no"`
	Sex        int     `json:"sex"`
	Age        int     `json:"age"`
	Phone      string  `json:"phone"`
	Date       *string `json:"date"` // null for an unfinished run
	Token      *string `json:"token"`
	Completion *string `json:"completion"` // the code the participant was shown
	State      string  `json:"state"`
	Started    *string `json:"started"`
	LastSeen   *string `json:"last_seen,omitempty"`
	Answered   *int    `json:"answered,omitempty"`
	Resumes    *int    `json:"resumes"` // how often the run was resumed
}

type jsonExporter struct {
	h          *Handler
	w          *bufio.Writer
	now        time.Time
	count      int
	unfinished bool // the download includes unfinished runs
	inRuns     bool // the runs' array is open
}

func (e *jsonExporter) contentType() string { return "application/json; charset=utf-8" }

func (e *jsonExporter) head(p *model.PackSummary, unfinished bool) error {
	e.unfinished = unfinished
	b, err := json.Marshal(e.h.packJSON(p))
	if err != nil {
		return fmt.Errorf("encode pack: %w", err)
	}
	// The pack object, left open for its replies.
	e.w.Write(b[:len(b)-1])
	_, err = e.w.WriteString(`,"replies":[`)
	return err
}

func (e *jsonExporter) reply(r *model.Reply) error {
	date := e.h.date(r.CreatedAt)
	out := replyJSON{ID: &r.ID, PackID: r.PackID, Name: r.Name, Email: r.Email, No: r.No, Sex: r.Sex, Age: r.Age,
		Phone: r.Phone, Date: &date, State: string(model.RunFinished), Started: e.h.optDate(r.StartedAt)}
	if r.Token.Valid {
		out.Token = &r.Token.String
	}
	out.Completion = r.Completion
	out.Resumes = &r.Resumes
	return e.object(out, r.Answers, r.Client, r.Clients, r.Events)
}

func (e *jsonExporter) run(r *model.Run) error {
	if !e.inRuns {
		e.openRuns()
	}
	out := replyJSON{PackID: r.PackID, Name: r.Name, Email: r.Email, No: r.No, Sex: r.Sex, Age: r.Age, Phone: r.Phone,
		Token: &r.Token, State: string(r.State(e.now, e.h.AbandonAfter)), Started: e.h.optDate(&r.StartedAt),
		LastSeen: e.h.optDate(&r.LastSeen), Answered: &r.Answered, Resumes: &r.Resumes}
	return e.object(out, r.Answers, r.Client, r.Clients, r.Events)
}

// object writes fields and then the stored JSON: PostgreSQL's jsonb text
// is valid JSON already, so it is written as it comes, not re-validated and
// compacted by json.Marshal (that was three quarters of a download's CPU).
func (e *jsonExporter) object(fields replyJSON, answers, client, clients, events json.RawMessage) error {
	b, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	if e.count > 0 {
		e.w.WriteByte(',')
	}
	e.count++
	e.w.Write(b[:len(b)-1])
	e.w.WriteString(`,"answers":`)
	e.w.Write(answers)
	e.w.WriteString(`,"client":`)
	e.w.Write(orEmptyObject(client))
	e.w.WriteString(`,"clients":`)
	e.w.Write(orEmptyArray(clients))
	e.w.WriteString(`,"events":`)
	e.w.Write(orEmptyObject(events))
	return e.w.WriteByte('}')
}

func (e *jsonExporter) openRuns() {
	e.w.WriteString(`],"unfinished":[`)
	e.inRuns = true
	e.count = 0
}

func (e *jsonExporter) end() error {
	if e.unfinished && !e.inRuns {
		e.openRuns()
	}
	_, err := e.w.WriteString("]}\n")
	return err
}

func orEmptyArray(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage(`[]`)
	}
	return b
}

func orEmptyObject(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage(`{}`)
	}
	return b
}

func (h *Handler) optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := h.date(*t)
	return &s
}
