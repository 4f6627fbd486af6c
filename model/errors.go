package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reason names one condition that a person caused (a wrong input, a name
// taken, a run that does not exist). The layers below the API say which
// condition happened and with which values; the API alone words the
// sentence a person reads (api/messages.go), one wording per Reason.
type Reason string

// The conditions the service's lower layers report. Values, in order, are
// listed beside each; the API may add reasons of its own (input checks).
const (
	PackNotFound      Reason = "pack-not-found"      // id
	NoSuitablePack    Reason = "no-suitable-pack"    //
	PackExisted       Reason = "pack-existed"        //
	PackOverlapped    Reason = "pack-overlapped"     //
	NothingUploaded   Reason = "nothing-uploaded"    //
	InvalidPackName   Reason = "invalid-pack-name"   //
	InvalidAgeBound   Reason = "invalid-age-bound"   //
	InvalidPackSex    Reason = "invalid-pack-sex"    //
	InvalidSize       Reason = "invalid-folder-size" //
	InvalidImage      Reason = "invalid-image"       // file
	ImageTooLarge     Reason = "image-too-large"     // file, width, height
	UnreadableImage   Reason = "unreadable-image"    // file, the decoder's reason
	MixedPrefixes     Reason = "mixed-prefixes"      // first prefix, other prefix
	MixedSizes        Reason = "mixed-sizes"         // file, w, h, first file, w, h
	UploadTooLarge    Reason = "upload-too-large"    // limit in MB
	UploadBroken      Reason = "upload-broken"       //
	UnknownRun        Reason = "unknown-run"         //
	UnknownResume     Reason = "unknown-resume"      //
	UnknownCompletion Reason = "unknown-completion"  //
	RunNotFinished    Reason = "run-not-finished"    //
	TokenUsed         Reason = "token-used"          //
	ProgressConflict  Reason = "progress-conflict"   //
	AnswersDiffer     Reason = "answers-differ"      // (a submit's answers against those saved)
	NotForThisPack    Reason = "not-for-this-pack"   // (the person's sex or age)
	UnknownReply      Reason = "unknown-reply"       // r_id
	NoReplies         Reason = "no-replies"          // p_id
	NoAnswers         Reason = "no-answers"          // r_id
	TooFewReplies     Reason = "too-few-replies"     //
	DifferentStimuli  Reason = "different-stimuli"   //
	NoParameters      Reason = "no-parameters"       // p_id (a pack uploaded as images)
)

// Error is a condition a person caused, with the values a message names.
// It carries no sentence: the API words it.
type Error struct {
	Reason Reason
	Values []any
	// Private marks Values as personal data (a name someone typed): the
	// person sees them, the log does not.
	Private bool
	// Cause is what the log gets beside the reason (a client's broken
	// upload, say); never shown to the person.
	Cause error
	// Detail is a more precise condition that the message adds after its
	// own (which answer of a submit was wrong).
	Detail *Error
}

// Fail makes an *Error.
func Fail(reason Reason, values ...any) *Error { return &Error{Reason: reason, Values: values} }

// Error is the reason and its values, for logs and tests: never shown to a
// person (that is the API's wording).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Reason))
	if !e.Private {
		for _, v := range e.Values {
			fmt.Fprintf(&b, " %v", v)
		}
	}
	if e.Detail != nil {
		b.WriteString(": ")
		b.WriteString(e.Detail.Error())
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap is the cause, so errors.Is finds it.
func (e *Error) Unwrap() error { return e.Cause }

// With is e with detail after it.
func (e *Error) With(detail *Error) *Error {
	out := *e
	out.Detail = detail
	return &out
}

// ReasonOf is the reason of err's *Error, or "" when err is none (an
// internal fault).
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
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
