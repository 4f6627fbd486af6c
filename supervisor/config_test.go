package supervisor

import (
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

func validPrograms() Programs {
	return Programs{
		Command: "/usr/local/bin/psyx", DataDir: "/home/u/PsyxStatic", User: "u", Home: "/home/u",
		DatabaseURL: "host=/var/run/postgresql user=u dbname=psyx", Addrs: []string{"127.0.0.1:5000"},
	}
}

func TestProgramsRender(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Programs)
		want    []string
		notWant []string
	}{
		{"one", func(*Programs) {}, []string{
			"[program:psyx]\n", "command=/usr/local/bin/psyx serve\n", "user=u\n",
			`environment=HOME="/home/u",PSYX_DATA_DIR="/home/u/PsyxStatic",PSYX_ADDR="127.0.0.1:5000",PSYX_DATABASE_URL="host=/var/run/postgresql user=u dbname=psyx"` + "\n",
			"stderr_logfile=/home/u/PsyxStatic/logs/psyx_supervisord_stderr.log",
		}, []string{"psyx_2", "<no value>"}},
		{"two instances", func(p *Programs) { p.Addrs = append(p.Addrs, "127.0.0.1:5001") }, []string{
			"[program:psyx_2]", `PSYX_ADDR="127.0.0.1:5001"`, "logs/psyx_2_supervisord_stdout.log",
		}, nil},
		{"extra env, sorted, % escaped", func(p *Programs) {
			p.Env = map[string]string{"PSYX_NAME_PATTERN": `^\w{2,}%$`, "PSYX_CONFIG": "/etc/psyx.toml"}
		}, []string{`dbname=psyx",PSYX_CONFIG="/etc/psyx.toml",PSYX_NAME_PATTERN="^\w{2,}%%$"` + "\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPrograms()
			tt.edit(&p)
			var b strings.Builder
			if err := p.Render(&b); err != nil {
				t.Fatal(err)
			}
			testkit.CheckContains(t, b.String(), tt.want, tt.notWant)
		})
	}
}

func TestProgramsRefuseBadParameters(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Programs)
		want string
	}{
		{"no command", func(p *Programs) { p.Command = "" }, "missing --command"},
		{"no user", func(p *Programs) { p.User = "" }, "missing --user"},
		{"no database", func(p *Programs) { p.DatabaseURL = "" }, "missing --database-url"},
		{"no addr", func(p *Programs) { p.Addrs = nil }, "missing --addr"},
		{"quote in a value", func(p *Programs) { p.DatabaseURL = `x" ,EVIL="1` }, "--database-url"},
		{"quote in env", func(p *Programs) { p.Env = map[string]string{"PSYX_X": `"`} }, "--env PSYX_X"},
		{"bad env name", func(p *Programs) { p.Env = map[string]string{"a b": "1"} }, "--env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPrograms()
			tt.edit(&p)
			var b strings.Builder
			if err := p.Render(&b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestSupervisordRender(t *testing.T) {
	var b strings.Builder
	if err := (Supervisord{RunDir: "/r", User: "root"}).Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"file=/r/supervisor.sock", "user=root", "files = /r/programs/*.conf", "nodaemon=true"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("lacks %q", w)
		}
	}
	if err := (Supervisord{}).Render(&b); err == nil {
		t.Error("rendered without a run dir")
	}
}

func TestProgramName(t *testing.T) {
	for i, want := range []string{"psyx", "psyx_2", "psyx_3"} {
		if got := ProgramName(i); got != want {
			t.Errorf("ProgramName(%d) = %q, want %q", i, got, want)
		}
	}
}
