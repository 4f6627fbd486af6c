package api

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/psyx-lab/psyx/model"
)

// Rules are the participant checks; name and phone differ between labs.
type Rules struct {
	Name  *regexp.Regexp
	Phone *regexp.Regexp
	// PhoneFormat puts digits typed without dashes in the stored form: one
	// # per digit ("###-####-####"); empty keeps what was typed.
	PhoneFormat string
}

var (
	emailRE  = regexp.MustCompile(`^[A-Za-z0-9]+[A-Za-z0-9.+_-]*@[A-Za-z0-9._-]+\.[a-zA-Z0-9]+$`)
	numberRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// participant checks the six personal fields in this order: name, e-mail,
// sex, age, student number, phone.
func (r Rules) participant(o object) (model.Person, error) {
	var p model.Person
	var ok bool
	p.Name, ok = o.str("name")
	if !ok || utf8.RuneCountInString(p.Name) >= 64 || !r.Name.MatchString(p.Name) {
		return p, fieldErr(invalidName, p.Name)
	}
	p.Email, ok = o.str("email")
	if !ok || utf8.RuneCountInString(p.Email) >= 48 || !emailRE.MatchString(p.Email) {
		return p, fieldErr(invalidEmail, p.Email)
	}
	sex, raw, ok := o.integer("sex")
	if !ok || (sex != 1 && sex != 2) {
		return p, fieldErr(invalidSex, raw)
	}
	p.Sex = sex
	age, raw, ok := o.integer("age")
	if !ok || age < 0 || age > 120 {
		return p, fieldErr(invalidAge, raw)
	}
	p.Age = age
	p.No, ok = o.str("no")
	if !ok || utf8.RuneCountInString(p.No) >= 20 || !numberRE.MatchString(p.No) {
		return p, fieldErr(invalidNo, p.No)
	}
	p.Phone, ok = o.str("phone")
	if ok {
		p.Phone = r.canonicalPhone(p.Phone)
	}
	if !ok || !r.Phone.MatchString(p.Phone) {
		return p, fieldErr(invalidPhone, p.Phone)
	}
	return p, nil
}

// canonicalPhone puts a number typed as digits, with or without dashes or
// spaces ("01012345678", "010 1234 5678"), in PhoneFormat, when it has as
// many digits as the format has #. Anything else is left as typed, for
// the pattern to judge.
func (r Rules) canonicalPhone(v string) string {
	if r.PhoneFormat == "" || r.Phone.MatchString(v) {
		return v
	}
	var digits []byte
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '-' || c == ' ':
		default:
			return v
		}
	}
	if len(digits) != strings.Count(r.PhoneFormat, "#") {
		return v
	}
	out := []byte(r.PhoneFormat)
	next := 0
	for i, c := range out {
		if c == '#' {
			out[i] = digits[next]
			next++
		}
	}
	return string(out)
}

// fieldErr echoes the value to the person who typed it; the log only learns
// which field was wrong: these values are personal data.
func fieldErr(reason model.Reason, value string) error {
	return &model.Error{Reason: reason, Values: []any{model.Echo(value)}, Private: true}
}
