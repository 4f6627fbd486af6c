-- The list's running count in O(packs). Migration 004 counts unfinished
-- runs per pack, minute of last_seen and slot; when many runs save at once
-- every minute of the window fills its 16 slots, and the list read up to
-- packs × 30 minutes × 16 rows (38,000 at 100 packs and 100,000 running
-- runs: 10–40 ms). Now the minutes that have left the list's window are
-- folded away (store.FoldSeen, run by the service): their runs are counted
-- per pack in pack_gone ("last seen before the watermark"), their rows are
-- deleted, and the list reads pack_gone, the minutes between the watermark
-- and its window's edge (none once the fold has run) and the edge minute
-- one run at a time. The triggers decide by the watermark under a lock the
-- fold takes exclusively, so a run is counted either as gone or in its
-- minute, never in both, and pack_seen no longer grows with time.

-- One row: unfinished runs last seen before since are counted in
-- pack_gone, the others in pack_seen. Minute-aligned; only moves forward.
CREATE TABLE seen_watermark (
    one   boolean     PRIMARY KEY DEFAULT true CHECK (one),
    since timestamptz NOT NULL
);
-- The epoch: before every run, so at first every run is counted per minute.
INSERT INTO seen_watermark (since) VALUES ('epoch');

-- Per pack, unfinished runs last seen before the watermark; 16 slots as
-- pack_tally (the fold adds to slot 0).
CREATE TABLE pack_gone (
    p_id integer  NOT NULL REFERENCES pack (p_id) ON DELETE CASCADE,
    slot smallint NOT NULL,
    n    bigint   NOT NULL,
    PRIMARY KEY (p_id, slot)
);

CREATE FUNCTION pack_gone_add(add_p_id integer, add_n bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pack_gone AS g (p_id, slot, n) VALUES (add_p_id, pg_backend_pid() % 16, add_n)
    ON CONFLICT (p_id, slot) DO UPDATE SET n = g.n + EXCLUDED.n
$$;

-- As in 004, but a last_seen before the watermark counts in pack_gone. The
-- lock ('PSYX', 4: store's lockSeenFold) is shared by every writer and
-- held to its commit; the fold takes it exclusively, so it never moves the
-- watermark between a writer's reading it and its commit.
CREATE OR REPLACE FUNCTION run_seen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mark timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1347639640, 4);
    SELECT since INTO mark FROM seen_watermark;
    IF TG_OP = 'UPDATE' AND OLD.finished_at IS NULL THEN
        IF OLD.last_seen < mark THEN
            PERFORM pack_gone_add(OLD.p_id, -1);
        ELSE
            PERFORM pack_seen_add(OLD.p_id, OLD.last_seen, -1);
        END IF;
    END IF;
    IF NEW.finished_at IS NULL THEN
        IF NEW.last_seen < mark THEN
            PERFORM pack_gone_add(NEW.p_id, 1);
        ELSE
            PERFORM pack_seen_add(NEW.p_id, NEW.last_seen, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;
