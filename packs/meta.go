package packs

import (
	"strconv"

	"github.com/psyx-lab/psyx/model"
)

// Why a pack upload is refused.
var (
	ErrNothingUploaded = model.Fail(model.NothingUploaded)
	ErrInvalidPackName = model.Fail(model.InvalidPackName)
	ErrInvalidAgeBound = model.Fail(model.InvalidAgeBound)
	ErrInvalidSex      = model.Fail(model.InvalidPackSex)
	ErrInvalidSize     = model.Fail(model.InvalidSize)
)

// Meta is a pack's name and target participants.
type Meta struct {
	Name   string
	Sex    int
	AgeMin int
	AgeMax int
}

// ParseMeta checks the form fields of an upload, in this order: name, age
// bounds, sex.
func ParseMeta(name, sex, ageMin, ageMax string) (Meta, error) {
	if !ValidPackName(name) {
		return Meta{}, ErrInvalidPackName
	}
	lo, ok1 := parseAge(ageMin)
	hi, ok2 := parseAge(ageMax)
	if !ok1 || !ok2 || lo > hi {
		return Meta{}, ErrInvalidAgeBound
	}
	s, err := strconv.Atoi(sex)
	if err != nil || (s != 1 && s != 2) {
		return Meta{}, ErrInvalidSex
	}
	return Meta{Name: name, Sex: s, AgeMin: lo, AgeMax: hi}, nil
}

func parseAge(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= 120
}
