-- A prepared transaction is finished later, possibly by another session,
-- or rolled back after this session moved on: a session-long actor context
-- it set could be neither kept nor undone at the right time. Under 0.1 a
-- session-level act_for() inside a transaction that was prepared and then
-- rolled back (ROLLBACK PREPARED) survived the rollback. Now PREPARE
-- TRANSACTION is refused for a transaction that changed the session's
-- context (as for temporary objects), and for every transaction of a
-- session acting for an agent (review: an agent's LOCK TABLE held in a
-- prepared transaction hung every reader); a transaction-local context of
-- an application ends at PREPARE as it would at COMMIT.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_prepare_docs;
DROP ROLE IF EXISTS sec_prepare_bot, sec_prepare_app, sec_prepare_group, sec_prepare_admin;
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
CREATE ROLE sec_prepare_app IN ROLE agentauthz_app;
CREATE ROLE sec_prepare_admin IN ROLE agentauthz_admin;
-- A plain role the agent is a member of (granted by mistake, say).
CREATE ROLE sec_prepare_group;
GRANT sec_prepare_group TO sec_prepare_bot;
CREATE TABLE sec_prepare_docs (id bigint PRIMARY KEY);
SELECT agentauthz.protect('sec_prepare_docs', 'document', 'id', update_relation => 'viewer',
                          delete_relation => 'viewer');
GRANT SELECT, UPDATE, DELETE ON sec_prepare_docs TO sec_prepare_bot, sec_prepare_group;
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
-- An agent: a session context, a local one, or none at all (acting as
-- itself) -- no transaction of its is prepared, and none keeps a lock.
BEGIN;
SELECT agentauthz.act_for(:'token', local => false) ? 'chain' AS acting;
PREPARE TRANSACTION 'sec_prepare_session';
SELECT pg_temp.actor() AS after_refused_prepare;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT agentauthz.check('viewer', 'document:1') AS inside;
PREPARE TRANSACTION 'sec_prepare_local';
BEGIN;
LOCK TABLE sec_prepare_docs IN ACCESS EXCLUSIVE MODE;
PREPARE TRANSACTION 'sec_prepare_lock';
SELECT pg_temp.actor() AS after_refused_prepare;
-- Nor, logged in as the agent, as another role it may SET ROLE to.
RESET ROLE;
SET SESSION AUTHORIZATION sec_prepare_bot;
BEGIN;
SET LOCAL ROLE sec_prepare_group;
LOCK TABLE sec_prepare_docs IN ACCESS EXCLUSIVE MODE;
PREPARE TRANSACTION 'sec_prepare_group_lock';
RESET SESSION AUTHORIZATION;
RESET ROLE;
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid LIKE 'sec_prepare%';

-- An application: a session context set in the transaction is refused
-- (end_task() for the session too); a local one ends at PREPARE.
SET ROLE sec_prepare_app;
BEGIN;
SELECT agentauthz.set_subject('user:anne', local => false) ? 'subject' AS acting;
PREPARE TRANSACTION 'sec_prepare_app_session';
SELECT pg_temp.actor() AS after_refused_prepare;
SELECT agentauthz.set_subject('user:anne', local => false) ? 'subject' AS acting;
BEGIN;
SELECT agentauthz.end_task();
PREPARE TRANSACTION 'sec_prepare_app_end';
SELECT pg_temp.actor() AS still_acting;
SELECT agentauthz.end_task();
BEGIN;
SELECT agentauthz.set_subject('user:anne') ? 'subject' AS acting;
PREPARE TRANSACTION 'sec_prepare_app_local';
SELECT pg_temp.actor() AS after_prepare;
RESET ROLE;
ROLLBACK PREPARED 'sec_prepare_app_local';
SET ROLE sec_prepare_app;
SELECT pg_temp.actor() AS after_rollback_prepared;

-- A transaction that wrote agentauthz's tables keeps its row locks while
-- prepared: a revocation or tuple write would wait on it, so it is refused.
BEGIN;
SELECT agentauthz.write_tuple('document:2', 'viewer', 'user:anne');
PREPARE TRANSACTION 'sec_prepare_app_write';
SELECT agentauthz.check('user:anne', 'viewer', 'document:2') AS written_and_rolled_back;
RESET ROLE;
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'sec_prepare_app_write';

-- Nor one that locked them: a table lock or row locks (review: an admin's
-- LOCK TABLE agentauthz.tuples, prepared, hung every check). The lock
-- every reader takes (ACCESS SHARE) may be kept: a check, or reading the
-- delegations, prepares.
SET ROLE sec_prepare_admin;
BEGIN;
LOCK TABLE agentauthz.tuples IN ACCESS EXCLUSIVE MODE;
PREPARE TRANSACTION 'sec_prepare_admin_lock';
BEGIN;
SELECT object AS locked FROM agentauthz.tuples WHERE object = 'document:1' FOR UPDATE;
PREPARE TRANSACTION 'sec_prepare_admin_rows';
RESET ROLE;
SET ROLE sec_prepare_app;
BEGIN;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS readers_lock;
SELECT count(*) > 0 AS delegations_read FROM agentauthz.delegations;
PREPARE TRANSACTION 'sec_prepare_app_read';
RESET ROLE;
SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'sec_prepare%' ORDER BY 1;
COMMIT PREPARED 'sec_prepare_app_read';

-- purge_audit() locks the audit chain's head: a prepared transaction
-- holding it would stop every writer of the log until it is finished.
BEGIN;
SELECT agentauthz.purge_audit('-infinity') AS purged;
PREPARE TRANSACTION 'sec_prepare_purge';
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'sec_prepare_purge';

DROP TABLE sec_prepare_docs;
DROP OWNED BY sec_prepare_bot, sec_prepare_app, sec_prepare_group, sec_prepare_admin;
DROP ROLE sec_prepare_bot, sec_prepare_app, sec_prepare_group, sec_prepare_admin;

-- With the library preloaded these checks run in every database: where the
-- extension is not installed, or was dropped in the transaction, they
-- stand aside (review: every PREPARE there failed).
BEGIN;
CREATE TABLE sec_prepare_after_drop (id integer);
DROP EXTENSION agentauthz CASCADE;
PREPARE TRANSACTION 'sec_prepare_dropped';
COMMIT PREPARED 'sec_prepare_dropped';
BEGIN;
INSERT INTO sec_prepare_after_drop VALUES (1);
PREPARE TRANSACTION 'sec_prepare_no_extension';
COMMIT PREPARED 'sec_prepare_no_extension';
SELECT count(*) AS committed FROM sec_prepare_after_drop;
DROP TABLE sec_prepare_after_drop;
CREATE EXTENSION agentauthz;
