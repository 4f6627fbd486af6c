-- Runs: a participant's pass through a pack, kept from the start so that
-- what they answered survives a dead tab; and per-pack tallies so that the
-- pack list costs O(packs), never a scan of replies or runs.

ALTER TABLE reply
    ADD COLUMN client     jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN events     jsonb NOT NULL DEFAULT '{}',
    -- When the run that became this reply started; NULL for a reply
    -- submitted without a run.
    ADD COLUMN started_at timestamptz;

-- The repeat flag of the quality table looks for the same person anywhere.
CREATE INDEX reply_no ON reply (no);
CREATE INDEX reply_email ON reply (email);

CREATE TABLE run (
    token       text        PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9-]{8,64}$'),
    p_id        integer     NOT NULL REFERENCES pack (p_id) ON DELETE CASCADE,
    name        text        NOT NULL,
    email       text        NOT NULL,
    no          text        NOT NULL,
    sex         smallint    NOT NULL,
    age         integer     NOT NULL,
    phone       text        NOT NULL,
    -- [[left_file, right_file], ...]: the pairs in the order and on the
    -- sides they were shown, trial by trial. The server judges answers by it.
    served      jsonb       NOT NULL,
    -- The answers saved so far, in trial order; emptied once the reply holds them.
    answers     jsonb       NOT NULL DEFAULT '[]',
    answered    integer     NOT NULL DEFAULT 0 CHECK (answered >= 0),
    client      jsonb       NOT NULL DEFAULT '{}',
    events      jsonb       NOT NULL DEFAULT '{}',
    started_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    finished_at timestamptz,
    r_id        bigint      UNIQUE REFERENCES reply (r_id) ON DELETE CASCADE,
    -- The run a start by this person for this pack may resume: at most one.
    -- A finished run, or one left longer than the resume window and
    -- replaced by a new start, is no longer open.
    open        boolean     NOT NULL DEFAULT true,
    CONSTRAINT run_finished_has_reply CHECK ((finished_at IS NULL) = (r_id IS NULL)),
    CONSTRAINT run_finished_closed CHECK (finished_at IS NULL OR NOT open)
);

CREATE UNIQUE INDEX run_open_person ON run (p_id, no, email) WHERE open;
-- The list counts the runs seen recently (running); the rest of the
-- unfinished ones are abandoned.
CREATE INDEX run_unfinished_seen ON run (last_seen, p_id) WHERE finished_at IS NULL;
CREATE INDEX run_unfinished_pack ON run (p_id, started_at) WHERE finished_at IS NULL;

-- Replies and unfinished runs per pack, kept by the triggers below in the
-- transactions that change them. A pack's counts are spread over 16 slots
-- chosen by the database session, so concurrent submits to one pack do not
-- queue on one row lock; the list sums them.
CREATE TABLE pack_tally (
    p_id       integer     NOT NULL REFERENCES pack (p_id) ON DELETE CASCADE,
    slot       smallint    NOT NULL,
    replies    bigint      NOT NULL DEFAULT 0,
    unfinished bigint      NOT NULL DEFAULT 0,
    last_reply timestamptz,
    PRIMARY KEY (p_id, slot)
);

CREATE FUNCTION pack_tally_add(add_p_id integer, add_replies bigint, add_unfinished bigint, add_last timestamptz)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO pack_tally AS t (p_id, slot, replies, unfinished, last_reply)
    VALUES (add_p_id, pg_backend_pid() % 16, add_replies, add_unfinished, add_last)
    ON CONFLICT (p_id, slot) DO UPDATE SET
        replies    = t.replies + EXCLUDED.replies,
        unfinished = t.unfinished + EXCLUDED.unfinished,
        last_reply = greatest(t.last_reply, EXCLUDED.last_reply)
$$;

CREATE FUNCTION reply_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pack_tally_add(NEW.p_id, 1, 0, NEW.created_at);
    RETURN NULL;
END $$;

CREATE FUNCTION run_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pack_tally_add(NEW.p_id, 0, CASE WHEN NEW.finished_at IS NULL THEN 1 ELSE 0 END, NULL);
    ELSE
        PERFORM pack_tally_add(NEW.p_id, 0, -1, NULL);
    END IF;
    RETURN NULL;
END $$;

-- Rows only ever leave with their pack (ON DELETE CASCADE), whose tally
-- goes with it: no delete triggers.
CREATE TRIGGER reply_tally AFTER INSERT ON reply FOR EACH ROW EXECUTE FUNCTION reply_tally();
CREATE TRIGGER run_tally_insert AFTER INSERT ON run FOR EACH ROW EXECUTE FUNCTION run_tally();
CREATE TRIGGER run_tally_finish AFTER UPDATE OF finished_at ON run FOR EACH ROW
    WHEN (OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL) EXECUTE FUNCTION run_tally();

INSERT INTO pack_tally (p_id, slot, replies, last_reply)
SELECT p_id, 0, count(*), max(created_at) FROM reply GROUP BY p_id;
