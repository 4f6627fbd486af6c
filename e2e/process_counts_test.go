package e2e

import (
	"bytes"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// kill -9 while participants start runs and save progress: after the
// restart the list's running and abandoned counts (kept per pack and
// minute by triggers, never a scan) equal a count of the run rows.
func TestKillDuringStartsCountsHold(t *testing.T) {
	dbURL := cluster.NewDatabase(t)
	svc := startChild(t, childSettings(t, dbURL, t.TempDir(), 5))
	db := openDB(t, dbURL)
	createPack(t, svc.Base, "female20s", 2, 20, 29, 5)

	var started atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				b, _ := json.Marshal(testkit.Person(w*100000+i, 2, 25))
				status, body := post(svc.Base+"/api/reply/start", "application/json", bytes.NewReader(b))
				if status != 200 {
					continue
				}
				started.Add(1)
				var s struct {
					Token string      `json:"token"`
					Pairs [][2]string `json:"pic_pairs"`
				}
				json.Unmarshal([]byte(body), &s)
				raw, _ := json.Marshal(map[string]any{"token": s.Token, "answers": testkit.Answers(s.Pairs, testkit.Cycle)[:2]})
				post(svc.Base+"/api/reply/progress", "application/json", bytes.NewReader(raw))
			}
		})
	}
	waitFor(t, time.Minute, "200 starts", func() bool { return started.Load() >= 200 })
	svc.kill(t)
	stop.Store(true)
	wg.Wait()
	svc.start(t)

	var list []struct {
		ID        int `json:"p_id"`
		Running   int `json:"running"`
		Abandoned int `json:"abandoned"`
	}
	status, body := get(svc.Base + "/api/admin/list")
	if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 {
		t.Fatalf("list: %d %s", status, body)
	}
	var rows struct {
		Running   int `db:"running"`
		Abandoned int `db:"abandoned"`
	}
	if err := db.Get(&rows, `SELECT count(*) FILTER (WHERE last_seen > now() - interval '30 minutes') AS running,
		count(*) FILTER (WHERE last_seen <= now() - interval '30 minutes') AS abandoned FROM run WHERE finished_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if list[0].Running != rows.Running || list[0].Abandoned != rows.Abandoned || rows.Running < 200 {
		t.Fatalf("after kill -9: list says %d running, %d abandoned; the rows %d and %d", list[0].Running, list[0].Abandoned,
			rows.Running, rows.Abandoned)
	}
}
