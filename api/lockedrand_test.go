package api_test

import (
	"sync"

	"github.com/psyx-lab/psyx/runs"
)

// lockedRand makes a seeded generator safe for concurrent requests.
type lockedRand struct {
	mu sync.Mutex
	r  runs.Randomizer
}

func (l *lockedRand) Shuffle(n int, swap func(i, j int)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.r.Shuffle(n, swap)
}

func (l *lockedRand) IntN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}
