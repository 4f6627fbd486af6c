package testkit

import (
	"bytes"
	"mime/multipart"
	"testing"
)

// Field is one text field of a form, in the order it is sent.
type Field struct{ Name, Value string }

// PackFields are the text fields of a pack upload.
func PackFields(name, sex, ageMin, ageMax string) []Field {
	return []Field{{"pack_name", name}, {"sex", sex}, {"age_min", ageMin}, {"age_max", ageMax}}
}

// UploadBody is a multipart/form-data body as a browser's folder upload
// sends it: the fields, then every file as a "file" part. It returns the
// Content-Type (with the boundary) and the body.
func UploadBody(tb testing.TB, fields []Field, files []PackFile) (string, []byte) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}
