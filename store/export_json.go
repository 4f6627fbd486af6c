package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/psyx-lab/psyx/model"
)

// The JSON download's rows are made by PostgreSQL: each reply and each
// unfinished run is one object, row_to_json of its fields in the README's
// order, dates in the service's time zone, the stored JSON (answers,
// client, clients, events) as stored. The service copies that text out
// without reading it, so a download costs about what psql costs to print
// the same rows, where encoding each row in Go cost as much again.

// date is the API's date (Handler.date) of a timestamptz column:
// YYYY-MM-DD HH:MM:SS in the zone $2, fractions of a second dropped as Go's
// Format drops them.
const (
	createdDate  = `to_char(x.created_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS')`
	startedDate  = `to_char(x.started_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS')`
	lastSeenDate = `to_char(x.last_seen AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS')`
)

// RepliesJSON reads a pack's replies as the download's objects, by r_id:
// $1 the pack, $2 the time zone. A reply from before runs has null token,
// completion and started. Exported for the benchmark harness, whose psql
// baseline prints the same rows with the same query.
const RepliesJSON = `
SELECT row_to_json(o) FROM reply x CROSS JOIN LATERAL (
    SELECT x.r_id, x.p_id, x.name, x.email, x.no, x.sex, x.age, x.phone, ` + createdDate + ` AS date,
           x.token, x.completion, 'finished' AS state, ` + startedDate + ` AS started,
           x.resumes, x.answers, x.client, x.clients, x.events) o
WHERE x.p_id = $1 ORDER BY x.r_id`

// runsJSON reads a pack's unfinished runs as the download's objects, by
// start: the reply's fields (r_id, date and completion null) and the run's
// state, last_seen and answered; $3 is the cut: a run last seen at or
// before it is abandoned (model.Run.State).
const runsJSON = `
SELECT row_to_json(o) FROM run x CROSS JOIN LATERAL (
    SELECT NULL::bigint AS r_id, x.p_id, x.name, x.email, x.no, x.sex, x.age, x.phone, NULL::text AS date,
           x.token, NULL::text AS completion,
           CASE WHEN x.last_seen <= $3 THEN 'abandoned' WHEN x.answered = 0 THEN 'started' ELSE 'running' END AS state,
           ` + startedDate + ` AS started, ` + lastSeenDate + ` AS last_seen,
           x.answered, x.resumes, x.answers, x.client, x.clients, x.events) o
WHERE x.p_id = $1 AND x.finished_at IS NULL ORDER BY x.started_at, x.token`

// ExportPackJSON is ExportPack for the JSON download: the pack, then each
// reply (and, when e.Unfinished is set, each unfinished run) as the JSON
// object PostgreSQL made of it, dates in zone (an IANA name, as time_zone
// is). The bytes are valid only during the call that receives them. An
// unknown id is "Pack <id> Not Found"; a zone PostgreSQL does not know
// fails before Head.
func (s *Store) ExportPackJSON(ctx context.Context, id int, now time.Time, abandonAfter time.Duration, zone string, e model.ExportJSON) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export pack %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT now() AT TIME ZONE $1`, zone); err != nil {
		return fmt.Errorf("export pack %d: time zone %q: %w", id, zone, err)
	}
	p, err := packSummary(ctx, tx, id, now, abandonAfter)
	if err != nil {
		return err
	}
	if err := e.Head(p); err != nil {
		return err
	}
	if err := eachObject(ctx, tx, e.Reply, RepliesJSON, id, zone); err != nil {
		return fmt.Errorf("export pack %d: replies: %w", id, err)
	}
	if e.Unfinished != nil {
		// Last seen at or before the cut: abandoned. last_seen has
		// microseconds, so cutting there decides as Go's nanoseconds would.
		cut := now.Add(-abandonAfter).Truncate(time.Microsecond)
		if err := eachObject(ctx, tx, e.Unfinished, runsJSON, id, zone, cut); err != nil {
			return fmt.Errorf("export pack %d: runs: %w", id, err)
		}
	}
	return tx.Commit()
}

// eachObject hands fn each row's JSON as lib/pq read it: a json column
// arrives as the bytes of its message, which sql.RawBytes passes on without
// a copy.
func eachObject(ctx context.Context, tx *sqlx.Tx, fn func([]byte) error, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var obj sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&obj); err != nil {
			return err
		}
		if err := fn(obj); err != nil {
			return err
		}
	}
	return rows.Err()
}
