package packs

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"slices"

	"github.com/psyx-lab/psyx/model"
)

// MaxBaseBytes bounds a base image, which is held in memory (a 1024² PNG
// of 16-bit RGBA is 8 MB before compression).
const MaxBaseBytes = 32 << 20

// GenerateForm is a request to make a pack from one base face: its text
// fields and its base image.
type GenerateForm struct {
	// Fields are pack_name, sex, age_min, age_max and RecipeFields, as sent;
	// a field not sent is absent.
	Fields map[string]string
	// BaseName is the base's file name as the client gave it.
	BaseName string
	// Base is the image's bytes; nil when no base was sent.
	Base []byte
	// Params, when not nil, are the pack's parameters instead of those
	// drawn from its seed: Trials × NParams(NScales) values, trial-major
	// (another generator's, such as rcicr's params.csv read with
	// stimuli.ReadParamsCSV). A request never sets them.
	Params []float64
}

// ReceiveGenerate reads a multipart/form-data generate request: its text
// fields (other parts are ignored) and one "base" file of at most maxBase
// bytes, held in memory. A form without a closing boundary, or cut off, is
// UploadBroken; a base over maxBase, or a body over an
// http.MaxBytesReader's limit, is UploadTooLarge; not a form at all is
// NothingUploaded, as a create says.
func ReceiveGenerate(contentType string, body io.Reader, maxBase int64) (*GenerateForm, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, ErrNothingUploaded
	}
	tail := &tailReader{r: body}
	mr := multipart.NewReader(tail, params["boundary"])
	closing := []byte("--" + params["boundary"] + "--")
	form := &GenerateForm{Fields: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF { //nolint:errorlint // only a bare io.EOF is the end (see receiver.read)
			if !bytes.Contains(tail.last, closing) {
				return nil, readErr(io.ErrUnexpectedEOF)
			}
			return form, nil
		}
		if err != nil {
			return nil, readErr(err)
		}
		if err := form.part(part, maxBase); err != nil {
			return nil, err
		}
	}
}

func (f *GenerateForm) part(part *multipart.Part, maxBase int64) error {
	name := part.FormName()
	switch {
	case name == "base":
		if f.Base != nil {
			return model.Fail(InvalidField, "base", "more than one file")
		}
		data, err := io.ReadAll(io.LimitReader(part, maxBase+1))
		if err != nil {
			return readErr(err)
		}
		if int64(len(data)) > maxBase {
			return model.Fail(model.UploadTooLarge, maxBase>>20)
		}
		f.BaseName, f.Base = part.FileName(), data // io.ReadAll never returns nil
	case isFormField(name) || slices.Contains(RecipeFields, name):
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
		if err != nil {
			return readErr(err)
		}
		f.Fields[name] = string(v)
	}
	return nil
}
