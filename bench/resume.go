package main

import (
	"fmt"
	"strings"
)

// resumeToken names the run the resume scenario reloads.
const resumeToken = "bench-resume-0001"

// resume: POST /api/reply/start naming one run by its token, the same
// request over and over at the configured connections: a page reloaded in
// a storm. Each is answered from one read of the run; the run is written
// at most once every few seconds (runs.touchQuiet), which the count of its
// resumes shows. Compared with the first list (the cheapest admin read) and
// with a fresh start's p99.
func (b *Bench) resume() error {
	say("resume: one run, reloaded")
	body := fmt.Sprintf(`{"name":"홍길동","email":"reload@example.com","no":"reload1","sex":2,"age":25,"phone":"010-1234-5678","token":%q}`, resumeToken)
	if got, err := b.post("/api/reply/start", body); err != nil || !strings.Contains(got, resumeToken) {
		return fmt.Errorf("start the run to resume: %q %v", got, err)
	}
	path, err := b.writeWorkFile("resume.json", []byte(body))
	if err != nil {
		return err
	}
	r, err := b.wrk("resume", b.base, "-s", b.benchFile("resume.lua"), "--", path)
	if err != nil {
		return err
	}
	var writes int64
	b.st.DB.QueryRow(`SELECT resumes FROM run WHERE token = $1`, resumeToken).Scan(&writes)
	b.row(fmt.Sprintf("resumed start (one run, its token, %d conns: a reload storm) p50 / p99", b.cfg.conns),
		fmt.Sprintf("%.2f / %.2f ms, %.0f req/s (%d non-2xx; the run written %d times for %d requests)", r.p50, r.p99, r.rps, r.non2xx, writes, r.requests), "", "")
	if b.list0 != nil {
		b.row(fmt.Sprintf("resumed start rate / the first list's rate at %d conns (%.0f req/s)", b.cfg.conns, b.list0.rps),
			pct(r.rps, b.list0.rps), "≥ 80%", verdict(r.rps >= 0.8*b.list0.rps))
	}
	if b.startWrk.p99 > 0 {
		b.row("resumed start p99 / a fresh start's p99", fmt.Sprintf("%.2f / %.2f ms = %.2f×", r.p99, b.startWrk.p99, r.p99/b.startWrk.p99),
			"≤ 2×", verdict(r.p99 <= 2*b.startWrk.p99))
	}
	b.note("curl -d '{...person...,\"token\":\"%s\"}' %s/api/reply/start (makes the run); wrk -t2 -c%d -d%v --latency -s bench/resume.lua %s -- resume.json   (the same person and token every request)",
		resumeToken, b.base, b.cfg.conns, b.cfg.duration, b.base)
	return nil
}
