package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Run is one participant's pass through a pack, kept from the start so
// that nothing they answered is lost when a tab dies.
type Run struct {
	Token  string `db:"token"`
	PackID int    `db:"p_id"`
	Person
	// Served is the order and sides in which the pairs were shown:
	// [[left, right], ...], trial by trial.
	Served     json.RawMessage `db:"served"`
	Answers    json.RawMessage `db:"answers"`
	Answered   int             `db:"answered"`
	Client     json.RawMessage `db:"client"`
	Events     json.RawMessage `db:"events"`
	StartedAt  time.Time       `db:"started_at"`
	LastSeen   time.Time       `db:"last_seen"`
	FinishedAt *time.Time      `db:"finished_at"`
	ReplyID    *int64          `db:"r_id"`
	// Resume is the code that continues the run on another computer (nil
	// for a run from before resume codes).
	Resume *string `db:"resume"`
	// Clients are the machines the run was seen on, in order; Resumes
	// counts its resumed starts.
	Clients json.RawMessage `db:"clients"`
	Resumes int             `db:"resumes"`
}

// ErrResumeTaken: the resume code drawn for a new run is an unfinished
// run's already; draw another.
var ErrResumeTaken = errors.New("resume code taken")

// RunState is where a run stands.
type RunState string

// The states of a run. A started run has nothing saved; one not seen for
// the abandon time is abandoned whether it saved answers or not.
const (
	RunStarted   RunState = "started"
	RunRunning   RunState = "running"
	RunAbandoned RunState = "abandoned"
	RunFinished  RunState = "finished"
)

// State is the run's state at now.
func (r *Run) State(now time.Time, abandonAfter time.Duration) RunState {
	switch {
	case r.FinishedAt != nil:
		return RunFinished
	case now.Sub(r.LastSeen) >= abandonAfter:
		return RunAbandoned
	case r.Answered == 0:
		return RunStarted
	}
	return RunRunning
}

// NewRun is what a start stores.
type NewRun struct {
	Token  string
	Resume string // XXXX-XXXX
	Person
	Served *Served
	// ServedJSON is Served as file names, the JSON the run keeps.
	ServedJSON json.RawMessage
	Client     json.RawMessage
}

// Served is a run's pack and the order and sides it showed the pairs in,
// compactly: trial i showed pair Order[i]>>1, with its inv file on the
// left when Order[i]&1 is 1. A few hundred bytes a run, so many can be kept.
type Served struct {
	PackID int
	Order  []int32
}

// Trial is where the files shown at trial i sit in the pack: the left one
// and the right one.
func (s *Served) Trial(i int) (left, right FileRef) {
	pair, swapped := int(s.Order[i]>>1), int(s.Order[i]&1)
	return FileRef{Pair: pair, Side: swapped}, FileRef{Pair: pair, Side: 1 - swapped}
}

// AppendJSON appends the served order as [[left, right], ...] file names.
func (s *Served) AppendJSON(b []byte, pack *PackFiles) []byte {
	if len(pack.Pairs) > 0 {
		b = slices.Grow(b, len(s.Order)*(2*len(pack.Pairs[0][0])+8)+2)
	}
	b = append(b, '[')
	for i := range s.Order {
		if i > 0 {
			b = append(b, ',')
		}
		l, r := s.Trial(i)
		b = append(b, '[', '"')
		b = append(b, pack.Pairs[l.Pair][l.Side]...)
		b = append(b, '"', ',', '"')
		b = append(b, pack.Pairs[r.Pair][r.Side]...)
		b = append(b, '"', ']')
	}
	return append(b, ']')
}

// DecodeServed reads a run's stored [[left, right], ...] (what AppendJSON
// wrote) as positions in pack.
func DecodeServed(pack *PackFiles, raw []byte) (*Served, error) {
	if order, ok := scanServed(pack, raw); ok {
		return &Served{PackID: pack.ID, Order: order}, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("decode served order: %w", err)
	}
	sv := &Served{PackID: pack.ID, Order: make([]int32, len(pairs))}
	for i, p := range pairs {
		left, ok := pack.File([]byte(p[0]))
		if !ok {
			return nil, fmt.Errorf("served order: %q is not a file of pack %d", p[0], pack.ID)
		}
		sv.Order[i] = int32(left.Pair<<1 | left.Side)
	}
	return sv, nil
}
