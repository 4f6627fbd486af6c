package nginx

import (
	"strings"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

func validSite() Site {
	return Site{
		Listen: "80", ServerName: "psyx.example.org", HTMLDir: "/srv/psyx/html", DataDir: "/home/u/PsyxStatic",
		Upstreams: []string{"127.0.0.1:5000", "127.0.0.1:5001"}, Limits: DefaultLimits(),
	}
}

func TestSiteRender(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Site)
		want    []string
		notWant []string
	}{
		{"http", func(*Site) {}, []string{
			"listen 80;", "server 127.0.0.1:5001 max_fails=0;",
			"zone=psyx_reply:10m rate=10r/s;", "zone=psyx_progress:10m rate=60r/s;",
			"limit_req zone=psyx_reply burst=300 nodelay;", "limit_req zone=psyx_progress burst=600 nodelay;",
			"zone=psyx_admin:10m rate=20r/s;", "limit_req zone=psyx_admin burst=400 nodelay;",
			"limit_conn psyx_addr 600;", "limit_req_status 429;", "limit_conn_status 429;",
			"client_body_buffer_size 1m;", "location = /api/reply/progress {",
			"auth_basic_user_file /home/u/PsyxStatic/psyx.htpasswd;",
		}, []string{"ssl", "return 301", "{{", "<no value>"}},
		{"limits are parameters", func(s *Site) {
			s.Limits = Limits{ReplyRate: 1, ReplyBurst: 2, ProgressRate: 3, ProgressBurst: 4, ConnPerAddr: 5, AdminRate: 6, AdminBurst: 7}
		}, []string{"rate=1r/s;", "burst=2 nodelay;", "rate=3r/s;", "burst=4 nodelay;", "limit_conn psyx_addr 5;",
			"psyx_admin:10m rate=6r/s;", "zone=psyx_admin burst=7 nodelay;"}, nil},
		{"https on 443", func(s *Site) { s.TLS = &TLS{Listen: "443", Cert: "/c.pem", Key: "/k.pem"} }, []string{
			"listen 80;", "location ^~ /.well-known/acme-challenge/ {", "return 301 https://$host$request_uri;",
			"listen 443 ssl;", "ssl_certificate /c.pem;", "ssl_certificate_key /k.pem;", "Strict-Transport-Security",
		}, []string{"$scheme = http"}},
		{"https elsewhere keeps its port in the redirect", func(s *Site) {
			s.TLS = &TLS{Listen: "127.0.0.1:8443", Cert: "/c.pem", Key: "/k.pem"}
		}, []string{"return 301 https://$host:8443$request_uri;", "listen 127.0.0.1:8443 ssl;"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSite()
			tt.edit(&s)
			var b strings.Builder
			if err := s.Render(&b); err != nil {
				t.Fatal(err)
			}
			testkit.CheckContains(t, b.String(), tt.want, tt.notWant)
		})
	}
}

func TestSiteRefusesBadParameters(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Site)
		want string
	}{
		{"no listen", func(s *Site) { s.Listen = "" }, "missing --listen"},
		{"listen garbage", func(s *Site) { s.Listen = "eighty" }, "--listen"},
		{"no server name", func(s *Site) { s.ServerName = "" }, "missing --server-name"},
		{"no html dir", func(s *Site) { s.HTMLDir = "" }, "missing --html-dir"},
		{"relative data dir", func(s *Site) { s.DataDir = "PsyxStatic" }, "absolute"},
		{"injection", func(s *Site) { s.DataDir = "/x; include /etc/passwd" }, "--data-dir"},
		{"no upstream", func(s *Site) { s.Upstreams = nil }, "missing --upstream"},
		{"bad upstream", func(s *Site) { s.Upstreams = []string{"localhost"} }, "--upstream"},
		{"no limits", func(s *Site) { s.Limits = Limits{} }, "--reply-rate 0"},
		{"tls without key", func(s *Site) { s.TLS = &TLS{Listen: "443", Cert: "/c"} }, "missing --tls-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSite()
			tt.edit(&s)
			var b strings.Builder
			err := s.Render(&b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes before refusing", b.Len())
			}
		})
	}
}

func TestStandaloneRender(t *testing.T) {
	s := Standalone{RunDir: "/run/x", MimeTypes: "/etc/nginx/mime.types", SiteConf: "/run/x/psyx.conf", WorkerConnections: DefaultWorkerConnections}
	var b strings.Builder
	if err := s.Render(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"worker_connections 8192;", "worker_rlimit_nofile 16384;", "include /run/x/psyx.conf;", "error_log /run/x/nginx-error.log warn;"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("lacks %q", w)
		}
	}
	if strings.Contains(b.String(), "user ") {
		t.Error("a user directive without a user")
	}
	s.User = "root root"
	b.Reset()
	if err := s.Render(&b); err != nil || !strings.Contains(b.String(), "user root root;") {
		t.Errorf("user: %v", err)
	}
	if err := (Standalone{}).Render(&b); err == nil || !strings.Contains(err.Error(), "missing --run-dir") {
		t.Errorf("empty: %v", err)
	}
}
