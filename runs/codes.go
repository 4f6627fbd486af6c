package runs

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// crockford is base32 without I, L, O and U: nothing to misread when a
// participant copies a code by hand.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// code shows 40 bits as XXXX-XXXX.
func code(b [5]byte) string {
	s := crockford.EncodeToString(b[:])
	return s[:4] + "-" + s[4:]
}

// CompletionCode is the code that confirms a finished run: the first 40
// bits of HMAC-SHA256(secret, token). Without the database's secret nobody
// can make one, not even from the token the page holds.
func CompletionCode(secret []byte, token string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(token))
	var b [5]byte
	copy(b[:], m.Sum(nil))
	return code(b)
}

// newResumeCode is 40 random bits, the code that continues a run on
// another computer.
func newResumeCode() string {
	var b [5]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return code(b)
}

// NormalizeCode reads a code as a person types it: any case, with or
// without the dash or spaces, O for 0 and I or L for 1 (Crockford's
// rule). ok is false for anything that is not 8 such characters.
func NormalizeCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) || b.Len() == 8 {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != 8 {
		return "", false
	}
	s := b.String()
	return s[:4] + "-" + s[4:], true
}
