-- pgbench script: what the service runs for a submit (store's
-- SubmitReply), statement for statement: lock the run and read it, insert
-- the reply from the run's row and finish the run in one statement
-- (finishReply), commit; the triggers of migrations 002 and 004 fire as on
-- a submit. The service judges the answers in Go between the two
-- statements. Run with -M prepared, -D p_id=... -D answers=... (the 300
-- answers the harness submits) -D code=... (a completion code) -D n=0
-- -D base=...; the runs base + client * 1,000,000 + 1, 2, ... must exist
-- (the harness makes them), one per transaction.
\set n :n + 1
\set tok :base + :client_id * 1000000 + :n
BEGIN;
SELECT token, p_id, name, email, no, sex, age, phone, served, answers, answered, client, events,
       started_at, last_seen, finished_at, r_id, resume, clients, resumes
FROM run WHERE token = :tok FOR UPDATE;
WITH reply AS (
    INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token, client, events, started_at,
                       clients, resumes, completion, created_at)
    SELECT p_id, name, email, no, sex, age, phone, :answers::jsonb, token, client, events, started_at,
           clients, resumes, :code, now()
    FROM run WHERE token = :tok
    RETURNING r_id
)
UPDATE run SET finished_at = now(), last_seen = greatest(last_seen, now()), answers = '[]',
       answered = jsonb_array_length(:answers::jsonb), r_id = (SELECT r_id FROM reply)
WHERE token = :tok
RETURNING r_id;
COMMIT;
