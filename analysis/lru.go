package analysis

import "sync"

// lru keeps the results of the last few selections of replies a researcher
// looked at (the page switches between all replies and "leave flagged
// out"), so memory stays bounded however many selections are tried. Not
// safe for concurrent use: the pack's mutex guards it.
type lru[V any] struct {
	max   int
	keys  []string // least recently used first
	items map[string]V
}

func newLRU[V any](max int) *lru[V] { return &lru[V]{max: max, items: map[string]V{}} }

// lockedGet and lockedPut use c under mu, the mutex that guards it.
func lockedGet[V any](mu *sync.Mutex, c *lru[V], key string) (V, bool) {
	mu.Lock()
	defer mu.Unlock()
	return c.get(key)
}

func lockedPut[V any](mu *sync.Mutex, c *lru[V], key string, v V) {
	mu.Lock()
	defer mu.Unlock()
	c.put(key, v)
}

func (c *lru[V]) get(key string) (V, bool) {
	v, ok := c.items[key]
	if ok {
		c.touch(key)
	}
	return v, ok
}

func (c *lru[V]) put(key string, v V) {
	if _, ok := c.items[key]; !ok && len(c.keys) == c.max {
		delete(c.items, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.items[key] = v
	c.touch(key)
}

func (c *lru[V]) touch(key string) {
	for i, k := range c.keys {
		if k == key {
			c.keys = append(c.keys[:i], c.keys[i+1:]...)
			break
		}
	}
	c.keys = append(c.keys, key)
}

// deleteIf drops every item drop says to.
func (c *lru[V]) deleteIf(drop func(key string, v V) bool) {
	keep := c.keys[:0]
	for _, k := range c.keys {
		if drop(k, c.items[k]) {
			delete(c.items, k)
			continue
		}
		keep = append(keep, k)
	}
	c.keys = keep
}
