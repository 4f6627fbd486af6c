package packs

import (
	"errors"
	"strconv"
)

// InputError is a problem with what the researcher sent: the message is
// shown to them as it is.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErr(msg string) error { return &InputError{Msg: msg} }

// The SPEC's messages for a pack upload.
var (
	ErrNothingUploaded  = inputErr("Nothing Uploaded")
	ErrInvalidPackName  = inputErr("Invalid Pack Name")
	ErrInvalidAgeBound  = inputErr("Invalid Age Bound")
	ErrInvalidSex       = inputErr("Invalid Sex")
	ErrInvalidSize      = inputErr("Invalid Folder Size")
	ErrPackExisted      = inputErr("Pack Existed")
	ErrPackOverlapped   = inputErr("Pack Condition Overlapped")
	errMissingFormField = errors.New("missing")
)

// Meta is a pack's name and target participants.
type Meta struct {
	Name   string
	Sex    int
	AgeMin int
	AgeMax int
}

// ParseMeta checks the form fields of an upload, in the SPEC's order.
func ParseMeta(name, sex, ageMin, ageMax string) (Meta, error) {
	if !ValidPackName(name) {
		return Meta{}, ErrInvalidPackName
	}
	lo, err1 := parseAge(ageMin)
	hi, err2 := parseAge(ageMax)
	if err1 != nil || err2 != nil || lo > hi {
		return Meta{}, ErrInvalidAgeBound
	}
	s, err := strconv.Atoi(sex)
	if err != nil || (s != 1 && s != 2) {
		return Meta{}, ErrInvalidSex
	}
	return Meta{Name: name, Sex: s, AgeMin: lo, AgeMax: hi}, nil
}

func parseAge(v string) (int, error) {
	if v == "" {
		return 0, errMissingFormField
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 120 {
		return 0, strconv.ErrRange
	}
	return n, nil
}
