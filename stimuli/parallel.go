package stimuli

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls fn(i) for i in [0, n) on up to workers goroutines
// (≤ 0: GOMAXPROCS), each taking the next index as it is free, and returns
// the first error; after an error or ctx's end no new index is started.
// Which goroutine runs an index never changes what fn computes, so callers
// whose fn(i) writes only its own outputs get results independent of
// scheduling.
func forEach(ctx context.Context, workers, n int, fn func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var (
		next    atomic.Int64
		stop    atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		stop.Store(true)
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
