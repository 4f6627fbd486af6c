-- pgbench script: the statement the service runs for a new participant's
-- start (store's newRun), with the same 300-pair served order; run with
-- -M prepared and -D p_id=... -D served=... (the bench harness does).
\set n random(1, 2000000000)
INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, client, started_at, last_seen)
VALUES (gen_random_uuid()::text, :p_id, '홍길동', 'pg' || :n || '@example.com', 'pg' || :n, 2, 25, '010-1234-5678',
        :served, '{}', now(), now())
ON CONFLICT (p_id, no, email) WHERE open DO NOTHING
RETURNING token;
