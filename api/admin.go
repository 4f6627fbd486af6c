package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/store"
)

// packJSON is a pack as list and download show it.
type packJSON struct {
	ID     int    `json:"p_id"`
	Name   string `json:"pack_name"`
	Sex    int    `json:"sex"`
	AgeMin int    `json:"age_min"`
	AgeMax int    `json:"age_max"`
	Size   int    `json:"size"`
	Count  int    `json:"count"`
	Date   string `json:"date"`
}

func (h *Handler) packJSON(p *store.Pack) packJSON {
	return packJSON{ID: p.ID, Name: p.Name, Sex: p.Sex, AgeMin: p.AgeMin, AgeMax: p.AgeMax,
		Size: p.Size, Count: p.Count, Date: h.date(p.CreatedAt)}
}

func (h *Handler) listPacks(c *gin.Context) {
	list, err := h.Packs.ListPacks(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]packJSON, len(list))
	for i := range list {
		out[i] = h.packJSON(&list[i])
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// formFields are the text parts of an upload we read; others are ignored.
var formFields = map[string]bool{"pack_name": true, "sex": true, "age_min": true, "age_max": true}

// createPack streams a multipart upload into a staging folder, file by
// file, so memory does not grow with the pack.
func (h *Handler) createPack(c *gin.Context) {
	extendDeadlines(c, uploadDeadline)
	// Refuse a declared oversize body before reading any of it.
	if c.Request.ContentLength > h.MaxUploadBytes {
		h.fail(c, uploadReadErr(&http.MaxBytesError{Limit: h.MaxUploadBytes}))
		return
	}
	_, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || params["boundary"] == "" {
		h.fail(c, packs.ErrNothingUploaded)
		return
	}
	tail := &tailReader{r: http.MaxBytesReader(c.Writer, c.Request.Body, h.MaxUploadBytes)}
	c.Request.Body = io.NopCloser(tail)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		h.fail(c, packs.ErrNothingUploaded)
		return
	}
	closing := []byte("--" + params["boundary"] + "--")
	form := map[string]string{}
	var meta *packs.Meta
	var up *packs.Upload
	defer func() {
		if up != nil {
			if err := up.Discard(); err != nil {
				h.Log.Error("discard upload", zap.Error(err))
			}
		}
	}()
	for {
		part, err := mr.NextPart()
		// Only a bare io.EOF is the end: NextPart wraps the EOF of a body
		// cut off mid-part, and errors.Is would take that for the end too.
		// And a body cut off inside a part's header also reads as a bare
		// io.EOF: only the closing boundary proves the form is whole.
		if err == io.EOF { //nolint:errorlint
			if !bytes.Contains(tail.last, closing) {
				h.fail(c, uploadReadErr(io.ErrUnexpectedEOF))
				return
			}
			break
		}
		if err != nil {
			h.fail(c, uploadReadErr(err))
			return
		}
		name := part.FormName()
		if name != "file" {
			if formFields[name] {
				v, err := io.ReadAll(io.LimitReader(part, 256))
				if err != nil {
					h.fail(c, uploadReadErr(err))
					return
				}
				form[name] = string(v)
			}
			continue
		}
		// Check the fields before receiving 300 MB of files, when they came first.
		if meta == nil && len(form) == len(formFields) {
			if meta, err = h.checkMeta(c, form); err != nil {
				h.fail(c, err)
				return
			}
		}
		if up == nil {
			if up, err = h.Folders.NewUpload(); err != nil {
				h.fail(c, err)
				return
			}
		}
		body := &readRecorder{r: part}
		kept, err := up.Add(part.FileName(), body)
		if err != nil {
			if body.err != nil {
				err = uploadReadErr(body.err)
			}
			h.fail(c, err)
			return
		}
		if !kept {
			h.Log.Info("upload: skipped a file that is not a stimulus image", zap.String("file", safeName(part.FileName())))
		}
	}
	if up == nil {
		h.fail(c, packs.ErrNothingUploaded)
		return
	}
	if meta == nil {
		if meta, err = h.checkMeta(c, form); err != nil {
			h.fail(c, err)
			return
		}
	}
	id, err := packs.Register(c.Request.Context(), h.Packs, *meta, up)
	if err != nil {
		h.fail(c, err)
		return
	}
	text(c, "Pack "+strconv.Itoa(id)+" Added.")
}

func (h *Handler) checkMeta(c *gin.Context, form map[string]string) (*packs.Meta, error) {
	meta, err := packs.ParseMeta(form["pack_name"], form["sex"], form["age_min"], form["age_max"])
	if err != nil {
		return nil, err
	}
	taken, err := h.Packs.PackNameTaken(c.Request.Context(), meta.Name)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, packs.ErrPackExisted
	}
	return &meta, nil
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

func uploadReadErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return badInput("Upload Too Large: the limit is %d MB", tooBig.Limit>>20)
	}
	return &InputError{Msg: "Invalid Upload: the form data is broken or was cut off", LogMsg: "broken upload: " + err.Error()}
}

// safeName keeps log lines short and printable whatever the client sent.
func safeName(s string) string {
	if len(s) > 128 {
		s = s[:128]
	}
	return strconv.QuoteToGraphic(s)
}

func (h *Handler) removePack(c *gin.Context) {
	raw := c.Query("id")
	if raw == "" {
		raw = c.PostForm("id")
	}
	id, err := strconv.Atoi(raw)
	if err != nil || id < 1 {
		h.fail(c, badInput("Unknown Pack %s", clip(raw)))
		return
	}
	err = h.Packs.DeletePack(c.Request.Context(), id, h.Folders)
	if errors.Is(err, store.ErrPackNotFound) {
		h.fail(c, badInput("Unknown Pack %d", id))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	text(c, "Pack "+strconv.Itoa(id)+" Deleted.")
}

// clip bounds an echoed query value and keeps it printable.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}
