-- Trust: a run belongs to whoever holds its token or resume code, never to
-- whoever types the same student number and e-mail; completion codes are
-- keyed with a secret only the database holds.

-- Secrets the service makes once and every instance shares (never served,
-- never logged).
CREATE TABLE app_secret (
    name  text  PRIMARY KEY,
    value bytea NOT NULL CHECK (octet_length(value) = 32)
);

-- One person may now have several runs (a start by identity alone makes a
-- new one); a run is found by its token or its resume code.
DROP INDEX run_open_person;
ALTER TABLE run DROP COLUMN open;

ALTER TABLE run
    -- Typed on another computer to continue: XXXX-XXXX in Crockford base32.
    ADD COLUMN resume  text CHECK (resume ~ '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'),
    -- Every machine the run was seen on (the client objects, in order), and
    -- how many times it was resumed.
    ADD COLUMN clients jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN resumes integer NOT NULL DEFAULT 0 CHECK (resumes >= 0);
UPDATE run SET clients = jsonb_build_array(client) WHERE client <> '{}';
CREATE UNIQUE INDEX run_resume ON run (resume) WHERE finished_at IS NULL;

-- The repeat flag looks for the same person among runs too.
CREATE INDEX run_no ON run (no);
CREATE INDEX run_email ON run (email);

ALTER TABLE reply
    ADD COLUMN clients    jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN resumes    integer NOT NULL DEFAULT 0,
    -- The code the participant was shown when the run finished.
    ADD COLUMN completion text;
CREATE INDEX reply_completion ON reply (completion) WHERE completion IS NOT NULL;

-- Replies finished before this release keep the code their participant was
-- shown then: the first 40 bits of SHA-256(token) in Crockford base32.
UPDATE reply r SET completion = substr(c.code, 1, 4) || '-' || substr(c.code, 5, 4)
FROM (
    SELECT r_id, (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((h.v >> (35 - 5 * i)) & 31)::int + 1, 1), '' ORDER BY i)
                  FROM generate_series(0, 7) i) AS code
    FROM (SELECT r_id, ('x' || substr(encode(sha256(convert_to(token, 'UTF8')), 'hex'), 1, 10))::bit(40)::bigint AS v
          FROM reply WHERE token IS NOT NULL) h
) c
WHERE r.r_id = c.r_id;
UPDATE reply r SET clients = jsonb_build_array(client) WHERE client <> '{}';
