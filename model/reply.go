package model

import (
	"database/sql"
	"encoding/json"
	"time"
)

// Person is the personal part of a start, a run and a reply.
type Person struct {
	Name  string `db:"name"`
	Email string `db:"email"`
	No    string `db:"no"`
	Sex   int    `db:"sex"`
	Age   int    `db:"age"`
	Phone string `db:"phone"`
}

// Reply is one participant's finished answers to a pack.
type Reply struct {
	ID     int64 `db:"r_id"`
	PackID int   `db:"p_id"`
	Person
	// Answers is a JSON array of [key, rt, left, right], as checked and
	// normalised by the API (rt rounded to the millisecond).
	Answers   json.RawMessage `db:"answers"`
	Token     sql.NullString  `db:"token"`
	Client    json.RawMessage `db:"client"`
	Events    json.RawMessage `db:"events"`
	CreatedAt time.Time       `db:"created_at"`
	// StartedAt is when the run that became this reply started; nil for a
	// reply submitted without a run (before this release).
	StartedAt *time.Time `db:"started_at"`
	// Clients and Resumes are the run's: every machine it was seen on, how
	// often it was resumed.
	Clients json.RawMessage `db:"clients"`
	Resumes int             `db:"resumes"`
	// Completion is the code the participant was shown (nil for a reply
	// without a run).
	Completion *string `db:"completion"`
}

// Events are what the experiment page counts while a run goes on; each is
// cumulative, so of two reports the larger count is the later one (the
// store keeps the larger).
type Events struct {
	Blur     int `json:"blur"`
	HiddenMS int `json:"hidden_ms"`
	Resized  int `json:"resized"`
}

// Completed is a finished reply found by the completion code its
// participant was shown.
type Completed struct {
	ReplyID  int64     `db:"r_id"`
	PackID   int       `db:"p_id"`
	PackName string    `db:"pack_name"`
	Name     string    `db:"name"`
	No       string    `db:"no"`
	Finished time.Time `db:"created_at"`
}
