package model

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Code says whose fault an error is and what kind it is; the API maps each
// to one HTTP status.
type Code string

// The codes. Everything without a code is an internal fault.
const (
	Invalid   Code = "invalid"   // the input is wrong
	NotFound  Code = "not_found" // it names something that does not exist
	Conflict  Code = "conflict"  // it contradicts what is stored
	Forbidden Code = "forbidden" // a browser may not do this from there
	TooLarge  Code = "too_large" // the body is over its limit
	Internal  Code = "internal"
)

// Error is a failure with a message for the person who caused it. Log is
// what the log gets instead when Message echoes personal data.
type Error struct {
	Code    Code
	Message string
	Log     string
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an *Error whose log line is its message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Private makes an *Error whose message echoes a personal value: the client
// sees message, the log only logMsg.
func Private(code Code, message, logMsg string) *Error {
	return &Error{Code: code, Message: message, Log: logMsg}
}

// ErrorCode is the code of err's *Error, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// LogMessage is what may be logged of err's *Error.
func (e *Error) LogMessage() string {
	if e.Log != "" {
		return e.Log
	}
	return e.Message
}

// Prefixed is e with its message (and log line) after prefix + ": ".
func (e *Error) Prefixed(prefix string) *Error {
	return &Error{Code: e.Code, Message: prefix + ": " + e.Message, Log: prefix + ": " + e.LogMessage()}
}

// maxEcho bounds a value echoed in a message or a log line.
const maxEcho = 64

// Echo makes a value the client sent safe to show in a message: printable,
// at most 64 characters, and quoted when it is not valid UTF-8.
func Echo(s string) string {
	if !utf8.ValidString(s) {
		if len(s) > maxEcho {
			s = s[:maxEcho]
		}
		return strconv.QuoteToGraphic(s)
	}
	out := make([]rune, 0, min(len(s), maxEcho+1))
	for _, r := range s {
		if !unicode.IsPrint(r) {
			continue
		}
		if len(out) == maxEcho {
			return string(out) + "…"
		}
		out = append(out, r)
	}
	return string(out)
}
