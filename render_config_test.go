package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderConfigCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		out      string // in stdout, or in the --out file
		toFile   bool
		inStderr string
	}{
		{"site to stdout", []string{"nginx-site", "--data-dir", "/d", "--html-dir", "/h"}, 0, "server 127.0.0.1:5000 max_fails=0;", false, ""},
		{"site with TLS", []string{"nginx-site", "--data-dir", "/d", "--html-dir", "/h", "--tls-cert", "/c", "--tls-key", "/k"}, 0, "listen 443 ssl;", false, ""},
		{"limits from flags", []string{"nginx-site", "--data-dir", "/d", "--html-dir", "/h", "--reply-rate", "25"}, 0, "rate=25r/s;", false, ""},
		{"program to a file", []string{"supervisor-program", "--command", "/bin/psyx", "--data-dir", "/d", "--user", "u", "--home", "/home/u",
			"--database-url", "dbname=psyx", "--addr", "127.0.0.1:5000", "--addr", "127.0.0.1:5001", "--env", "PSYX_CONFIG=/d/psyx.toml",
			"--out", filepath.Join(dir, "psyx.conf")}, 0, "[program:psyx_2]", true, ""},
		{"supervisord", []string{"supervisord", "--run-dir", "/r"}, 0, "files = /r/programs/*.conf", false, ""},
		{"standalone", []string{"nginx-standalone", "--run-dir", "/r", "--site", "/r/s.conf", "--mime-types", "/etc/nginx/mime.types"}, 0, "worker_connections 8192;", false, ""},
		{"missing values", []string{"nginx-site"}, 1, "", false, "missing --html-dir"},
		{"unknown kind", []string{"apache"}, 1, "", false, `unknown config "apache"`},
		{"no kind", nil, 1, "", false, "needs a KIND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"render-config"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			got := stdout.String()
			if tt.toFile {
				b, err := os.ReadFile(filepath.Join(dir, "psyx.conf"))
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
				if stdout.Len() != 0 {
					t.Errorf("stdout has %q with --out", stdout.String())
				}
				leftovers, _ := filepath.Glob(filepath.Join(dir, ".psyx.conf.*"))
				if len(leftovers) > 0 {
					t.Errorf("temp files left: %v", leftovers)
				}
			}
			if !strings.Contains(got, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, got)
			}
			if !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("stderr lacks %q: %s", tt.inStderr, stderr.String())
			}
		})
	}
}
