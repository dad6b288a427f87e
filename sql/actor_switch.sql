-- The actor's principal is resolved once per actor and its allowed sets are
-- built once per statement (pg/actor/decision.h, allowed_sets.h): neither
-- may serve a decision for a previous actor -- another token, end_task(),
-- a savepoint rolled back, a switch in the middle of a scan or between a
-- cursor's fetches, a model that no longer defines the principal's type,
-- or the engine starting over. Integer, text and check() forms of one id agree,
-- and every decision is on record on each path.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
DROP ROLE IF EXISTS switch_bot;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define viewer: [user]
    define editor: [user]
    define owner: [user]
$dsl$) > 0 AS model_written;
-- anne views 1..1000 (more than an allowed set needs), bob 2001..2100.
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'document:' || g, 'viewer', 'user:anne' FROM generate_series(1, 1000) g;
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'document:' || g, 'viewer', 'user:bob' FROM generate_series(2001, 2100) g;
INSERT INTO agentauthz.tuples (object, relation, subject) VALUES
  ('document:-5', 'viewer', 'user:anne'), ('document:0', 'viewer', 'user:anne'),
  ('document:007', 'viewer', 'user:anne'),
  ('document:-9223372036854775808', 'viewer', 'user:anne'),
  ('document:9223372036854775807', 'viewer', 'user:anne');
SELECT agentauthz.create_agent_role('switch_bot', 'agent:switch');
CREATE TABLE switch_tokens (principal text, token text);
INSERT INTO switch_tokens
  SELECT p, agentauthz.delegate('user:' || p, 'agent:switch', ARRAY['viewer@document:*'],
                                now() + interval '1 hour', p)
    FROM unnest(ARRAY['anne', 'bob']) p;
GRANT SELECT ON switch_tokens TO switch_bot;
CREATE TABLE switch_big (id bigint PRIMARY KEY);
INSERT INTO switch_big SELECT g FROM generate_series(-10, 3000) g;
INSERT INTO switch_big VALUES (-9223372036854775808), (9223372036854775807);
CREATE TABLE switch_int (id integer PRIMARY KEY);
INSERT INTO switch_int SELECT g FROM generate_series(-10, 3000) g;
CREATE TABLE switch_text (id text PRIMARY KEY);
INSERT INTO switch_text SELECT g::text FROM generate_series(-10, 3000) g;
INSERT INTO switch_text VALUES ('007'), ('-0'), ('+7');
GRANT SELECT ON switch_big, switch_int, switch_text TO switch_bot;
SELECT agentauthz.protect('switch_big', 'document', 'id');
SELECT agentauthz.protect('switch_int', 'document', 'id');
SELECT agentauthz.protect('switch_text', 'document', 'id');
CREATE FUNCTION switch_act_for(who text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM agentauthz.act_for((SELECT token FROM switch_tokens WHERE principal = who), false);
  RETURN true;
END $$;
CREATE FUNCTION switch_end_task() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM agentauthz.end_task();
  RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION switch_act_for(text), switch_end_task() TO switch_bot;

SET ROLE switch_bot;
-- Each scan builds an allowed set; the integer forms agree with the text
-- form ("007" is not 7; "-0" and "+7" name nothing anne has).
SELECT switch_act_for('anne') AS anne;
SELECT count(*), min(id), max(id) FROM switch_big;
SELECT count(*), min(id), max(id) FROM switch_int;
SELECT count(*) AS text_rows FROM switch_text;
SELECT id FROM switch_text WHERE id !~ '^[0-9]+$' OR id LIKE '0%' ORDER BY id;
SELECT agentauthz.check('viewer', 'document:-9223372036854775808') AS min_by_check,
       agentauthz.check_id('viewer', 'document', (-9223372036854775807 - 1)::bigint) AS min_by_id,
       agentauthz.check_id('viewer', 'document', 7) AS seven,
       agentauthz.check_id('viewer', 'document', '007') AS zero_zero_seven,
       agentauthz.check_id('viewer', 'document', 0) AS zero;
-- Another token: bob's rows only, from the first row on.
SELECT switch_act_for('bob') AS bob;
SELECT count(*), min(id), max(id) FROM switch_big;
SELECT count(*), min(id), max(id) FROM switch_int;
-- A switch in the middle of a scan, after anne's set was built.
SELECT switch_act_for('anne') AS anne;
SELECT count(*) FILTER (WHERE ok) AS allowed, max(g) FILTER (WHERE ok AND g < 1500) AS last_of_anne,
       min(g) FILTER (WHERE ok AND g >= 1500) AS first_of_bob
  FROM (SELECT g, (CASE WHEN g = 1500 THEN switch_act_for('bob') ELSE true END)
                  AND agentauthz.check_id('viewer', 'document', g::bigint) AS ok
          FROM generate_series(1, 3000) g) checks;
SELECT agentauthz.current_actor() ->> 'purpose' AS now_acting_for;
-- end_task() in the middle of a scan: nothing from then on.
SELECT switch_act_for('anne') AS anne;
SELECT count(*) FILTER (WHERE ok) AS allowed, max(g) FILTER (WHERE ok) AS last_allowed
  FROM (SELECT g, (CASE WHEN g = 700 THEN switch_end_task() ELSE true END)
                  AND agentauthz.check_id('viewer', 'document', g::bigint) AS ok
          FROM generate_series(1, 3000) g) checks;
-- A cursor opened for anne and fetched after a switch to bob.
BEGIN;
SELECT agentauthz.act_for((SELECT token FROM switch_tokens WHERE principal = 'anne'), true) ->> 'purpose';
DECLARE switch_cursor CURSOR FOR SELECT id FROM switch_int ORDER BY id;
MOVE 600 IN switch_cursor;
SELECT agentauthz.act_for((SELECT token FROM switch_tokens WHERE principal = 'bob'), true) ->> 'purpose';
FETCH 3 FROM switch_cursor;
SELECT agentauthz.end_task() IS NOT NULL AS ended;
FETCH 3 FROM switch_cursor;
COMMIT;
-- A savepoint rolled back restores anne; the transaction rolled back, nobody.
BEGIN;
SELECT switch_act_for('anne') AS anne;
SELECT count(*) AS anne_rows FROM switch_big;
SAVEPOINT s;
SELECT switch_act_for('bob') AS bob;
SELECT count(*) AS bob_rows FROM switch_big;
ROLLBACK TO s;
SELECT count(*) AS anne_rows_again FROM switch_big;
ROLLBACK;
SELECT count(*) AS after_rollback FROM switch_big;
RESET ROLE;

-- The engine starting over within each statement: the same answers.
SET agentauthz.engine_cache_size = '1MB';
SET ROLE switch_bot;
SELECT switch_act_for('anne') AS anne;
SELECT count(*) AS anne_ids FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'document', g);
SELECT switch_act_for('bob') AS bob;
SELECT count(*) AS bob_ids FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'document', g);
SELECT count(*) AS bob_rows FROM switch_big;
RESET ROLE;
-- Ids that are not integers (n1..n300) live in the set as interned ids:
-- when the engine starts over (every explain() below interns its id) they
-- go, the integer ids stay, and the named ones are listed again.
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'document:n' || g, 'viewer', 'user:anne' FROM generate_series(1, 300) g;
SET ROLE switch_bot;
SELECT switch_act_for('anne') AS anne;
SELECT count(*) FILTER (WHERE agentauthz.check('viewer', 'document:' || g)) AS integers,
       count(*) FILTER (WHERE agentauthz.check('viewer', 'document:n' || g)) AS named
  FROM generate_series(1, 2000) g;
SELECT count(*) FILTER (WHERE (agentauthz.explain('viewer', 'document:z' || g) ->> 'allowed')::boolean)
         AS explained,
       count(*) FILTER (WHERE agentauthz.check('viewer', 'document:' || g)) AS integers,
       count(*) FILTER (WHERE agentauthz.check('viewer', 'document:n' || g)) AS named,
       count(*) FILTER (WHERE agentauthz.check_id('viewer', 'document', 'n' || g)) AS named_by_id
  FROM generate_series(50000, 1, -1) g;  -- the ids anne has come last
SELECT count(*) AS text_rows FROM switch_text;
RESET ROLE;
DELETE FROM agentauthz.tuples WHERE object LIKE 'document:n%';
RESET agentauthz.engine_cache_size;
-- The records of those 200,000 decisions are stored before the next
-- statements queue theirs (a slow server, valgrind's, must not fill the queue).
SELECT agentauthz.audit_flush() AS flushed;

-- Every decision on record, on each path (sets, integer keys, explain).
SET agentauthz.audit = 'all';
SET ROLE switch_bot;
SELECT switch_act_for('anne') AS anne;
SELECT count(*) FROM switch_int;
SELECT count(*) FROM switch_big;
SELECT agentauthz.explain('viewer', 'document:5') - 'actor' AS explained;
SELECT agentauthz.audit_flush(5000) AS flushed;
RESET ROLE;
SELECT decision, count(*) FROM agentauthz.audit_log
 WHERE kind = 'check' AND purpose = 'anne'
 GROUP BY decision ORDER BY decision;

-- A model that no longer defines the principal's type grants nothing.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type agent
type person
type user
  relations
    define viewer: [person]
type document
  relations
    define viewer: [person]
    define editor: [person]
    define owner: [person]
$dsl$) > 0 AS model_written;
SET ROLE switch_bot;
SELECT count(*) AS after_model FROM switch_big;
SELECT agentauthz.check('viewer', 'document:5') AS by_check;
SELECT agentauthz.end_task() IS NOT NULL AS ended;
RESET ROLE;

-- The queue's records go to the log before the extension does: the next
-- test's fresh installation must not receive them.
SELECT agentauthz.audit_flush() AS flushed;
SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
DROP TABLE switch_big, switch_int, switch_text, switch_tokens;
DROP FUNCTION switch_act_for(text), switch_end_task();
DROP ROLE switch_bot;
