-- The list's running/abandoned counts without a scan of runs. A run is
-- running while it was seen less than abandon_after ago: time, not an
-- event, moves it to abandoned. So unfinished runs are counted per pack
-- and per minute of their last_seen, kept by the triggers below in the
-- transactions that change runs (a crash loses both or neither); the list
-- sums the minutes inside the window (at most abandon_after / 1 min rows a
-- pack) and counts exactly only the runs of the one minute the window's
-- edge cuts. Spread over 16 slots, as pack_tally, so concurrent saves do
-- not queue on one row.
CREATE TABLE pack_seen (
    p_id   integer     NOT NULL REFERENCES pack (p_id) ON DELETE CASCADE,
    minute timestamptz NOT NULL,
    slot   smallint    NOT NULL,
    n      bigint      NOT NULL,
    PRIMARY KEY (p_id, minute, slot)
);
CREATE INDEX pack_seen_minute ON pack_seen (minute);

CREATE FUNCTION pack_seen_add(add_p_id integer, at timestamptz, add_n bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pack_seen AS s (p_id, minute, slot, n)
    VALUES (add_p_id, date_trunc('minute', at), pg_backend_pid() % 16, add_n)
    ON CONFLICT (p_id, minute, slot) DO UPDATE SET n = s.n + EXCLUDED.n
$$;

CREATE FUNCTION run_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.finished_at IS NULL THEN
        PERFORM pack_seen_add(OLD.p_id, OLD.last_seen, -1);
    END IF;
    IF NEW.finished_at IS NULL THEN
        PERFORM pack_seen_add(NEW.p_id, NEW.last_seen, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER run_seen_insert AFTER INSERT ON run FOR EACH ROW
    WHEN (NEW.finished_at IS NULL) EXECUTE FUNCTION run_seen();
-- Most saves stay within their minute and change nothing here: the
-- function is not even called for them.
CREATE TRIGGER run_seen_update AFTER UPDATE OF last_seen, finished_at ON run FOR EACH ROW
    WHEN (date_trunc('minute', OLD.last_seen) IS DISTINCT FROM date_trunc('minute', NEW.last_seen)
          OR (OLD.finished_at IS NULL) IS DISTINCT FROM (NEW.finished_at IS NULL))
    EXECUTE FUNCTION run_seen();

INSERT INTO pack_seen (p_id, minute, slot, n)
SELECT p_id, date_trunc('minute', last_seen), 0, count(*) FROM run WHERE finished_at IS NULL
GROUP BY p_id, date_trunc('minute', last_seen);
