package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEcho(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "2020-1", "2020-1"},
		{"hangul", "홍길동", "홍길동"},
		{"control characters dropped", "a\x00b\nc\u202e", "abc"},
		{"64 characters kept", strings.Repeat("가", 64), strings.Repeat("가", 64)},
		{"65 clipped", strings.Repeat("가", 65), strings.Repeat("가", 64) + "…"},
		{"invalid utf-8 quoted", "a\xffb", `"a\xffb"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Echo(tc.in)
			if got != tc.want || !utf8.ValidString(got) {
				t.Fatalf("Echo(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRunState(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	done := t0.Add(time.Minute)
	tests := []struct {
		name string
		run  Run
		now  time.Time
		want RunState
	}{
		{"nothing saved", Run{LastSeen: t0}, t0.Add(29 * time.Minute), RunStarted},
		{"answers saved", Run{LastSeen: t0, Answered: 3}, t0.Add(29 * time.Minute), RunRunning},
		{"silent for the abandon time", Run{LastSeen: t0, Answered: 3}, t0.Add(30 * time.Minute), RunAbandoned},
		{"a started run goes silent", Run{LastSeen: t0}, t0.Add(time.Hour), RunAbandoned},
		{"finished stays finished", Run{LastSeen: t0, Answered: 3, FinishedAt: &done}, t0.Add(48 * time.Hour), RunFinished},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run.State(tc.now, 30*time.Minute); got != tc.want {
				t.Fatalf("state %s, want %s", got, tc.want)
			}
		})
	}
}

// An error names its condition and values for the log, never private
// ones, and is found through wrapping.
func TestErrors(t *testing.T) {
	e := &Error{Reason: "invalid-name", Values: []any{"홍"}, Private: true}
	if e.Error() != "invalid-name" {
		t.Fatalf("private values reach the log line: %q", e.Error())
	}
	outer := Fail("submit-failed").With(Fail(PackNotFound, 7))
	if outer.Error() != "submit-failed: pack-not-found 7" {
		t.Fatalf("with a detail: %q", outer.Error())
	}
	cause := errors.New("unexpected EOF")
	broken := &Error{Reason: UploadBroken, Cause: cause}
	if !errors.Is(broken, cause) || ReasonOf(fmt.Errorf("receive: %w", broken)) != UploadBroken || ReasonOf(nil) != "" {
		t.Fatal("the reason or the cause is lost through wrapping")
	}
}
