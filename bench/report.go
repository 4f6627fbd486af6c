package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// The markers of the section of docs/PERFORMANCE.md that -update-doc
// replaces.
const (
	docBegin = "<!-- bench:begin -->"
	docEnd   = "<!-- bench:end -->"
)

// report is the markdown of the run: machine, figures, CPU, commands.
func (b *Bench) report(loadStart, loadEnd string, took, setup time.Duration) string {
	var r strings.Builder
	fmt.Fprintf(&r, "### Run of %s\n\n", time.Now().UTC().Format("2006-01-02 15:04:05 MST"))
	var pgVersion string
	b.st.DB.QueryRow(`SHOW server_version`).Scan(&pgVersion)
	fmt.Fprintf(&r, "Machine: %d cores (%s), %s RAM, %s; PostgreSQL %s (fsync on), %s, %s, %s.\n",
		runtime.NumCPU(), cpuModel(), memTotal(), firstLine("uname", "-sr"), pgVersion, runtime.Version(),
		firstWords(firstLine("wrk", "-v"), 2), lastWord(firstLine("nginx", "-v")))
	fmt.Fprintf(&r, "Load average at start %s, at end %s (other work on the machine shares its %d cores; wrk itself uses one of them).\n",
		loadStart, loadEnd, runtime.NumCPU())
	fmt.Fprintf(&r, "Run took %.0fs (setup %.0fs). %d connections, %v per wrk/pgbench run; all traffic on 127.0.0.1.\n\n",
		took.Seconds(), setup.Seconds(), b.cfg.conns, b.cfg.duration)
	if b.cfg.only != nil {
		var ran []string
		for _, s := range scenarios {
			if b.cfg.wants(s.name) {
				ran = append(ran, s.name)
			}
		}
		fmt.Fprintf(&r, "**A partial run** (-only): %s.\n\n", strings.Join(ran, ", "))
	}
	r.WriteString("| what | measured | target | |\n| --- | --- | --- | --- |\n")
	for _, row := range b.rows {
		fmt.Fprintf(&r, "| %s | %s | %s | %s |\n", row[0], row[1], row[2], row[3])
	}
	fmt.Fprintf(&r, "\nWhere the CPU went during each run, in CPU microseconds per request (%d cores give %d s of CPU per second; \"others\" is the share of the machine used by work that is not this benchmark's):\n\n",
		runtime.NumCPU(), runtime.NumCPU())
	r.WriteString("| run | requests | psyx µs/req | PostgreSQL µs/req | nginx µs/req | client µs/req | machine busy | others |\n")
	r.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, row := range b.cpuRows {
		r.WriteString(row + "\n")
	}
	r.WriteString("\nCommands (TMP is a fresh temp folder; ID the pack's p_id):\n\n")
	for _, c := range b.commands {
		r.WriteString("    " + c + "\n")
	}
	return r.String()
}

// updateDoc puts report between the bench markers of doc, or appends the
// markers and the report when it has none.
func updateDoc(doc, report string) error {
	b, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	s := string(b)
	section := docBegin + "\n" + report + docEnd
	i, j := strings.Index(s, docBegin), strings.Index(s, docEnd)
	if i >= 0 && j > i {
		s = s[:i] + section + s[j+len(docEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + section + "\n"
	}
	tmp := doc + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, doc)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(firstN(strings.Fields(string(b)), 3), " ")
}

func cpuModel() string {
	return procLine("/proc/cpuinfo", "model name", func(v string) string { return v })
}

func memTotal() string {
	return procLine("/proc/meminfo", "MemTotal", func(v string) string {
		var kb float64
		fmt.Sscanf(v, "%f", &kb)
		return fmt.Sprintf("%.1f GiB", kb/1048576)
	})
}

// procLine is the value after "key:" on the first such line of a /proc file.
func procLine(path, key string, format func(string) string) string {
	f, err := os.Open(path)
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return format(strings.TrimSpace(v))
		}
	}
	return "?"
}

// firstLine is the first line a command prints (on stdout or stderr).
func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

func firstWords(s string, n int) string { return strings.Join(firstN(strings.Fields(s), n), " ") }

func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "?"
	}
	return f[len(f)-1]
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
