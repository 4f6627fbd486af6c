// Package runs holds the participant's rules: matching a person to a pack,
// the order and sides of the pairs, who may resume a run (whoever holds its
// token or resume code, never whoever types the same name), judging saved
// and submitted answers against what the run showed, and the completion
// code. It speaks the store through a small interface and knows nothing of
// HTTP, so a rule can be tested without a server.
package runs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/psyx-lab/psyx/model"
)

// Store is what the rules read and write.
type Store interface {
	MatchPack(ctx context.Context, sex, age int) (*model.PackFiles, error)
	PackFiles(ctx context.Context, id int) (*model.PackFiles, error)
	CreateRun(ctx context.Context, nr model.NewRun, now time.Time) (*model.Run, error)
	Run(ctx context.Context, token string) (*model.Run, error)
	RunByResume(ctx context.Context, code string) (*model.Run, error)
	TouchRun(ctx context.Context, token string, now time.Time, client json.RawMessage, quiet time.Duration) error
	RunServed(ctx context.Context, token string) (*model.Served, error)
	SaveProgress(ctx context.Context, token string, answers json.RawMessage, n int, ev *model.Events, now time.Time) (int, bool, error)
	SubmitReply(ctx context.Context, r *model.Reply, now time.Time, check func(*model.Run) error) (bool, error)
	Completion(ctx context.Context, token string) (string, error)
}

// Randomizer orders pairs for a participant.
type Randomizer interface {
	Shuffle(n int, swap func(i, j int))
	IntN(n int) int
}

// Rules are the lab's settings for runs.
type Rules struct {
	ResumeWithin  time.Duration // a run seen less than this ago may be resumed
	AbandonAfter  time.Duration // a run not seen for this long is abandoned
	CompletionURL string        // with {code} and {no}; "" = none
}

// Service applies the rules. It is safe for concurrent use when its
// Randomizer is.
type Service struct {
	store  Store
	rand   Randomizer
	now    func() time.Time
	rules  Rules
	secret []byte // keys completion codes (see CompletionCode)
}

// New makes the rules' service. secret is the database's completion
// secret (32 bytes, store.Secret).
func New(store Store, rand Randomizer, now func() time.Time, rules Rules, secret []byte) *Service {
	return &Service{store: store, rand: rand, now: now, rules: rules, secret: secret}
}
