package main

import (
	"os"
	"path/filepath"
	"testing"
)

const wrkOutput = `Running 10s test @ http://127.0.0.1:15800
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.01ms    8.20ms 120.55ms   80.00%
  Latency Distribution
     50%  812.00us
     75%   14.20ms
     90%   20.11ms
     99%    1.20s
  53930 requests in 10.01s, 700.22MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   5385.41
Transfer/sec:     69.95MB
`

func TestParseWrk(t *testing.T) {
	got := parseWrk(wrkOutput)
	want := wrkResult{rps: 5385.41, p50: 0.812, p99: 1200, requests: 53930, non2xx: 7, socketErrors: "connect0,read0,write0,timeout3"}
	if got != want {
		t.Errorf("parseWrk = %+v, want %+v", got, want)
	}
	if got := parseWrk("Requests/sec: 10\n"); got.socketErrors != "none" {
		t.Errorf("no socket errors line: %q", got.socketErrors)
	}
}

func TestWrkMillis(t *testing.T) {
	for in, want := range map[string]float64{"812.00us": 0.812, "9.21ms": 9.21, "1.50s": 1500, "3": 3} {
		if got := wrkMillis(in); got != want {
			t.Errorf("wrkMillis(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUpdateDoc(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"replaces the section", "# P\n\n" + docBegin + "\nold\n" + docEnd + "\ntail\n", "# P\n\n" + docBegin + "\nnew\n" + docEnd + "\ntail\n"},
		{"appends when there is none", "# P\n", "# P\n\n" + docBegin + "\nnew\n" + docEnd + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "PERFORMANCE.md")
			if err := os.WriteFile(path, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := updateDoc(path, "new\n"); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if string(b) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b, tt.want)
			}
		})
	}
}
