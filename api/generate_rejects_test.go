package api_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"net/http"
	"testing"

	"github.com/psyx-lab/psyx/tools/testkit"
)

// Every refusal of a generate request, with its sentence; after each,
// nothing new is stored and nothing is left in staging.
func TestGenerateRejects(t *testing.T) {
	e := newEnv(t, envOptions{pairs: 3})
	face := testkit.Encode(testkit.BaseImage(64), testkit.PNG)
	wantStatus(t, e.generate(t, "", meta.with("pack_name", "taken", "age_min", "50", "age_max", "59"), "face.png", face),
		http.StatusOK, "Pack 1 Added.")
	flat := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range flat.Pix {
		flat.Pix[i] = 77
	}
	grey := func(w, h int) []byte { return testkit.Encode(image.NewGray(image.Rect(0, 0, w, h)), testkit.PNG) }
	tests := []struct {
		name     string
		query    string
		form     fields
		file     string
		base     []byte
		status   int
		want     string
		isPrefix bool
	}{
		{"no base", "", meta, "", nil, 400, "Nothing Uploaded", false},
		{"name missing", "", meta.with("pack_name", "-"), "face.png", face, 400, "Invalid Pack Name", false},
		{"name upper case", "", meta.with("pack_name", "Gen"), "face.png", face, 400, "Invalid Pack Name", false},
		{"ages reversed", "", meta.with("age_min", "30"), "face.png", face, 400, "Invalid Age Bound", false},
		{"sex 3", "", meta.with("sex", "3"), "face.png", face, 400, "Invalid Sex", false},
		{"name taken", "", meta.with("pack_name", "taken"), "face.png", face, 400, "Pack Existed", false},
		// Found only when the row is inserted, after the images are made.
		{"range overlapped", "", meta.with("age_min", "55", "age_max", "70"), "face.png", face, 400, "Pack Condition Overlapped", false},
		{"not an image", "", meta, "notes.png", []byte("hello"), 400, "Invalid Image: notes.png", false},
		{"empty file", "", meta, "face.jpg", []byte{}, 400, "Invalid Image: face.jpg", false},
		{"a folder path", "", meta, "faces/sub/empty.png", []byte{}, 400, "Invalid Image: empty.png", false},
		{"cut off", "", meta, "cut.png", face[:len(face)/2], 400, "Unreadable Image: cut.png: png: invalid format: not enough pixel data", false},
		{"not square", "", meta, "wide.png", grey(64, 48), 400, "Base Image Not Square: wide.png is 64×48", false},
		{"over max pixels", "", meta, "big.png", grey(1025, 1025), 400, "Image Too Large: big.png (1025×1025)", false},
		{"header claims 30000²", "", meta, "huge.png", pngClaiming(t, face, 30000), 400, "Image Too Large: huge.png (30000×30000)", false},
		{"flat with stretching", "", meta, "flat.png", testkit.Encode(flat, testkit.PNG), 400, "Base Image Flat: every pixel of flat.png is the same grey", true},
		{"side unusable", "", meta, "face100.png", testkit.Encode(testkit.BaseImage(100), testkit.PNG), 400,
			"Invalid img_size: 100: that is the base's side; send an img_size from 64 to 1024, a multiple of 16, to resize it", false},
		{"trials 0", "", meta.with("trials", "0"), "face.png", face, 400, "Invalid trials: 0: must be from 1 to 2000", false},
		{"trials 2001", "", meta.with("trials", "2001"), "face.png", face, 400, "Invalid trials: 2001: must be from 1 to 2000", false},
		{"trials not pairs_per_pack", "", meta.with("trials", "4"), "face.png", face, 400, "Invalid trials: 4: must be 3, the server's pairs_per_pack", false},
		{"img_size 32", "", meta.with("img_size", "32"), "face.png", face, 400, "Invalid img_size: 32: must be from 64 to 1024 and a multiple of 16 at nscales 5", false},
		{"img_size 2048", "", meta.with("img_size", "2048"), "face.png", face, 400, "Invalid img_size: 2048: must be from 64 to 1024 and a multiple of 16 at nscales 5", false},
		{"img_size untiled", "", meta.with("img_size", "72"), "face.png", face, 400, "Invalid img_size: 72: must be from 64 to 1024 and a multiple of 16 at nscales 5", false},
		{"nscales 0", "", meta.with("nscales", "0"), "face.png", face, 400, "Invalid nscales: 0: must be from 1 to 7", false},
		{"nscales 8", "", meta.with("nscales", "8"), "face.png", face, 400, "Invalid nscales: 8: must be from 1 to 7", false},
		{"noise", "", meta.with("noise", "Perlin"), "face.png", face, 400, "Invalid noise: Perlin: must be sinusoid or gabor", false},
		{"sigma", "", meta.with("sigma", "-1"), "face.png", face, 400, "Invalid sigma: -1: must be a number above 0", false},
		{"seed", "", meta.with("seed", "12a"), "face.png", face, 400, "Invalid seed: 12a: must be a whole number", false},
		{"maximize_contrast", "", meta.with("maximize_contrast", "yes"), "face.png", face, 400, "Invalid maximize_contrast: yes: must be 1 or 0", false},
		{"preview 2", "?preview=2", meta, "face.png", face, 400, "Invalid preview: 2: must be 1 or 0", false},
		{"over the body limit", "", meta, "photo.jpg", testkit.PaddedJPEG(9 << 20), 400, "Upload Too Large: the limit is 8 MB", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.generate(t, tc.query, tc.form, tc.file, tc.base)
			if tc.isPrefix {
				wantPrefix(t, r, tc.status, tc.want)
			} else {
				wantStatus(t, r, tc.status, tc.want)
			}
			if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if got := e.wantWhole(t, 1); got[0] != "taken" {
				t.Errorf("packs folder holds %v", got)
			}
		})
	}

	requests := []struct {
		name   string
		build  func() *http.Request
		status int
		want   string
	}{
		{"two bases", func() *http.Request {
			ct, body := testkit.GenerateBody(t, meta.list(), "a.png", face)
			body = bytes.Replace(body, []byte("\r\n--"+boundary(ct)+"--"),
				[]byte("\r\n--"+boundary(ct)+"\r\nContent-Disposition: form-data; name=\"base\"; filename=\"b.png\"\r\n\r\n"+string(face)+"\r\n--"+boundary(ct)+"--"), 1)
			return generateRequest(t, e, ct, body)
		}, 400, "Invalid base: more than one file"},
		{"cut off form", func() *http.Request {
			ct, body := testkit.GenerateBody(t, meta.list(), "face.png", face)
			return generateRequest(t, e, ct, body[:len(body)-40])
		}, 400, "Invalid Upload: the form data is broken or was cut off"},
		{"not a form", func() *http.Request {
			return generateRequest(t, e, "application/json", []byte(`{"pack_name":"gen"}`))
		}, 400, "Nothing Uploaded"},
		{"another site", func() *http.Request {
			ct, body := testkit.GenerateBody(t, meta.list(), "face.png", face)
			req := generateRequest(t, e, ct, body)
			req.Header.Set("Origin", "https://evil.example")
			return req
		}, 403, "Cross-Site Request Refused"},
	}
	for _, tc := range requests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, e.do(t, tc.build()), tc.status, tc.want)
			e.wantWhole(t, 1)
		})
	}
}

func generateRequest(t *testing.T, e *env, contentType string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/api/admin/generate", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

// pngClaiming is a PNG whose header says side×side (its checksum mended):
// decoding it would need gigabytes, reading its header does not.
func pngClaiming(t *testing.T, data []byte, side uint32) []byte {
	t.Helper()
	out := bytes.Clone(data)
	if string(out[12:16]) != "IHDR" {
		t.Fatal("no IHDR first")
	}
	binary.BigEndian.PutUint32(out[16:], side)
	binary.BigEndian.PutUint32(out[20:], side)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// A pack uploaded as images has no parameters; ids and formats are
// checked as everywhere.
func TestStimuliRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	if id := e.createPack(t, "uploaded", 2, 20, 29); id != 1 {
		t.Fatalf("pack id %d", id)
	}
	tests := []struct{ query, want string }{
		{"?id=1", "Pack 1 Has No Parameters"},
		{"?id=1&format=csv", "Pack 1 Has No Parameters"},
		{"?id=1&format=base", "Pack 1 Has No Parameters"},
		{"?id=99", "Pack 99 Not Found"},
		{"?id=abc", "Pack abc Not Found"},
		{"?id=0", "Pack 0 Not Found"},
		{"", "Pack  Not Found"},
		{"?id=1&format=xml", "Unknown Format xml: use json, csv or base"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			wantStatus(t, e.get(t, "/api/admin/stimuli"+tc.query), http.StatusBadRequest, tc.want)
		})
	}
}
