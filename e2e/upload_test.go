package e2e

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// PackForm is the form fields of an upload.
type PackForm struct {
	Name           string
	Sex            int
	AgeMin, AgeMax int
}

// Upload is a pack upload in progress: files are streamed to the server as
// they are added, like a browser sending a big folder.
type Upload struct {
	pw   *io.PipeWriter
	mw   *multipart.Writer
	done chan uploadResult
}

type uploadResult struct {
	resp Response
	err  error
}

// BeginUpload starts POST url (absolute, or a path on Nginx) and sends the
// form fields; add files with File, then Finish.
func (s *Stack) BeginUpload(c *http.Client, url string, form PackForm, header http.Header) (*Upload, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := http.NewRequest(http.MethodPost, s.abs(url), pr)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	u := &Upload{pw: pw, mw: mw, done: make(chan uploadResult, 1)}
	go func() {
		resp, err := trySend(c, req)
		pr.CloseWithError(fmt.Errorf("request ended: %v", err))
		u.done <- uploadResult{resp, err}
	}()
	fields := [][2]string{
		{"pack_name", form.Name}, {"sex", strconv.Itoa(form.Sex)},
		{"age_min", strconv.Itoa(form.AgeMin)}, {"age_max", strconv.Itoa(form.AgeMax)},
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return u, err
		}
	}
	return u, nil
}

// File sends one image part. name is what a browser folder upload sends:
// the path relative to the chosen folder.
func (u *Upload) File(name string, r io.Reader) error {
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", "application/octet-stream")
	w, err := u.mw.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// Finish ends the body and waits for the answer. A server that answered
// before reading everything (401, 413, 400) makes writes fail; its answer
// is what counts.
func (u *Upload) Finish() (Response, error) {
	u.mw.Close()
	u.pw.Close()
	res := <-u.done
	return res.resp, res.err
}

// UploadDir uploads every file of dir (sorted) as a browser folder upload
// named after dir, as the admin, through Nginx unless url says otherwise.
func (s *Stack) UploadDir(t *testing.T, c *http.Client, url string, form PackForm, dir string, header http.Header) Response {
	t.Helper()
	u, err := s.BeginUpload(c, url, form, header)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		err = u.File(filepath.Base(dir)+"/"+e.Name(), f)
		f.Close()
		if err != nil {
			break // the server answered early; Finish reports it
		}
	}
	r, err := u.Finish()
	if err != nil {
		t.Fatalf("upload %s: %v", form.Name, err)
	}
	return r
}

var packAdded = regexp.MustCompile(`^Pack (\d+) Added\.$`)

// CreatePack generates a pack of pairs image pairs (prefix = name), uploads
// it through Nginx as the admin and returns its p_id.
func (s *Stack) CreatePack(t *testing.T, name string, sex, ageMin, ageMax, pairs int) int {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	WritePackFiles(t, dir, name, pairs)
	r := s.UploadDir(t, s.admin, "/api/admin/create", PackForm{name, sex, ageMin, ageMax}, dir, nil)
	return packID(t, r)
}

func packID(t *testing.T, r Response) int {
	t.Helper()
	m := packAdded.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("create pack: want 200 \"Pack N Added.\", got %v", r)
	}
	id, _ := strconv.Atoi(string(m[1]))
	return id
}
