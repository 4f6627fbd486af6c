package model

import "time"

// Pair is one stimulus pair: the ori file and the inv file.
type Pair [2]string

// The two sides of a pair, as indexes into Pair.
const (
	Ori = 0
	Inv = 1
)

// Pack is a pack row with what the list shows of it.
type Pack struct {
	ID        int       `db:"p_id"`
	Name      string    `db:"pack_name"`
	Sex       int       `db:"sex"`
	AgeMin    int       `db:"age_min"`
	AgeMax    int       `db:"age_max"`
	Size      int       `db:"size"`
	CreatedAt time.Time `db:"created_at"`
}

// PackSummary is a pack with its reply and run counts, as the list and
// the download head show it.
type PackSummary struct {
	Pack
	Count     int        `db:"count"`
	Running   int        `db:"running"`
	Abandoned int        `db:"abandoned"`
	LastReply *time.Time `db:"last_reply"`
}

// Fits tells whether a participant of this sex and age belongs to the pack.
func (p *Pack) Fits(sex, age int) bool {
	return sex == p.Sex && age >= p.AgeMin && age <= p.AgeMax
}

// PackFiles is a pack with its pairs and an index of its files. Packs never
// change once created, so one is built once and shared read-only.
type PackFiles struct {
	Pack
	Pairs []Pair
	index map[string]FileRef
}

// FileRef is where a file sits in its pack: its 0-based pair and its side.
type FileRef struct {
	Pair int
	Side int
}

// NewPackFiles indexes the files of a pack.
func NewPackFiles(p Pack, pairs []Pair) *PackFiles {
	idx := make(map[string]FileRef, 2*len(pairs))
	for i, pr := range pairs {
		idx[pr[Ori]] = FileRef{i, Ori}
		idx[pr[Inv]] = FileRef{i, Inv}
	}
	return &PackFiles{Pack: p, Pairs: pairs, index: idx}
}

// File finds a file of the pack by name.
func (p *PackFiles) File(name []byte) (FileRef, bool) {
	ref, ok := p.index[string(name)]
	return ref, ok
}

// NewPack is what creating a pack stores.
type NewPack struct {
	Name   string
	Sex    int
	AgeMin int
	AgeMax int
	Pairs  []Pair
}

// PackFolder is the pack's image folder, moved into place inside the
// transaction that inserts its row, so the two appear together.
type PackFolder interface {
	Publish(name string) error
	Withdraw(name string) error
}

// FolderRetirer moves a deleted pack's folder out of the served tree inside
// the deleting transaction, and puts it back if that transaction fails.
type FolderRetirer interface {
	Retire(name string) (trash string, err error)
	Restore(trash, name string) error
	Purge(trash string)
}
