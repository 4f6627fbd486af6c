package api

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/psyx-lab/psyx/model"
)

// jsonDownload writes {pack fields, "replies":[...], "unfinished":[...]}:
// the pack's fields are encoded here, each reply and run is the object
// PostgreSQL made (store.ExportPackJSON), written as it came.
type jsonDownload struct {
	h          *Handler
	w          *bufio.Writer
	count      int  // objects written in the open array
	unfinished bool // the download includes unfinished runs
	inRuns     bool // the runs' array is open
}

func (d *jsonDownload) head(p *model.PackSummary) error {
	b, err := json.Marshal(d.h.packJSON(p))
	if err != nil {
		return fmt.Errorf("encode pack: %w", err)
	}
	// The pack object, left open for its replies.
	d.w.Write(b[:len(b)-1])
	_, err = d.w.WriteString(`,"replies":[`)
	return err
}

func (d *jsonDownload) reply(obj []byte) error {
	if d.count > 0 {
		d.w.WriteByte(',')
	}
	d.count++
	_, err := d.w.Write(obj)
	return err
}

func (d *jsonDownload) run(obj []byte) error {
	if !d.inRuns {
		d.openRuns()
	}
	return d.reply(obj)
}

func (d *jsonDownload) openRuns() {
	d.w.WriteString(`],"unfinished":[`)
	d.inRuns = true
	d.count = 0
}

func (d *jsonDownload) end() error {
	if d.unfinished && !d.inRuns {
		d.openRuns()
	}
	_, err := d.w.WriteString("]}\n")
	return err
}
