package testkit

import (
	"image"
	"image/color"
	"testing"
)

// BaseImage is Face(size) as a colour photo of the face (a warm tint:
// red ×1.08, blue ×0.9, as the rcicr fixture's face.png), the kind of
// base a researcher sends to make a pack from.
func BaseImage(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i, v := range Face(size) {
		g := 255 * v
		img.SetNRGBA(i%size, i/size, color.NRGBA{R: uint8(min(255, g*1.08)), G: uint8(g), B: uint8(g * 0.9), A: 255})
	}
	return img
}

// GenerateBody is a multipart/form-data generate request: the fields, then
// the base image as a "base" part named baseName (none when base is nil).
// It returns the Content-Type (with the boundary) and the body.
func GenerateBody(tb testing.TB, fields []Field, baseName string, base []byte) (string, []byte) {
	tb.Helper()
	var files []PackFile
	if base != nil {
		files = []PackFile{{Name: baseName, Data: base}}
	}
	ct, body, err := MultipartBody(fields, "base", files)
	if err != nil {
		tb.Fatal(err)
	}
	return ct, body
}
