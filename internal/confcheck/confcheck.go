// Package confcheck holds the checks the config renderers (nginx/,
// supervisor/) run on their parameters before rendering: a missing or
// malformed value is an error naming its flag, never an empty string or a
// broken line in a rendered config.
package confcheck

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// Errors collects the problems of one set of parameters.
type Errors struct {
	what string
	errs []error
}

// New starts the checks of what ("nginx site", ...).
func New(what string) *Errors { return &Errors{what: what} }

// Err is nil when every check passed, else all the problems at once.
func (e *Errors) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", e.what, errors.Join(e.errs...))
}

func (e *Errors) add(format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf(format, args...))
}

// Text checks a plain value: present, one line, none of bad's characters.
func (e *Errors) Text(flag, v, bad string) bool {
	switch {
	case v == "":
		e.add("missing --%s", flag)
	case strings.ContainsAny(v, "\n\r\x00"+bad):
		e.add("--%s %q: no line breaks or any of %q", flag, v, bad)
	default:
		return true
	}
	return false
}

// Path checks an absolute path without bad's characters.
func (e *Errors) Path(flag, v, bad string) {
	if e.Text(flag, v, bad) && !filepath.IsAbs(v) {
		e.add("--%s %q: must be an absolute path", flag, v)
	}
}

// HostPort checks host:port with a numeric port.
func (e *Errors) HostPort(flag, v string) {
	if !e.Text(flag, v, " \t;{}\"'#$") {
		return
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		e.add("--%s %q: want host:port", flag, v)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		e.add("--%s %q: bad port", flag, v)
	}
}

// Positive checks a number that must be at least 1.
func (e *Errors) Positive(flag string, n int) {
	if n < 1 {
		e.add("--%s %d: must be at least 1", flag, n)
	}
}

// Fail records a problem found by the caller's own check.
func (e *Errors) Fail(format string, args ...any) { e.add(format, args...) }
