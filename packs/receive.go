package packs

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
)

// formFields are the text parts of an upload; other text parts are ignored.
var formFields = []string{"pack_name", "sex", "age_min", "age_max"}

// maxFieldBytes bounds one text field of the form.
const maxFieldBytes = 256

// Receive reads a multipart/form-data pack upload: the text fields
// pack_name, sex, age_min and age_max, and the images as repeated "file"
// parts (a browser folder upload: only the last element of a part's file
// name counts), streamed one by one into a new staged upload, so memory
// does not grow with the pack. check judges the fields as soon as all have
// arrived, so a taken name is refused before 300 MB of images are read
// when the fields come first. On error nothing is left staged.
//
// body should be an http.MaxBytesReader: its limit becomes UploadTooLarge.
// A form cut off anywhere is UploadBroken.
func (l *Library) Receive(contentType string, body io.Reader, check func(fields map[string]string) (Meta, error)) (*Upload, Meta, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, Meta{}, ErrNothingUploaded
	}
	r := &receiver{lib: l, check: check, fields: map[string]string{}}
	tail := &tailReader{r: body}
	err = r.read(multipart.NewReader(tail, params["boundary"]), tail, []byte("--"+params["boundary"]+"--"))
	if err == nil && r.up == nil {
		err = ErrNothingUploaded
	}
	if err == nil && r.meta == nil {
		err = r.checkFields()
	}
	if err != nil {
		if r.up != nil {
			if derr := r.up.Discard(); derr != nil {
				l.log.Error("discard upload", zap.Error(derr))
			}
		}
		return nil, Meta{}, err
	}
	return r.up, *r.meta, nil
}

type receiver struct {
	lib    *Library
	check  func(map[string]string) (Meta, error)
	fields map[string]string
	meta   *Meta
	up     *Upload
}

func (r *receiver) read(mr *multipart.Reader, tail *tailReader, closing []byte) error {
	for {
		part, err := mr.NextPart()
		// Only a bare io.EOF is the end: NextPart wraps the EOF of a body
		// cut off mid-part, and errors.Is would take that for the end too.
		// And a body cut off inside a part's header also reads as a bare
		// io.EOF: only the closing boundary proves the form is whole.
		if err == io.EOF { //nolint:errorlint
			if !bytes.Contains(tail.last, closing) {
				return readErr(io.ErrUnexpectedEOF)
			}
			return nil
		}
		if err != nil {
			return readErr(err)
		}
		if err := r.part(part); err != nil {
			return err
		}
	}
}

func (r *receiver) part(part *multipart.Part) error {
	name := part.FormName()
	if name != "file" {
		if !isFormField(name) {
			return nil
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
		if err != nil {
			return readErr(err)
		}
		r.fields[name] = string(v)
		return nil
	}
	if r.meta == nil && len(r.fields) == len(formFields) {
		if err := r.checkFields(); err != nil {
			return err
		}
	}
	if r.up == nil {
		up, err := r.lib.NewUpload()
		if err != nil {
			return err
		}
		r.up = up
	}
	body := &readRecorder{r: part}
	kept, err := r.up.Add(part.FileName(), body)
	if err != nil {
		if body.err != nil {
			return readErr(body.err) // the client's broken upload, not our disk
		}
		return err
	}
	if !kept {
		r.lib.log.Info("upload: skipped a file that is not a stimulus image", zap.String("file", model.Echo(part.FileName())))
	}
	return nil
}

func (r *receiver) checkFields() error {
	meta, err := r.check(r.fields)
	if err != nil {
		return err
	}
	r.meta = &meta
	return nil
}

func isFormField(name string) bool {
	for _, f := range formFields {
		if f == name {
			return true
		}
	}
	return false
}

func readErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return model.Fail(model.UploadTooLarge, tooBig.Limit>>20)
	}
	return &model.Error{Reason: model.UploadBroken, Cause: err}
}

// tailReader keeps the last bytes read, to see the closing boundary.
type tailReader struct {
	r    io.Reader
	last []byte
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	const keep = 256 // a boundary is at most 70 bytes
	if n >= keep {
		t.last = append(t.last[:0], p[n-keep:n]...)
	} else {
		t.last = append(t.last, p[:n]...)
		if len(t.last) > keep {
			t.last = append(t.last[:0], t.last[len(t.last)-keep:]...)
		}
	}
	return n, err
}

// readRecorder remembers a read error, to tell a broken upload (the
// client's fault) from a failing disk (ours).
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		rr.err = err
	}
	return n, err
}
