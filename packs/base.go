package packs

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"path"
	"strings"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/stimuli"
)

// Why a base image is refused.
const (
	BaseNotSquare model.Reason = "base-not-square" // file, width, height
	BaseFlat      model.Reason = "base-flat"       // file
)

// baseName is the name a base image is called by in messages: the last
// element of the client's file name, printable.
func baseName(clientName string) string {
	name := path.Base(strings.ReplaceAll(clientName, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "base"
	}
	return model.Echo(name)
}

// decodeBase reads a base face, judging its header before its pixels: a
// PNG or JPEG (InvalidImage), square (BaseNotSquare), at most maxPixels
// pixels (ImageTooLarge); then the decoder's own refusal is
// UnreadableImage. It returns the image and its side.
func decodeBase(clientName string, data []byte, maxPixels int) (image.Image, int, error) {
	name := baseName(clientName)
	decodeConfig, decode := jpeg.DecodeConfig, jpeg.Decode
	switch {
	case bytes.HasPrefix(data, pngMagic):
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case bytes.HasPrefix(data, jpegMagic):
	default:
		return nil, 0, model.Fail(model.InvalidImage, name)
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, model.Fail(model.InvalidImage, name)
	}
	w, h := cfg.Width, cfg.Height
	if w != h {
		return nil, 0, model.Fail(BaseNotSquare, name, w, h)
	}
	if int64(w)*int64(h) > int64(maxPixels) || w > stimuli.MaxSourceSize {
		return nil, 0, model.Fail(model.ImageTooLarge, name, w, h)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, &model.Error{Reason: model.UnreadableImage, Values: []any{name, model.Echo(err.Error())}, Cause: err}
	}
	return img, w, nil
}

// prepareBase is stimuli.PrepareBase with a flat base as BaseFlat.
func prepareBase(clientName string, img image.Image, size int, maximizeContrast bool) ([]float64, error) {
	base, err := stimuli.PrepareBase(img, size, maximizeContrast)
	if errors.Is(err, stimuli.ErrFlatImage) {
		return nil, model.Fail(BaseFlat, baseName(clientName))
	}
	return base, err
}
