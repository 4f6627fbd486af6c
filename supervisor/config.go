// Package supervisor renders Psyx's Supervisor configs from the templates
// next to this file (embedded in the binary): the [program] sections
// (psyx.conf.tmpl), which install.sh deploys and the tests and local run use
// unchanged, and a private supervisord.conf that includes them.
package supervisor

import (
	"embed"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/psyx-lab/psyx/internal/confcheck"
)

//go:embed *.tmpl
var templates embed.FS

var tmpl = template.Must(template.New("").Option("missingkey=error").Funcs(template.FuncMap{
	"sv":          escape,
	"programName": ProgramName,
}).ParseFS(templates, "*.tmpl"))

// Supervisor reads environment= with a non-POSIX shlex: a quoted value
// keeps its backslashes as they are, and a quote cannot be written at all.
const unsafe = "\""

// ProgramName is the name of instance i (from 0): psyx, psyx_2, psyx_3, ...
func ProgramName(i int) string {
	if i == 0 {
		return "psyx"
	}
	return fmt.Sprintf("psyx_%d", i+1)
}

// escape writes a literal % the way Supervisor reads one.
func escape(v string) string { return strings.ReplaceAll(v, "%", "%%") }

// Programs is the parameters of the [program] sections: one per address.
type Programs struct {
	Command     string            // the psyx binary
	DataDir     string            // PsyxStatic; also the working folder
	User, Home  string            // the account psyx runs as, and its home
	DatabaseURL string            // PSYX_DATABASE_URL
	Addrs       []string          // PSYX_ADDR of each instance
	Env         map[string]string // more settings: PSYX_CONFIG, PSYX_PAIRS_PER_PACK, ...
}

// EnvVar is one extra environment entry.
type EnvVar struct{ Key, Value string }

// SortedEnv is Env in a fixed order, so a render is the same every time
// (install.sh rewrites a config only when it changed).
func (p Programs) SortedEnv() []EnvVar {
	out := make([]EnvVar, 0, len(p.Env))
	for k, v := range p.Env {
		out = append(out, EnvVar{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

var envKeyRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// Validate reports every missing or malformed parameter.
func (p Programs) Validate() error {
	c := confcheck.New("supervisor program")
	c.Path("command", p.Command, unsafe+" ")
	c.Path("data-dir", p.DataDir, unsafe)
	c.Text("user", p.User, unsafe+" ")
	c.Path("home", p.Home, unsafe)
	c.Text("database-url", p.DatabaseURL, unsafe)
	if len(p.Addrs) == 0 {
		c.Fail("missing --addr")
	}
	for _, a := range p.Addrs {
		c.HostPort("addr", a)
	}
	for _, e := range p.SortedEnv() {
		if !envKeyRE.MatchString(e.Key) {
			c.Fail("--env %q: the name must be [A-Z_][A-Z0-9_]*", e.Key)
		}
		if strings.ContainsAny(e.Value, unsafe+"\n\r\x00") {
			c.Fail("--env %s: a Supervisor value cannot hold a quote or a line break", e.Key)
		}
	}
	return c.Err()
}

// Render writes the [program] sections, after Validate.
func (p Programs) Render(w io.Writer) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return execute(w, "psyx.conf.tmpl", p)
}

// Supervisord is the parameters of a private supervisord.conf.
type Supervisord struct {
	RunDir string // socket, pid, log; programs/*.conf are included
	User   string // "root" silences supervisord's warning when run as root; empty: none
}

// Validate reports every missing or malformed parameter.
func (s Supervisord) Validate() error {
	c := confcheck.New("supervisord")
	c.Path("run-dir", s.RunDir, unsafe+" ")
	if s.User != "" {
		c.Text("user", s.User, unsafe+" ")
	}
	return c.Err()
}

// Render writes supervisord.conf, after Validate.
func (s Supervisord) Render(w io.Writer) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return execute(w, "supervisord-standalone.conf.tmpl", s)
}

func execute(w io.Writer, name string, data any) error {
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}
