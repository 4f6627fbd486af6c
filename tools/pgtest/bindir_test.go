package pgtest

import "testing"

func TestNewestVersionDir(t *testing.T) {
	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"none", nil, ""},
		{"one", []string{"/usr/lib/postgresql/15/bin"}, "/usr/lib/postgresql/15/bin"},
		{"numeric, not lexical", []string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/9.6/bin"}, "/usr/lib/postgresql/16/bin"},
		{"minor versions", []string{"/usr/lib/postgresql/9.10/bin", "/usr/lib/postgresql/9.6/bin"}, "/usr/lib/postgresql/9.10/bin"},
		{"not a version sorts first", []string{"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/devel/bin"}, "/usr/lib/postgresql/15/bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newestVersionDir(tt.dirs); got != tt.want {
				t.Errorf("newestVersionDir(%v) = %q, want %q", tt.dirs, got, tt.want)
			}
		})
	}
}
