-- A prepared transaction is finished later, possibly by another session,
-- or rolled back after this session moved on: a session-long actor context
-- it set could be neither kept nor undone at the right time. Under 0.1 a
-- session-level act_for() inside a transaction that was prepared and then
-- rolled back (ROLLBACK PREPARED) survived the rollback. Now PREPARE
-- TRANSACTION is refused for a transaction that changed the session's
-- context (as for temporary objects); a transaction-local one ends at
-- PREPARE as it would at COMMIT.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS sec_prepare_bot;
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
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
CREATE ROLE sec_prepare_bot;
SELECT agentauthz.register_agent('agent:prepare', 'sec_prepare_bot');
SELECT agentauthz.delegate('user:anne', 'agent:prepare', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'two-phase') AS token \gset
-- The context: a delegation, or none (the agent role then acts as
-- itself: kind agent, implicit).
CREATE FUNCTION pg_temp.actor() RETURNS text LANGUAGE sql AS $$
  SELECT a->>'kind' || coalesce(' implicit=' || (a->>'implicit'), '') || coalesce(' purpose=' || (a->>'purpose'), '')
    FROM agentauthz.current_actor() a
$$;
GRANT EXECUTE ON FUNCTION pg_temp.actor() TO PUBLIC;

SET ROLE sec_prepare_bot;
-- A session context set inside a transaction to be prepared: refused, and
-- the transaction (with the context) rolled back.
BEGIN;
SELECT agentauthz.act_for(:'token', local => false) ? 'chain' AS acting;
PREPARE TRANSACTION 'sec_prepare_session';
SELECT pg_temp.actor() AS after_refused_prepare;
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'sec_prepare_session';
-- end_task() for the session is a change of the session's context too.
SELECT agentauthz.act_for(:'token', local => false) ? 'chain' AS acting;
BEGIN;
SELECT agentauthz.end_task();
PREPARE TRANSACTION 'sec_prepare_end';
SELECT pg_temp.actor() AS still_acting;
SELECT agentauthz.end_task();
-- A local context ends at PREPARE, whatever becomes of the transaction.
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT agentauthz.check('viewer', 'document:1') AS inside;
PREPARE TRANSACTION 'sec_prepare_local';
SELECT pg_temp.actor() AS after_prepare;
RESET ROLE;
ROLLBACK PREPARED 'sec_prepare_local';
SET ROLE sec_prepare_bot;
SELECT pg_temp.actor() AS after_rollback_prepared;
RESET ROLE;

-- purge_audit() locks the audit chain's head: a prepared transaction
-- holding it would stop every writer of the log until it is finished.
BEGIN;
SELECT agentauthz.purge_audit('-infinity') AS purged;
PREPARE TRANSACTION 'sec_prepare_purge';
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'sec_prepare_purge';

DROP OWNED BY sec_prepare_bot;
DROP ROLE sec_prepare_bot;
