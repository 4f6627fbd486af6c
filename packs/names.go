// Package packs owns the pack image folders: which uploaded files belong to
// a pack, checking their bytes, and moving a complete folder into place so
// that Nginx never serves half a pack. It also makes a pack from one base
// face (generate.go, with package stimuli) and keeps, beside its images,
// what it was made with (stimuli.go).
package packs

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/psyx-lab/psyx/model"
)

// fileRE is a stimulus image name: <prefix>_<5-digit pair>_<ori|inv>.<jpg|jpeg|png>.
var fileRE = regexp.MustCompile(`^([A-Za-z0-9._-]+)_(\d{5})_(ori|inv)\.(?i:(jpg|jpeg|png))$`)

// FileName is a parsed stimulus file name.
type FileName struct {
	Base   string // the name as stored: the last element of the client's path
	Prefix string // what comes before _<pair>_
	Pair   int    // 1-based pair number
	Side   int    // model.Ori or model.Inv
	PNG    bool   // else JPEG
}

// maxNameLen keeps a stored name well inside the file system's limit (255
// bytes); the HTTP fuzzer found the 500 a longer one gave.
const maxNameLen = 200

// ParseFileName takes the client's file name (a browser folder upload may
// send "folder/sub/x_00001_ori.jpg", Windows "folder\x.jpg"), keeps its last
// element and tells whether it is a stimulus image. Hidden files (".DS_Store",
// "._x_00001_ori.jpg" from macOS) are never stimuli.
func ParseFileName(clientName string) (FileName, bool) {
	base := path.Base(strings.ReplaceAll(clientName, `\`, "/"))
	if base == "" || strings.HasPrefix(base, ".") || len(base) > maxNameLen {
		return FileName{}, false
	}
	m := fileRE.FindStringSubmatch(base)
	if m == nil {
		return FileName{}, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return FileName{}, false
	}
	fn := FileName{Base: base, Prefix: m[1], Pair: n, Side: model.Ori, PNG: strings.EqualFold(m[4], "png")}
	if m[3] == "inv" {
		fn.Side = model.Inv
	}
	return fn, true
}

// packNameRE: lower-case letter first, at most 15 characters (shorter than 16).
var packNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,14}$`)

// ValidPackName tells whether name may name a pack (and its folder).
func ValidPackName(name string) bool { return packNameRE.MatchString(name) }
