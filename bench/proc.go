package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// What /proc says about the processes of a run. Linux only, as the
// measurements are.

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// procStat is a process's parent and CPU ticks: its own and those of its
// children that it has waited for (utime+stime+cutime+cstime).
func procStat(pid int) (ppid int, ticks int64, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The command name is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	for _, i := range []int{11, 12, 13, 14} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return ppid, ticks, true
}

// procTicks is one process's ticks, 0 when it is gone.
func procTicks(pid int) int64 {
	_, t, _ := procStat(pid)
	return t
}

// treeTicks is a process's ticks plus its live children's (nginx's workers,
// PostgreSQL's backends).
func treeTicks(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	total := procTicks(pid)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, t, ok := procStat(child); ok && ppid == pid {
			total += t
		}
	}
	return total
}

// settledTicks samples treeTicks three times, 150 ms apart, and keeps the
// highest: a backend that is exiting leaves its own /proc entry a moment
// before the postmaster's cutime takes it in, which would book a run's end
// as negative CPU.
func settledTicks(pid int) int64 {
	best := treeTicks(pid)
	for i := 0; i < 2; i++ {
		time.Sleep(150 * time.Millisecond)
		best = max(best, treeTicks(pid))
	}
	return best
}

// systemTicks is the machine's busy and total ticks since boot.
func systemTicks() (busy, total int64) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0
	}
	fields := strings.Fields(sc.Text())
	for i, v := range fields[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// statusKB reads a VmRSS/VmHWM line of /proc/PID/status, in kB.
func statusKB(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func rssKB(pid int) int64 { return statusKB(pid, "VmRSS") }
func hwmKB(pid int) int64 { return statusKB(pid, "VmHWM") }

// resetHWM makes VmHWM start again from the current RSS (Linux >= 4.0).
func resetHWM(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// postmasterPID is the first line of PGDATA/postmaster.pid.
func postmasterPID(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

func mb(kb int64) string { return fmt.Sprintf("%.1f", float64(kb)/1024) }
