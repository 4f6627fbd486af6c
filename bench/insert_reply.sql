-- pgbench script: the statement the service runs for a submit (store's
-- insertReply), with the same 300-answer JSONB; run with -M prepared and
-- -D p_id=... -D answers=... (the bench harness, bench/, does).
INSERT INTO reply (p_id, name, email, no, sex, age, phone, answers, token)
VALUES (:p_id, '홍길동', 'hong@example.com', '2020123', 2, 25, '010-1234-5678', :answers, gen_random_uuid()::text)
ON CONFLICT (token) DO NOTHING
RETURNING r_id;
