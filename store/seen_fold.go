package store

import (
	"context"
	"fmt"
	"time"
)

// The watermark of migration 005: unfinished runs last seen before it are
// counted per pack (pack_gone), the rest per minute (pack_seen).
const (
	readWatermark = `SELECT since FROM seen_watermark`
	// foldMinutes moves the counts of the minutes before $1 from pack_seen
	// to pack_gone, and deletes their rows.
	foldMinutes = `
WITH moved AS (DELETE FROM pack_seen WHERE minute < $1 RETURNING p_id, n)
INSERT INTO pack_gone AS g (p_id, slot, n)
SELECT p_id, 0, sum(n) FROM moved GROUP BY p_id HAVING sum(n) <> 0
ON CONFLICT (p_id, slot) DO UPDATE SET n = g.n + EXCLUDED.n`
	moveWatermark = `UPDATE seen_watermark SET since = $1`
)

// FoldSeen moves the watermark up to the minute of cut (now − abandon
// after: every run last seen before that minute is abandoned for the list),
// so the list reads one count per pack instead of a row per pack, minute
// and slot. It waits for the writers in flight (the triggers hold the fold
// lock shared) and holds up new ones for the few milliseconds it takes;
// with nothing to fold it takes no lock. Safe to call from every instance
// at once. The counts the list shows are the same before and after.
func (s *Store) FoldSeen(ctx context.Context, cut time.Time) error {
	minute := cut.Truncate(time.Minute) // UTC offsets are whole minutes here
	var since time.Time
	if err := s.db.GetContext(ctx, &since, readWatermark); err != nil {
		return fmt.Errorf("fold seen: %w", err)
	}
	if !minute.After(since) {
		return nil
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fold seen: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockSeenFold); err != nil {
		return fmt.Errorf("fold seen: lock: %w", err)
	}
	// Read again under the lock: another instance may have folded meanwhile.
	if err := tx.GetContext(ctx, &since, readWatermark+` FOR UPDATE`); err != nil {
		return fmt.Errorf("fold seen: %w", err)
	}
	if !minute.After(since) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, foldMinutes, minute); err != nil {
		return fmt.Errorf("fold seen: %w", err)
	}
	if _, err := tx.ExecContext(ctx, moveWatermark, minute); err != nil {
		return fmt.Errorf("fold seen: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fold seen: commit: %w", err)
	}
	return nil
}
