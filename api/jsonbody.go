package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/psyx-lab/psyx/model"
)

// maxJSONBody bounds start, progress and submit bodies: 300 answers are
// about 20 KB.
const maxJSONBody = 1 << 20

// readJSONBody reads a bounded body and decodes it as one JSON object.
func readJSONBody(c *gin.Context) (object, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, model.Fail(bodyTooLarge, maxJSONBody)
		}
		return nil, &model.Error{Reason: bodyUnreadable, Cause: err}
	}
	obj, err := decodeObject(body)
	if err != nil {
		return nil, model.Fail(badJSON, err.Error())
	}
	return obj, nil
}

// object is a JSON object's members as raw values: slices of the body, not
// copies. A repeated name keeps its last value, as encoding/json does.
type object map[string][]byte

// decoders are reused: a decoder keeps its state buffers between requests.
var decoders = sync.Pool{New: func() any { return new(jsontext.Decoder) }}

// decodeObject reads one JSON object and nothing after it. jsontext checks
// the whole text as it reads (strict RFC 8259: valid UTF-8 included), so
// what it returns is valid JSON.
func decodeObject(body []byte) (object, error) {
	d := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(d)
	// A bytes.Buffer is read in place: values are slices of body.
	d.Reset(bytes.NewBuffer(body), jsontext.AllowDuplicateNames(true))
	tok, err := d.ReadToken()
	if err != nil {
		return nil, errors.New("body is not valid JSON")
	}
	if tok.Kind() != '{' {
		return nil, errors.New("body is not a JSON object")
	}
	obj := object{}
	for d.PeekKind() == '"' {
		name, err := d.ReadToken()
		if err != nil {
			return nil, errors.New("body is not valid JSON")
		}
		key := name.String()
		v, err := d.ReadValue()
		if err != nil {
			return nil, errors.New("body is not valid JSON")
		}
		end := int(d.InputOffset())
		obj[key] = body[end-len(v) : end]
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '}' {
		return nil, errors.New("body is not valid JSON")
	}
	if _, err := d.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, errors.New("body has more than one JSON value")
	}
	return obj, nil
}

// str returns a JSON string member; ok is false when it is missing or not
// a string, or holds a NUL (PostgreSQL text cannot).
func (o object) str(key string) (v string, ok bool) {
	raw, present := o[key]
	if !present {
		return "", false
	}
	text, ok := stringText(raw)
	if !ok || bytes.IndexByte(text, 0) >= 0 {
		return string(raw), false
	}
	return string(text), true
}

// integer returns a member written as a JSON integer literal (25, not "25"
// nor 25.0) of at most 9 digits; raw is what was sent.
func (o object) integer(key string) (n int, raw string, ok bool) {
	b := o[key]
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 9 {
		return 0, string(b), false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, string(b), false
		}
	}
	n, err := strconv.Atoi(string(b))
	return n, string(b), err == nil
}

// stringText is the content of a JSON string value (valid JSON, as
// decodeObject returns): the bytes in place when it has no escapes, else
// decoded.
func stringText(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return nil, false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	s, err := jsontext.AppendUnquote(nil, raw)
	if err != nil || !utf8.Valid(s) {
		return nil, false
	}
	return s, true
}
