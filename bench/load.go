package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/psyx-lab/psyx/tools/stack"
)

// start: POST /api/reply/start with wrk, every request a new participant
// (so each stores a run), against pgbench running the service's INSERT of a
// run, and against nginx serving a static file the size of start's answer
// (the cheapest answer an HTTP server on this machine can give).
func (b *Bench) start() error {
	say("start")
	if err := resetHWM(b.psyxPID); err != nil {
		return err
	}
	runs := func() (n int64) {
		b.st.DB.QueryRow(`SELECT count(*) FROM run`).Scan(&n)
		return n
	}
	before := runs()
	r, err := b.wrk("start", b.base, "-s", b.benchFile("start.lua"), "--", b.startBody, fmt.Sprint(time.Now().Unix()))
	if err != nil {
		return err
	}
	stored := runs() - before
	b.note("wrk -t2 -c%d -d%v --latency -s bench/start.lua %s -- start.json RUNID   (a new participant per request: each stores a run)", b.cfg.conns, b.cfg.duration, b.base)
	resp, err := b.http.Post(b.base+"/api/reply/start", "application/json",
		strings.NewReader(strings.ReplaceAll(b.readWork(b.startBody), "PERSONMARK", "benchsize")))
	if err != nil {
		return err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("start p50 / p99 at %d conns", b.cfg.conns), fmt.Sprintf("%.2f / %.2f ms", r.p50, r.p99), "p99 < 50 ms", verdict(r.p99 < 50))
	b.row("start rate", fmt.Sprintf("%.0f req/s (%d non-2xx, socket errors: %s; %d runs stored)", r.rps, r.non2xx, r.socketErrors, stored), "", "")
	defines := []string{fmt.Sprintf("p_id=%d", b.mainID), "served=" + b.served}
	many, err := b.pgbench("pgbench insert run", b.cfg.conns, b.benchFile("insert_run.sql"), defines...)
	if err != nil {
		return err
	}
	pool, err := b.pgbench("pgbench insert run", 20, b.benchFile("insert_run.sql"), defines...)
	if err != nil {
		return err
	}
	best := max(many.tps, pool.tps)
	b.row(fmt.Sprintf("pgbench, start's INSERT of a run, %d / 20 clients", b.cfg.conns),
		fmt.Sprintf("%.0f / %.0f tps (avg latency %s / %s ms)", many.tps, pool.tps, many.latency, pool.latency), "", "")
	b.row("start rate / best pgbench rate", pct(r.rps, best), "≥ 70%", verdict(r.rps >= 0.7*best))
	b.note("pgbench -n -M prepared -c %d -j 2 -T %d -f bench/insert_run.sql -D p_id=ID -D served=THE_300_PAIRS -h SOCK -U postgres psyx   (and -c 20)", b.cfg.conns, int(b.cfg.duration.Seconds()))

	say("nginx: a static file of the start response's size (%d bytes)", len(answer))
	static, err := b.staticNginx(answer)
	if err != nil {
		return err
	}
	b.nginxPID = static.cmd.Process.Pid
	n, err := b.wrk("nginx", static.url+"/start.json")
	b.nginxPID = b.st.NginxPID()
	static.stop()
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("nginx, static file of %d B", len(answer)), fmt.Sprintf("%.0f req/s (p99 %.2f ms)", n.rps, n.p99), "", "")
	b.row("start rate / nginx rate", pct(r.rps, n.rps), "≥ 40%", verdict(r.rps >= 0.4*n.rps))
	b.note("nginx (worker_processes auto, access_log off) serving a %d-byte file; wrk -t2 -c%d -d%v --latency %s/start.json", len(answer), b.cfg.conns, b.cfg.duration, static.url)
	return nil
}

// submit: POST /api/reply/submit with wrk (a new token per request, so
// every one stores a row), against pgbench running the service's INSERT
// with the same answers at the same and at the pool's concurrency.
func (b *Bench) submit() error {
	say("submit")
	count := func() (n int64) {
		b.st.DB.QueryRow(`SELECT count(*) FROM reply WHERE p_id = $1`, b.mainID).Scan(&n)
		return n
	}
	before := count()
	r, err := b.wrk("submit", b.base, "-s", b.benchFile("submit.lua"), "--", b.submitBody, fmt.Sprint(time.Now().Unix()))
	if err != nil {
		return err
	}
	b.loadHWM = hwmKB(b.psyxPID) // peak since the reset before start: start and submit
	// Requests wrk gave up on at its end may still commit.
	time.Sleep(time.Second)
	stored := count() - before
	b.note("wrk -t2 -c%d -d%v --latency -s bench/submit.lua %s -- submit.json RUNID   (a new token per request)", b.cfg.conns, b.cfg.duration, b.base)
	b.row(fmt.Sprintf("submit p50 / p99 at %d conns", b.cfg.conns), fmt.Sprintf("%.2f / %.2f ms", r.p50, r.p99), "p99 < 50 ms", verdict(r.p99 < 50))
	b.row(fmt.Sprintf("submit rate (~%d KB bodies)", b.submitBytes/1024),
		fmt.Sprintf("%.0f req/s (%d non-2xx, socket errors: %s; %d rows stored for %d answered)", r.rps, r.non2xx, r.socketErrors, stored, r.requests), "", "")

	defines := []string{fmt.Sprintf("p_id=%d", b.mainID), "answers=" + b.answers}
	many, err := b.pgbench("pgbench insert", b.cfg.conns, b.benchFile("insert_reply.sql"), defines...)
	if err != nil {
		return err
	}
	pool, err := b.pgbench("pgbench insert", 20, b.benchFile("insert_reply.sql"), defines...)
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("pgbench, same INSERT, %d / 20 clients", b.cfg.conns),
		fmt.Sprintf("%.0f / %.0f tps (avg latency %s / %s ms)", many.tps, pool.tps, many.latency, pool.latency), "", "")
	best := max(many.tps, pool.tps)
	b.row("submit rate / best pgbench rate", pct(r.rps, best), "≥ 70%", verdict(r.rps >= 0.7*best))
	b.note("pgbench -n -M prepared -c %d -j 2 -T %d -f bench/insert_reply.sql -D p_id=ID -D answers=THE_300_ANSWERS -h SOCK -U postgres psyx   (and -c 20, the service's pool size)", b.cfg.conns, int(b.cfg.duration.Seconds()))
	return nil
}

// staticServer is a bare nginx serving one file.
type staticServer struct {
	url  string
	cmd  *exec.Cmd
	stop func()
}

func (b *Bench) staticNginx(body []byte) (*staticServer, error) {
	dir := filepath.Join(b.work, "static")
	for _, d := range []string{filepath.Join(dir, "www"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "start.json"), body, 0o644); err != nil {
		return nil, err
	}
	addr, err := stack.FreeAddr()
	if err != nil {
		return nil, err
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes auto;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path %[2]s/tmp/body;
	proxy_temp_path %[2]s/tmp/proxy;
	fastcgi_temp_path %[2]s/tmp/fastcgi;
	uwsgi_temp_path %[2]s/tmp/uwsgi;
	scgi_temp_path %[2]s/tmp/scgi;
	default_type application/json;
	server {
		listen %[3]s;
		root %[2]s/www;
	}
}
`, user, dir, addr)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	path, err := stack.LookTool("nginx")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	s := &staticServer{url: "http://" + addr, cmd: cmd, stop: func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		cmd.Wait()
	}}
	if err := stack.WaitHealthy(20*time.Second, s.url+"/start.json", nil); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}
