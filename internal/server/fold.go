package server

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// foldEvery is how often the service moves the list's watermark
// (store.FoldSeen). It moves a whole minute at a time, so between a minute's
// start and the next fold the list reads one minute of per-slot counts more;
// a fold with nothing to do is one indexed read.
const foldEvery = 5 * time.Second

// foldSeen keeps the list's watermark at the abandon window's edge until
// ctx ends, so the list reads a count per pack instead of a row per pack,
// minute and slot. A failed fold is logged and tried again: the counts are
// right without it, only slower to read.
func (a *App) foldSeen(ctx context.Context) {
	t := time.NewTicker(foldEvery)
	defer t.Stop()
	for {
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.store.FoldSeen(fctx, time.Now().Add(-a.cfg.AbandonAfter))
		cancel()
		if err != nil && ctx.Err() == nil {
			a.sys.Warn("fold of the seen counts failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
