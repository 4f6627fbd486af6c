// Package nginx renders Psyx's Nginx configs from the templates next to
// this file (embedded in the binary): the site (psyx.conf.tmpl), which
// install.sh deploys and the tests and local run use unchanged, and a
// standalone nginx.conf around it for a private Nginx. The pages Nginx
// serves live in html/.
package nginx

import (
	"embed"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"github.com/psyx-lab/psyx/internal/confcheck"
)

//go:embed *.tmpl
var templates embed.FS

var tmpl = template.Must(template.New("").Option("missingkey=error").ParseFS(templates, "*.tmpl"))

// Characters that would end or break an unquoted Nginx value.
const unsafe = " \t;{}\"'#$\\"

// Site is the parameters of the site config.
type Site struct {
	Listen     string   // plain-HTTP listen: "80", "127.0.0.1:8080", "80 default_server"
	ServerName string   // "_" or the domain(s), space-separated
	HTMLDir    string   // the pages (nginx/html of the checkout)
	DataDir    string   // PsyxStatic: psyx.htpasswd, packs/
	Upstreams  []string // host:port of each psyx instance
	TLS        *TLS     // nil: HTTP only
	Limits     Limits
}

// TLS turns on HTTPS; plain HTTP then only answers ACME challenges and
// redirects everything else.
type TLS struct {
	Listen    string // "443", "127.0.0.1:8443"
	Cert, Key string // PEM files
}

// Limits are the limits per client address: the participant API's and the
// admin door's.
type Limits struct {
	ReplyRate, ReplyBurst       int // start + submit, requests/s and burst
	ProgressRate, ProgressBurst int // /api/reply/progress
	ConnPerAddr                 int // connections with a request in flight
	AdminRate, AdminBurst       int // /admin and /api/admin/, passwords right or wrong
}

// DefaultLimits fit a class of 300 behind one NAT address and a results
// page with a hundred participants' images; the site template says why.
func DefaultLimits() Limits {
	return Limits{ReplyRate: 10, ReplyBurst: 300, ProgressRate: 60, ProgressBurst: 600, ConnPerAddr: 600,
		AdminRate: 20, AdminBurst: 400}
}

var listenRE = regexp.MustCompile(`^(\d+|[^\s:]+:\d+|\[[0-9A-Fa-f:.]+\]:\d+)( [a-z_]+)*$`)

// Validate reports every missing or malformed parameter.
func (s Site) Validate() error {
	c := confcheck.New("nginx site")
	if c.Text("listen", s.Listen, ";{}\"'#$\\") && !listenRE.MatchString(s.Listen) {
		c.Fail("--listen %q: want PORT or ADDR:PORT, then flags", s.Listen)
	}
	c.Text("server-name", s.ServerName, ";{}\"'#$\\\t")
	c.Path("html-dir", s.HTMLDir, unsafe)
	c.Path("data-dir", s.DataDir, unsafe)
	if len(s.Upstreams) == 0 {
		c.Fail("missing --upstream")
	}
	for _, u := range s.Upstreams {
		c.HostPort("upstream", u)
	}
	if s.TLS != nil {
		if c.Text("tls-listen", s.TLS.Listen, unsafe) && s.TLS.port() == "" {
			c.Fail("--tls-listen %q: want PORT or ADDR:PORT", s.TLS.Listen)
		}
		c.Path("tls-cert", s.TLS.Cert, unsafe)
		c.Path("tls-key", s.TLS.Key, unsafe)
	}
	l := s.Limits
	c.Positive("reply-rate", l.ReplyRate)
	c.Positive("reply-burst", l.ReplyBurst)
	c.Positive("progress-rate", l.ProgressRate)
	c.Positive("progress-burst", l.ProgressBurst)
	c.Positive("conn-per-addr", l.ConnPerAddr)
	c.Positive("admin-rate", l.AdminRate)
	c.Positive("admin-burst", l.AdminBurst)
	return c.Err()
}

func (t TLS) port() string {
	addr, _, _ := strings.Cut(t.Listen, " ")
	if _, err := strconv.Atoi(addr); err == nil {
		return addr
	}
	if _, p, err := net.SplitHostPort(addr); err == nil {
		return p
	}
	return ""
}

// PortSuffix is what the HTTP→HTTPS redirect adds after the host: nothing
// for 443, ":8443" otherwise.
func (t TLS) PortSuffix() string {
	if p := t.port(); p != "443" {
		return ":" + p
	}
	return ""
}

// Render writes the site config, after Validate.
func (s Site) Render(w io.Writer) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return execute(w, "psyx.conf.tmpl", s)
}

// Standalone is the parameters of a private nginx.conf around a site.
type Standalone struct {
	User              string // "root root" for a local run as root; empty: Nginx's default
	RunDir            string // pid, logs, temp folders (tmp/ must exist)
	MimeTypes         string // nginx's mime.types (MimeTypesPath finds it)
	SiteConf          string // the rendered site
	WorkerConnections int    // per worker (2 workers)
}

// DefaultWorkerConnections is the standalone default: far above what a
// class needs, and room for slow clients until the timeouts cut them.
const DefaultWorkerConnections = 8192

// RlimitNofile is the descriptor limit the workers ask for.
func (s Standalone) RlimitNofile() int { return 2 * s.WorkerConnections }

// Validate reports every missing or malformed parameter.
func (s Standalone) Validate() error {
	c := confcheck.New("nginx standalone")
	if s.User != "" {
		c.Text("user", s.User, ";{}\"'#$\\\t")
	}
	c.Path("run-dir", s.RunDir, unsafe)
	c.Path("mime-types", s.MimeTypes, unsafe)
	c.Path("site", s.SiteConf, unsafe)
	c.Positive("worker-connections", s.WorkerConnections)
	return c.Err()
}

// Render writes the nginx.conf, after Validate.
func (s Standalone) Render(w io.Writer) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return execute(w, "nginx-standalone.conf.tmpl", s)
}

func execute(w io.Writer, name string, data any) error {
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// MimeTypesPath finds the mime.types file nginx ships with.
func MimeTypesPath() (string, error) {
	for _, f := range []string{"/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types", "/usr/local/etc/nginx/mime.types"} {
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("nginx's mime.types not found: install nginx")
}
