package model

import (
	"encoding/json"
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
}

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

// NewRun is what a start stores or resumes.
type NewRun struct {
	Token  string
	PackID int
	Person
	Served json.RawMessage
	Client json.RawMessage
}

// Served is a run's pack and the order and sides it showed the pairs in,
// trial by trial: element 0 of each pair was on the left.
type Served struct {
	PackID int
	Pairs  []Pair
}
