-- pgbench script: the statement the service runs for a new participant's
-- start (store's createRun, word for word but for the arguments), so the
-- triggers of migrations 002 (pack_tally) and 004 (pack_seen) fire on it as
-- on a start. Run with -M prepared, -D p_id=... -D served=... (the main
-- pack's 300 pairs, as a start stores them) -D client={} (what a start
-- without a client object passes) -D n=0 -D base=... (the bench harness
-- does). Each client counts its transactions in n (pgbench keeps a client's
-- variables from one transaction to the next), so every token and resume
-- code is new: the token is a number of at least 12 digits, the resume code
-- two numbers of 4 digits (every digit is a Crockford base32 character).
\set n :n + 1
\set tok :base + :client_id * 1000000 + :n
\set code (:base / 100000000000) * 10000000 + :client_id * 100000 + :n
\set hi 1000 + :code / 9000
\set lo 1000 + :code % 9000
INSERT INTO run (token, p_id, name, email, no, sex, age, phone, served, client, clients, resume, started_at, last_seen)
VALUES (:tok, :p_id, '홍길동', 'pg' || :tok || '@example.com', 'pg' || :tok, 2, 25, '010-1234-5678', :served, :client,
        CASE WHEN :client::jsonb = '{}' THEN '[]'::jsonb ELSE jsonb_build_array(:client::jsonb) END, :hi || '-' || :lo, now(), now());
