package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/psyx-lab/psyx/nginx"
	"github.com/psyx-lab/psyx/supervisor"
)

const renderUsage = `usage: psyx render-config KIND [flags] [--out FILE]

KIND is one of
  nginx-site          the site (install.sh: /etc/nginx/conf.d/psyx.conf)
  nginx-standalone    a whole nginx.conf around a rendered site, for a private Nginx
  supervisor-program  the [program] sections (install.sh: /etc/supervisor/conf.d/psyx.conf)
  supervisord         a private supervisord.conf including RUN_DIR/programs/*.conf

Every parameter is checked first: a missing or malformed one is an error.
'psyx render-config KIND -h' lists KIND's flags.
`

// renderConfig is `psyx render-config`: one config to stdout, or to --out
// (written next to it, then renamed: never half a file).
func renderConfig(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, renderUsage)
		return errors.New("render-config needs a KIND")
	}
	kind := args[0]
	if kind == "-h" || kind == "--help" || kind == "help" {
		_, err := io.WriteString(stdout, renderUsage)
		return err
	}
	fs := flag.NewFlagSet("render-config "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write to this file (atomically) instead of stdout")
	var render func(io.Writer) error
	switch kind {
	case "nginx-site":
		render = siteFlags(fs)
	case "nginx-standalone":
		render = standaloneFlags(fs)
	case "supervisor-program":
		render = programFlags(fs)
	case "supervisord":
		var s supervisor.Supervisord
		fs.StringVar(&s.RunDir, "run-dir", "", "folder for the socket, pid and log; includes programs/*.conf")
		fs.StringVar(&s.User, "user", "", "user= line (\"root\" when run as root)")
		render = func(w io.Writer) error { return s.Render(w) }
	default:
		fmt.Fprint(stderr, renderUsage)
		return fmt.Errorf("render-config: unknown config %q", kind)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("render-config %s: unexpected argument %q", kind, fs.Arg(0))
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(*out, buf.Bytes())
}

func siteFlags(fs *flag.FlagSet) func(io.Writer) error {
	s := nginx.Site{Limits: nginx.DefaultLimits()}
	var tls nginx.TLS
	fs.StringVar(&s.Listen, "listen", "80", "plain-HTTP listen: PORT or ADDR:PORT")
	fs.StringVar(&s.ServerName, "server-name", "_", "server_name: your domain")
	fs.StringVar(&s.HTMLDir, "html-dir", "", "the pages (the checkout's nginx/html)")
	fs.StringVar(&s.DataDir, "data-dir", "", "PsyxStatic: psyx.htpasswd and packs/")
	fs.Func("upstream", "HOST:PORT of a psyx instance (repeat for more; default 127.0.0.1:5000)", listFlag(&s.Upstreams))
	fs.StringVar(&tls.Cert, "tls-cert", "", "certificate (PEM): turns on HTTPS")
	fs.StringVar(&tls.Key, "tls-key", "", "its private key (PEM)")
	fs.StringVar(&tls.Listen, "tls-listen", "443", "HTTPS listen: PORT or ADDR:PORT")
	fs.IntVar(&s.Limits.AdminRate, "admin-rate", s.Limits.AdminRate, "/admin and /api/admin/: requests per second per client address")
	fs.IntVar(&s.Limits.AdminBurst, "admin-burst", s.Limits.AdminBurst, "/admin and /api/admin/: burst per client address")
	fs.IntVar(&s.Limits.ReplyRate, "reply-rate", s.Limits.ReplyRate, "start + submit: requests per second per client address")
	fs.IntVar(&s.Limits.ReplyBurst, "reply-burst", s.Limits.ReplyBurst, "start + submit: burst per client address")
	fs.IntVar(&s.Limits.ProgressRate, "progress-rate", s.Limits.ProgressRate, "progress saves: requests per second per client address")
	fs.IntVar(&s.Limits.ProgressBurst, "progress-burst", s.Limits.ProgressBurst, "progress saves: burst per client address")
	fs.IntVar(&s.Limits.ConnPerAddr, "conn-per-addr", s.Limits.ConnPerAddr, "participant API requests in flight per client address")
	return func(w io.Writer) error {
		if len(s.Upstreams) == 0 {
			s.Upstreams = []string{"127.0.0.1:5000"}
		}
		if tls.Cert != "" || tls.Key != "" {
			s.TLS = &tls
		}
		return s.Render(w)
	}
}

func standaloneFlags(fs *flag.FlagSet) func(io.Writer) error {
	s := nginx.Standalone{WorkerConnections: nginx.DefaultWorkerConnections}
	fs.StringVar(&s.User, "user", "", "user directive: \"USER GROUP\" (empty: Nginx's default)")
	fs.StringVar(&s.RunDir, "run-dir", "", "folder for pid, logs and tmp/ (tmp/ must exist)")
	fs.StringVar(&s.MimeTypes, "mime-types", "", "nginx's mime.types (default: found under /etc/nginx)")
	fs.StringVar(&s.SiteConf, "site", "", "the rendered site config")
	fs.IntVar(&s.WorkerConnections, "worker-connections", s.WorkerConnections, "connections per worker")
	return func(w io.Writer) error {
		if s.MimeTypes == "" {
			p, err := nginx.MimeTypesPath()
			if err != nil {
				return err
			}
			s.MimeTypes = p
		}
		return s.Render(w)
	}
}

func programFlags(fs *flag.FlagSet) func(io.Writer) error {
	p := supervisor.Programs{Env: map[string]string{}}
	fs.StringVar(&p.Command, "command", "", "the psyx binary")
	fs.StringVar(&p.DataDir, "data-dir", "", "PsyxStatic")
	fs.StringVar(&p.User, "user", "", "the account psyx runs as")
	fs.StringVar(&p.Home, "home", "", "its home folder")
	fs.StringVar(&p.DatabaseURL, "database-url", "", "PSYX_DATABASE_URL")
	fs.Func("addr", "HOST:PORT of an instance: psyx, psyx_2, ... (repeat for more; default 127.0.0.1:5000)", listFlag(&p.Addrs))
	fs.Func("env", "KEY=VALUE: one more setting for the service (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("want KEY=VALUE, got %q", v)
		}
		p.Env[k] = val
		return nil
	})
	return func(w io.Writer) error {
		if len(p.Addrs) == 0 {
			p.Addrs = []string{"127.0.0.1:5000"}
		}
		return p.Render(w)
	}
}

func listFlag(list *[]string) func(string) error {
	return func(v string) error {
		*list = append(*list, v)
		return nil
	}
}

// writeFileAtomic writes data next to path, syncs it and renames it over
// path: Nginx or Supervisor reading it meanwhile sees the old file or the
// new one, never a part.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
