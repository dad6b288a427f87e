-- A delegation holds until its expiry, judged by the clock at each
-- statement -- not by when the transaction began. Under 0.1 an agent that
-- opened a transaction before the expiry kept reading after it, and
-- act_for() with the expired token succeeded inside it. (Revocations
-- committed by another session: test/isolation/specs/revocation.spec.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_time_docs;
DROP ROLE IF EXISTS sec_time_bot;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user, agent] or editor
$dsl$) > 0 AS model_written;
CREATE TABLE sec_time_docs (id bigint PRIMARY KEY, title text);
INSERT INTO sec_time_docs VALUES (1, 'plan'), (2, 'budget');
SELECT agentauthz.protect('sec_time_docs', 'document', 'id');
SELECT agentauthz.create_agent_role('sec_time_bot', 'agent:time-bot', tables => ARRAY['sec_time_docs']::regclass[]);
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.delegate('user:anne', 'agent:time-bot', ARRAY['viewer@document:*'],
                           clock_timestamp() + interval '2 seconds', 'read for two seconds') AS token \gset
GRANT SELECT ON sec_time_docs TO sec_time_bot;

SET ROLE sec_time_bot;
-- One transaction, opened before the expiry and kept open past it, at the
-- strictest isolation level.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT count(*) AS before_expiry FROM sec_time_docs;
-- Within one statement: every statement of a function is judged anew.
DO $$
DECLARE
  before boolean;
  after boolean;
BEGIN
  before := agentauthz.check('viewer', 'document:1');
  PERFORM pg_sleep(2.2);
  after := agentauthz.check('viewer', 'document:1');
  RAISE NOTICE 'before the expiry: %, after it: %', before, after;
END $$;
SELECT count(*) AS after_expiry FROM sec_time_docs;
SELECT agentauthz.current_actor()->>'valid' AS valid, agentauthz.current_actor()->>'reason' AS reason;
-- The token itself is refused now, in the same old transaction.
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'token')) AS act_again;
-- Nor can the expired link hand anything on.
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:time-bot', ARRAY['viewer@document:1'],
                                                   now() + interval '1 hour', 'later')$$) AS subdelegate;
COMMIT;
RESET ROLE;

-- A cursor opened before the expiry does not carry the grant past it:
-- each FETCH is a statement.
SELECT agentauthz.delegate('user:anne', 'agent:time-bot', ARRAY['viewer@document:*'],
                           clock_timestamp() + interval '1 second', 'read for a second') AS token \gset
SET ROLE sec_time_bot;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
DECLARE docs CURSOR FOR SELECT id FROM sec_time_docs ORDER BY id;
SELECT pg_sleep(1.2);
FETCH ALL FROM docs;
COMMIT;
RESET ROLE;

-- Within one long statement the expiry holds too: a timer set to it makes
-- the next decision deny, however slowly the statement reads.
INSERT INTO sec_time_docs SELECT g, 'row ' || g FROM generate_series(3, 400) g;
SELECT count(agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne')) AS written
  FROM generate_series(3, 400) g;
SELECT agentauthz.delegate('user:anne', 'agent:time-bot', ARRAY['viewer@document:*'],
                           clock_timestamp() + interval '1 second', 'one slow statement') AS token,
       clock_timestamp() + interval '1 second' AS expires \gset
SET ROLE sec_time_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT count(*) > 0 AS some_before, count(*) < 399 AS none_after,
       max(read_at) < :'expires'::timestamptz + interval '100 milliseconds' AS all_read_before_expiry
  FROM (SELECT id, clock_timestamp() AS read_at, pg_sleep(0.01) FROM sec_time_docs WHERE id <> 2) s;
COMMIT;
RESET ROLE;

-- Tuples expire as before: at the transaction's time, like now().
SELECT agentauthz.write_tuple('document:2', 'viewer', 'user:anne', now() + interval '1 hour');
SELECT agentauthz.check('user:anne', 'viewer', 'document:2') AS unexpired_tuple;

DROP TABLE sec_time_docs;
DROP OWNED BY sec_time_bot;
DROP ROLE sec_time_bot;
