package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// exported is what ExportPackJSON handed over, decoded.
type exported struct {
	head       *model.PackSummary
	replies    []map[string]any
	unfinished []map[string]any
}

func exportJSON(t *testing.T, st interface {
	ExportPackJSON(context.Context, int, time.Time, time.Duration, string, model.ExportJSON) error
}, id int, now time.Time, zone string) (*exported, error) {
	t.Helper()
	var out exported
	decode := func(into *[]map[string]any) func([]byte) error {
		return func(obj []byte) error {
			var m map[string]any
			if err := json.Unmarshal(obj, &m); err != nil {
				t.Fatalf("not JSON: %v: %s", err, obj)
			}
			*into = append(*into, m)
			return nil
		}
	}
	err := st.ExportPackJSON(context.Background(), id, now, 30*time.Minute, zone, model.ExportJSON{
		Head:       func(p *model.PackSummary) error { out.head = p; return nil },
		Reply:      decode(&out.replies),
		Unfinished: decode(&out.unfinished),
	})
	return &out, err
}

// PostgreSQL writes the dates Go would (Handler.date: the zone's wall
// clock, seconds truncated), across a daylight-saving change and at the
// last microsecond of a second, and the state model.Run.State gives, up to
// the microsecond of the abandon cut.
func TestExportJSONDatesAndStates(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	np := pack("female20s", 2, 20, 29, 2)
	id := createPack(t, st, np)
	zone := "America/New_York"
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-08 02:00 EST becomes 03:00 EDT; 2026-11-01 02:00 EDT becomes 01:00 EST.
	moments := []time.Time{
		time.Date(2026, 3, 8, 6, 59, 59, 999999000, time.UTC),
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 6, 30, 0, 500000000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for _, m := range moments {
		if _, err := st.DB().Exec(`INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, created_at, started_at)
VALUES ($1, '홍길동', 'a@example.com', 'a1', 2, 25, '010-1234-5678', '[]', $2, $2)`, id, m); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(time.Hour)
	// Runs last seen just inside, exactly at and just past the abandon cut.
	cut := now.Add(-30 * time.Minute)
	seen := map[string]time.Time{"run-inside": cut.Add(time.Microsecond), "run-at-cut": cut, "run-beyond": cut.Add(-time.Microsecond)}
	for token, at := range seen {
		if _, err := st.CreateRun(ctx, newRun(t, np, id, person(1), token), at.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec(`UPDATE run SET last_seen = $2, answered = 1, answers = $3 WHERE token = $1`,
			token, at, string(answers(np, 1, "F"))); err != nil {
			t.Fatal(err)
		}
	}
	got, err := exportJSON(t, st, id, now, zone)
	if err != nil {
		t.Fatal(err)
	}
	if got.head == nil || got.head.ID != id || len(got.replies) != len(moments) || len(got.unfinished) != 3 {
		t.Fatalf("head %+v, %d replies, %d runs", got.head, len(got.replies), len(got.unfinished))
	}
	for i, m := range moments {
		want := m.In(loc).Format("2006-01-02 15:04:05")
		if got.replies[i]["date"] != want || got.replies[i]["started"] != want {
			t.Errorf("%v: date %v, started %v, want %s", m, got.replies[i]["date"], got.replies[i]["started"], want)
		}
	}
	for _, r := range got.unfinished {
		token := r["token"].(string)
		run := model.Run{LastSeen: seen[token], Answered: 1}
		if want := string(run.State(now, 30*time.Minute)); r["state"] != want {
			t.Errorf("%s: state %v, want %s", token, r["state"], want)
		}
		if want := seen[token].In(loc).Format("2006-01-02 15:04:05"); r["last_seen"] != want {
			t.Errorf("%s: last_seen %v, want %s", token, r["last_seen"], want)
		}
	}
}

// A zone PostgreSQL does not know fails before anything is handed over.
func TestExportJSONUnknownZone(t *testing.T) {
	st := openStore(t)
	id := createPack(t, st, pack("female20s", 2, 20, 29, 2))
	got, err := exportJSON(t, st, id, t0, "Nowhere/Atlantis")
	if err == nil || got.head != nil {
		t.Fatalf("err %v, head %+v", err, got.head)
	}
	_, err = exportJSON(t, st, 999, t0, "Asia/Seoul")
	wantReason(t, err, model.PackNotFound)
}
