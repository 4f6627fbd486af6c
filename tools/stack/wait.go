package stack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrTimeout is what Poll returns when the condition never held.
var ErrTimeout = errors.New("timed out")

// Poll checks cond every 20 ms until it holds or timeout passes: the one
// way this package and its users wait for something, never a fixed sleep.
func Poll(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return ErrTimeout
		}
		<-tick.C
	}
	return nil
}

// WaitHealthy polls url until it answers 200, or until alive (when given)
// says the process behind it is gone.
func WaitHealthy(timeout time.Duration, url string, alive func() error) error {
	c := &http.Client{Timeout: 2 * time.Second}
	var last string
	var dead error
	err := Poll(timeout, func() bool {
		if alive != nil {
			if dead = alive(); dead != nil {
				return true
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			last = err.Error()
			return false
		}
		resp, err := c.Do(req)
		if err != nil {
			last = err.Error()
			return false
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK
	})
	switch {
	case dead != nil:
		return fmt.Errorf("waiting for %s: %w", url, dead)
	case err != nil:
		return fmt.Errorf("no 200 from %s after %v (last: %s): %w", url, timeout, last, err)
	}
	return nil
}
