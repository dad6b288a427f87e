-- The actor context through a transaction's changes, parallel workers and
-- long chains of hand-offs. Found by review: end_task() for the session
-- followed by a local act_for() in the same transaction left the old
-- session context in force after COMMIT; a parallel worker (which has no
-- context) decided as the role's own agent instead of denying; an agent
-- could sub-delegate without end, growing the delegations table at will.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP SCHEMA IF EXISTS sec_ctx CASCADE;
DROP ROLE IF EXISTS sec_ctx_bot, sec_ctx_helper;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define viewer: [user, agent]
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 3) g;
SELECT agentauthz.write_tuple('document:9', 'viewer', 'agent:ctx');
CREATE ROLE sec_ctx_bot;
CREATE ROLE sec_ctx_helper;
SELECT agentauthz.register_agent('agent:ctx', 'sec_ctx_bot');
SELECT agentauthz.register_agent('agent:helper', 'sec_ctx_helper');
SELECT agentauthz.delegate('user:anne', 'agent:ctx', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'first task') AS first \gset
SELECT agentauthz.delegate('user:anne', 'agent:ctx', ARRAY['viewer@document:1'], now() + interval '1 hour',
                           'second task') AS second \gset
CREATE FUNCTION pg_temp.actor() RETURNS text LANGUAGE sql AS $$
  SELECT a->>'kind' || coalesce(' purpose=' || (a->>'purpose'), '') || coalesce(' implicit=' || (a->>'implicit'), '')
    FROM agentauthz.current_actor() a
$$;
GRANT EXECUTE ON FUNCTION pg_temp.actor() TO PUBLIC;

SET ROLE sec_ctx_bot;
-- Ending the session's task, then a local one in the same transaction:
-- after COMMIT, no delegation is left.
SELECT agentauthz.act_for(:'first', local => false) ? 'chain' AS acting;
BEGIN;
SELECT agentauthz.end_task();
SELECT agentauthz.act_for(:'second') ? 'chain' AS acting_locally;
SELECT pg_temp.actor() AS inside;
COMMIT;
SELECT pg_temp.actor() AS after_commit;
-- A session context set, then a local one: the local one for the
-- transaction, the session one afterwards.
BEGIN;
SELECT agentauthz.act_for(:'first', local => false) ? 'chain' AS acting;
SELECT agentauthz.act_for(:'second') ? 'chain' AS acting_locally;
SELECT pg_temp.actor() AS inside;
COMMIT;
SELECT pg_temp.actor() AS after_commit;
-- ... and rolled back to a savepoint between them: the session one alone.
BEGIN;
SELECT agentauthz.end_task();
SAVEPOINT s;
SELECT agentauthz.act_for(:'second') ? 'chain' AS acting_locally;
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.actor() AS after_rollback_to;
COMMIT;
SELECT pg_temp.actor() AS after_commit;
RESET ROLE;

-- A parallel worker has no context: a check made there (in a function the
-- agent marks parallel safe) is denied, never decided as the role's own
-- agent.
CREATE SCHEMA sec_ctx;
GRANT USAGE, CREATE ON SCHEMA sec_ctx TO sec_ctx_bot;
SET ROLE sec_ctx_bot;
CREATE FUNCTION sec_ctx.in_worker(id integer) RETURNS boolean LANGUAGE sql PARALLEL SAFE AS
  $$ SELECT agentauthz.check_id('viewer', 'document', id) $$;
CREATE TABLE sec_ctx.ids AS SELECT 9 AS id;
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SELECT id, sec_ctx.in_worker(id) AS decided_in_a_worker FROM sec_ctx.ids;
RESET force_parallel_mode;
SELECT id, sec_ctx.in_worker(id) AS decided_in_the_leader FROM sec_ctx.ids;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;

-- A link hands its task on 1000 times at most.
BEGIN;
SELECT agentauthz.act_for(:'first') ? 'chain' AS acting;
SELECT count(agentauthz.subdelegate('agent:helper', ARRAY['viewer@document:1'], now() + interval '10 minutes',
                                    'helper ' || g)) AS handed_on
  FROM generate_series(1, 1000) g;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['viewer@document:1'],
                                                   now() + interval '10 minutes', 'one more')$$) AS one_more;
COMMIT;
RESET ROLE;

DROP SCHEMA sec_ctx CASCADE;
DROP OWNED BY sec_ctx_bot, sec_ctx_helper;
DROP ROLE sec_ctx_bot, sec_ctx_helper;
