package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/psyx-lab/psyx/store"
)

// A scenario measures one thing and adds its rows, CPU lines and commands
// to the report. Adding a measurement is adding a function here (or in a
// file of its own) and a line to scenarios; the helpers are b.wrk,
// b.pgbench, b.timed, b.psql, b.row, b.note and the /proc readers.
type scenario struct {
	name string
	run  func(*Bench) error
}

// scenarios run in this order, on the data setup made; later ones see the
// rows earlier ones stored (list2 measures exactly that).
var scenarios = []scenario{
	{"list", func(b *Bench) error { _, err := b.list("list", "", 10); return err }},
	{"download", (*Bench).download},
	{"upload", (*Bench).upload},
	{"generate", (*Bench).generate},
	{"analysis", (*Bench).analysis},
	{"start", (*Bench).start},
	{"resume", (*Bench).resume},
	{"progress", (*Bench).progress},
	{"submit", (*Bench).submit},
	{"list2", func(b *Bench) error {
		// Autovacuum analyzes the table within a minute of the ~90,000
		// inserts, in production as here; without it the plan, and the
		// figure (5 or 110 req/s), depend on whether it has run yet.
		if _, err := b.st.DB.Exec(`ANALYZE reply`); err != nil {
			return err
		}
		_, err := b.list("list2", " (after submit and pgbench; ANALYZE)", 10)
		return err
	}},
	{"openloop", (*Bench).openLoop},
	{"list3", (*Bench).listAtScale},
}

func scenarioNames() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// download: GET /api/admin/download of 1,000 and 10,000 replies (best of
// 3 and 2), against psql printing the same rows as the same JSON (both
// are PostgreSQL's row_to_json); the service's peak RSS for each.
func (b *Bench) download() error {
	say("download: 1,000 and 10,000 replies")
	if err := b.insertReplies(b.dl10kID, 10000); err != nil {
		return err
	}
	get := func(id int) func() (int64, error) {
		return func() (int64, error) {
			out, err := exec.Command("curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}",
				fmt.Sprintf("%s/api/admin/download?id=%d", b.base, id)).CombinedOutput()
			if err != nil {
				return 0, fmt.Errorf("download %d: %w: %s", id, err, out)
			}
			return strconv.ParseInt(string(out), 10, 64)
		}
	}
	// psql prints the same rows as the same JSON: the service's own query
	// (store.RepliesJSON), its arguments written in.
	psqlJSON := func(id int) func() (int64, error) {
		return func() (int64, error) {
			_, err := b.psql(strings.NewReplacer("$1", strconv.Itoa(id), "$2", "'Asia/Seoul'").Replace(store.RepliesJSON))
			return 0, err
		}
	}
	before := rssKB(b.psyxPID)
	if err := resetHWM(b.psyxPID); err != nil {
		return err
	}
	dl1k, bytes1k, err := b.timed(3, "download 1k (curl), per download", get(b.dl1kID))
	if err != nil {
		return err
	}
	hwm1k := hwmKB(b.psyxPID)
	dl10k, bytes10k, err := b.timed(2, "download 10k (curl), per download", get(b.dl10kID))
	if err != nil {
		return err
	}
	hwm10k := hwmKB(b.psyxPID)
	psql1k, _, err := b.timed(3, "psql 1k as JSON, per run", psqlJSON(b.dl1kID))
	if err != nil {
		return err
	}
	psql10k, _, err := b.timed(2, "psql 10k as JSON, per run", psqlJSON(b.dl10kID))
	if err != nil {
		return err
	}
	growth := hwm10k - hwm1k
	b.row("download 1,000 replies", fmt.Sprintf("%.6f s, %d MB; psql %.3f s (%s)", dl1k.Seconds(), bytes1k>>20, psql1k.Seconds(), ratio(dl1k, psql1k)), "", "")
	b.row("download 10,000 replies", fmt.Sprintf("%.6f s, %d MB; psql %.3f s", dl10k.Seconds(), bytes10k>>20, psql10k.Seconds()),
		"≤ 1.0× psql", ratio(dl10k, psql10k)+" "+verdict(dl10k.Seconds() <= psql10k.Seconds()))
	b.row("download RSS: before / peak 1k / peak 10k", fmt.Sprintf("%s / %s / %s MB", mb(before), mb(hwm1k), mb(hwm10k)),
		"growth 1k→10k < 32 MB", mb(growth)+" MB "+verdict(growth < 32*1024))
	b.note("curl -o /dev/null '%s/api/admin/download?id=ID'   (timed by the harness; best of 3 for 1k, of 2 for 10k; VmHWM reset with 'echo 5 > /proc/PID/clear_refs' before)", b.base)
	b.note(`psql -At -c "SELECT row_to_json(o) FROM reply x CROSS JOIN LATERAL (SELECT x.r_id, ..., x.events) o WHERE x.p_id = ID ORDER BY x.r_id" > /dev/null   (store.RepliesJSON, the service's query; best of 3 / 2)`)
	return nil
}

// list: GET /api/admin/list (100 packs) with wrk: one client's latency
// (held to p50 ≤ p50ms) and the rate at the configured connections.
func (b *Bench) list(name, when string, p50ms float64) (wrkResult, error) {
	say("%s", name)
	var replies int
	if err := b.st.DB.QueryRow(`SELECT count(*) FROM reply`).Scan(&replies); err != nil {
		return wrkResult{}, err
	}
	var packs int
	if err := b.st.DB.QueryRow(`SELECT count(*) FROM pack`).Scan(&packs); err != nil {
		return wrkResult{}, err
	}
	var running int
	if err := b.st.DB.QueryRow(`SELECT count(*) FROM run WHERE finished_at IS NULL AND last_seen > now() - interval '30 minutes'`).Scan(&running); err != nil {
		return wrkResult{}, err
	}
	// The list is a researcher's page: its latency is one client's; 64
	// clients show what it costs the machine.
	one, err := b.wrkConns(name+"-1", 1, b.base+"/api/admin/list")
	if err != nil {
		return wrkResult{}, err
	}
	r, err := b.wrk(name, b.base+"/api/admin/list")
	if err != nil {
		return wrkResult{}, err
	}
	b.capacity["list"] = r.rps
	if name == "list" {
		b.list0 = &r
	}
	b.row(fmt.Sprintf("list, %d packs, %d replies, %d runs seen in 30 min%s: one client", packs, replies, running, when),
		fmt.Sprintf("p50 / p99 %.2f / %.2f ms, %.0f req/s", one.p50, one.p99, one.rps), fmt.Sprintf("p50 ≤ %.0f ms", p50ms), verdict(one.p50 <= p50ms))
	b.row(fmt.Sprintf("the same list, %d connections", b.cfg.conns),
		fmt.Sprintf("%.0f req/s, p50 / p99 %.2f / %.2f ms (%d non-2xx)", r.rps, r.p50, r.p99, r.non2xx), "", "")
	if name == "list" {
		b.note("wrk -t1 -c1 -d%v --latency %s/api/admin/list, then -t2 -c%d   (%d packs; again after the submit runs, and at 1,000,000 replies)", b.cfg.duration, b.base, b.cfg.conns, packs)
	}
	return r, nil
}

// idle: the service's RSS after start, after setup, at the peak of the wrk
// runs and 5 s after the last.
func (b *Bench) idleAfter() {
	// Let the last requests' garbage be collected before reading the RSS.
	time.Sleep(5 * time.Second)
	b.row("idle RSS after start", mb(b.idleRSS)+" MB", "< 30 MB", verdict(b.idleRSS < 30*1024))
	b.row("RSS after setup / peak under wrk load / idle 5 s after",
		fmt.Sprintf("%s / %s / %s MB", mb(b.setupRSS), mb(b.loadHWM), mb(rssKB(b.psyxPID))), "", "")
}

func ratio(a, base time.Duration) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a.Seconds()/base.Seconds())
}

func pct(a, base float64) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*a/base)
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "**missed**"
}

// writeWorkFile writes a file into the work folder and returns its path.
func (b *Bench) writeWorkFile(name string, data []byte) (string, error) {
	p := filepath.Join(b.work, name)
	return p, os.WriteFile(p, data, 0o644)
}
