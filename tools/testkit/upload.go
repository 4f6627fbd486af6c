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
	ct, body, err := MultipartBody(fields, "file", files)
	if err != nil {
		tb.Fatal(err)
	}
	return ct, body
}

// MultipartBody is a multipart/form-data body: the fields, then every file
// as a part named part. It returns the Content-Type (with the boundary) and
// the body; for tools that have no testing.TB (the benchmark harness).
func MultipartBody(fields []Field, part string, files []PackFile) (string, []byte, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			return "", nil, err
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(part, f.Name)
		if err != nil {
			return "", nil, err
		}
		if _, err := w.Write(f.Data); err != nil {
			return "", nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return mw.FormDataContentType(), buf.Bytes(), nil
}
