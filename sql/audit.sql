-- Audit: what the actor context decided, at each level; records that
-- outlive rolled-back, failed and read-only transactions; what agents may
-- not do to the log or the level; the hash chain catching edited, deleted
-- and inserted rows; purging that keeps the chain verifiable.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS audit_docs, audit_notes;
DROP ROLE IF EXISTS audit_bot, audit_admin;
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
    define viewer: [user] or editor
type note
  relations
    define owner: [user]
    define editor: owner
    define viewer: [user] or editor
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne'),
       agentauthz.write_tuple('document:2', 'editor', 'user:anne'),
       agentauthz.write_tuple('document:3', 'viewer', 'user:bob'),
       agentauthz.write_tuple('note:a', 'viewer', 'user:anne');
CREATE TABLE audit_docs (id bigint PRIMARY KEY, title text);
INSERT INTO audit_docs VALUES (1, 'plan'), (2, 'budget'), (3, 'salaries'), (4, 'merger');
CREATE TABLE audit_notes (id text PRIMARY KEY, body text);
INSERT INTO audit_notes VALUES ('a', 'first'), ('b', 'second');
SELECT agentauthz.protect('audit_docs', 'document', 'id');
SELECT agentauthz.protect('audit_notes', 'note', 'id', strategy => 'set');
SELECT agentauthz.create_agent_role('audit_bot', 'agent:auditee', tables => '{audit_docs,audit_notes}');
CREATE ROLE audit_admin IN ROLE agentauthz_admin;
SELECT agentauthz.delegate('user:anne', 'agent:auditee', '{viewer@document:*,editor@document:*,viewer@note:*}',
                           now() + interval '1 hour', 'quarterly review') AS token \gset
SELECT id AS delegation FROM agentauthz.delegations \gset

-- What the log holds, newest statements last (ids, times and pids vary).
CREATE FUNCTION pg_temp.audit_rows() RETURNS TABLE (
    kind text, actor text, principal text, chain text, purpose text, relation text,
    object text, decision text, allowed bigint, denied bigint, allowed_sample text[],
    denied_sample text[], identified boolean)
LANGUAGE sql AS $$
  SELECT kind, actor, principal,
         CASE WHEN delegation_chain IS NULL THEN NULL ELSE 'delegation' END, purpose, relation,
         object_type || coalesce(':' || object_id, ''), decision, allowed_count, denied_count,
         allowed_sample, denied_sample,
         query_hash ~ '^[0-9a-f]{64}$' AND query_id IS NOT NULL AND db_role = 'audit_bot'
    FROM agentauthz.audit_log ORDER BY id
$$;

-- summary (the default): one row per statement and (relation, type).
SHOW agentauthz.audit;
SET ROLE audit_bot;
SELECT agentauthz.act_for(:'token', false)->'audit' AS audit;
SELECT id, title FROM audit_docs ORDER BY id;
SELECT title FROM audit_docs WHERE id = 3;
SELECT body FROM audit_notes;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT * FROM pg_temp.audit_rows();

-- denied: a row per refusal, nothing for what was allowed.
TRUNCATE agentauthz.audit_log, agentauthz.audit_chain;
SET agentauthz.audit = 'denied';
SET ROLE audit_bot;
SELECT id FROM audit_docs ORDER BY id;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT * FROM pg_temp.audit_rows();

-- all: a row per decision.
TRUNCATE agentauthz.audit_log, agentauthz.audit_chain;
SET agentauthz.audit = 'all';
SET ROLE audit_bot;
SELECT id FROM audit_docs WHERE id IN (1, 4) ORDER BY id;
-- explain() decides as check() does, and is on record the same way.
SELECT agentauthz.explain('viewer', 'document:3')->'allowed' AS explained;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT * FROM pg_temp.audit_rows();

-- off: nothing.
TRUNCATE agentauthz.audit_log, agentauthz.audit_chain;
SET agentauthz.audit = 'off';
SET ROLE audit_bot;
SELECT count(*) FROM audit_docs;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT count(*) AS rows_at_off FROM agentauthz.audit_log;

-- Refusals outlive the agent's transaction: rolled back, failed, read-only.
SET agentauthz.audit = 'denied';
SET ROLE audit_bot;
BEGIN;
SELECT title FROM audit_docs WHERE id = 3;
ROLLBACK;
BEGIN;
UPDATE audit_docs SET title = 'hacked' WHERE id = 4;
UPDATE audit_docs SET id = 3 WHERE id = 2;
ROLLBACK;
BEGIN READ ONLY;
SELECT count(*) FROM audit_docs WHERE id = 4;
COMMIT;
-- A refused token is on record too (the session keeps its context).
SELECT regress.try($$SELECT agentauthz.act_for('aaz1.999.bm90IGEgc2VjcmV0')$$);
SELECT regress.try('SELECT agentauthz.act_for(''not a token'')');
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT * FROM pg_temp.audit_rows();
SELECT * FROM agentauthz.verify_audit();

-- Agents cannot change the level, read the log or touch its functions.
SET agentauthz.audit = 'summary';
SET ROLE audit_bot;
SELECT regress.try('SET agentauthz.audit = ''off''');
SELECT regress.try('SET LOCAL agentauthz.audit = ''off''');
SELECT regress.try($$SELECT set_config('agentauthz.audit', 'off', false)$$);
SELECT regress.try('RESET agentauthz.audit');
SELECT regress.try('SET agentauthz.audit_queue_wait = 0');
SELECT regress.try('ALTER ROLE audit_bot SET agentauthz.audit = ''off''');
SELECT regress.try($$SELECT agentauthz.set_audit_level('off', 'audit_bot')$$);
SELECT regress.try('SELECT count(*) FROM agentauthz.audit_log');
SELECT regress.try('SELECT count(*) FROM agentauthz.audit_decisions');
SELECT regress.try('SELECT count(*) FROM agentauthz.audit_chain');
SELECT regress.try('SELECT ok FROM agentauthz.verify_audit()');
SELECT regress.try($$SELECT agentauthz.purge_audit(now())$$);
SELECT regress.try('DELETE FROM agentauthz.audit_log');
SHOW agentauthz.audit;
RESET ROLE;

-- Admins set the level per database or role (for sessions that start later).
SET ROLE audit_admin;
SELECT agentauthz.set_audit_level('all', 'audit_bot');
SELECT regress.try($$SELECT agentauthz.set_audit_level('everything')$$);
SELECT regress.try($$SELECT agentauthz.set_audit_level(NULL)$$);
RESET ROLE;
SELECT array_to_string(s.setconfig, ',') AS setting
  FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname = 'audit_bot' AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database());
SET ROLE audit_admin;
SELECT agentauthz.set_audit_level('default', 'audit_bot');
RESET ROLE;
SELECT count(*) AS settings_left FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname = 'audit_bot';

-- The hash chain: an edit, a deletion and an insertion are each caught,
-- and the chain verifies again once they are undone.
SELECT * FROM agentauthz.verify_audit();
CREATE TEMP TABLE saved AS SELECT * FROM agentauthz.audit_log WHERE id = 2;
UPDATE agentauthz.audit_log SET decision = 'allowed' WHERE id = 2;
SELECT * FROM agentauthz.verify_audit();
UPDATE agentauthz.audit_log SET decision = 'denied' WHERE id = 2;
UPDATE agentauthz.audit_log SET denied_sample = '{3}' WHERE id = 2;
SELECT ok, first_bad_id FROM agentauthz.verify_audit();
UPDATE agentauthz.audit_log l SET denied_sample = s.denied_sample FROM saved s WHERE l.id = 2;
DELETE FROM agentauthz.audit_log WHERE id = 2;
SELECT * FROM agentauthz.verify_audit();
INSERT INTO agentauthz.audit_log SELECT * FROM saved;
SELECT * FROM agentauthz.verify_audit();
-- A forged row in a deleted row's place, even with the right prev_hash.
DELETE FROM agentauthz.audit_log WHERE id = 2;
INSERT INTO agentauthz.audit_log SELECT id, logged_at, kind, db_role, backend_pid, actor, principal,
    delegation_chain, purpose, query_id, query_hash, relation, 'document', '1', 'allowed', 0, 0,
    NULL, NULL, detail, prev_hash, row_hash FROM saved;
SELECT * FROM agentauthz.verify_audit();
DELETE FROM agentauthz.audit_log WHERE id = 2;
INSERT INTO agentauthz.audit_log SELECT * FROM saved;
-- A row appended by hand, and the newest row deleted.
INSERT INTO agentauthz.audit_log SELECT id + 100, logged_at, kind, db_role, backend_pid, actor,
    principal, delegation_chain, purpose, query_id, query_hash, relation, object_type, object_id,
    decision, allowed_count, denied_count, allowed_sample, denied_sample, detail, row_hash, row_hash
  FROM saved;
SELECT * FROM agentauthz.verify_audit();
DELETE FROM agentauthz.audit_log WHERE id = 102;
CREATE TEMP TABLE newest AS SELECT * FROM agentauthz.audit_log WHERE id = (SELECT max(id) FROM agentauthz.audit_log);
DELETE FROM agentauthz.audit_log WHERE id = (SELECT id FROM newest);
SELECT ok, rows_checked, first_bad_id = (SELECT id FROM newest) AS names_the_deleted_row
  FROM agentauthz.verify_audit();
INSERT INTO agentauthz.audit_log SELECT * FROM newest;
SELECT ok FROM agentauthz.verify_audit();
-- Malformed rows and heads are reported, not misread.
UPDATE agentauthz.audit_log SET kind = 'edited' WHERE id = 2;
SELECT * FROM agentauthz.verify_audit();
UPDATE agentauthz.audit_log SET kind = 'check' WHERE id = 2;
CREATE TEMP TABLE hash_saved AS SELECT id, row_hash FROM agentauthz.audit_log WHERE id = 3;
UPDATE agentauthz.audit_log SET row_hash = '\x00' WHERE id = 3;
SELECT ok, first_bad_id, detail FROM agentauthz.verify_audit();
UPDATE agentauthz.audit_log l SET row_hash = h.row_hash FROM hash_saved h WHERE l.id = h.id;
CREATE TEMP TABLE chain_saved AS SELECT * FROM agentauthz.audit_chain;
UPDATE agentauthz.audit_chain SET last_hash = '\x00';
SELECT regress.try('SELECT ok FROM agentauthz.verify_audit()');
UPDATE agentauthz.audit_chain c SET last_hash = s.last_hash FROM chain_saved s;
SELECT ok FROM agentauthz.verify_audit();
SELECT regress.try('SELECT agentauthz.audit_flush(-1)');

-- Purging keeps the chain verifiable from its new anchor, and refuses to
-- launder a tampered prefix.
UPDATE agentauthz.audit_log SET actor = 'agent:someone-else' WHERE id = 1;
SET ROLE audit_admin;
SELECT regress.try($$SELECT agentauthz.purge_audit(now() + interval '1 minute')$$);
RESET ROLE;
UPDATE agentauthz.audit_log SET actor = 'agent:auditee' WHERE id = 1;
SELECT count(*) AS rows_before FROM agentauthz.audit_log;
SET ROLE audit_admin;
SELECT agentauthz.purge_audit(now() + interval '1 minute') AS purged;
RESET ROLE;
SELECT id > 1 AS after_the_cut, kind, db_role, allowed_count, detail ~ '^rows 1 to \d+ were purged' AS says_so
  FROM agentauthz.audit_log;
SELECT ok, rows_checked FROM agentauthz.verify_audit();
SET ROLE audit_bot;
SELECT count(*) FROM audit_docs;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT ok, rows_checked FROM agentauthz.verify_audit();
SELECT regress.try($$SELECT agentauthz.purge_audit(NULL)$$);

-- A role with no actor context is refused everything, on record per
-- (relation, type), with the reason.
CREATE ROLE audit_nobody;
GRANT SELECT ON audit_docs TO audit_nobody;
GRANT EXECUTE ON FUNCTION agentauthz.check_id(text, text, bigint) TO audit_nobody;
SET ROLE audit_nobody;
SELECT (SELECT count(*) FROM audit_docs) AS docs,
       (SELECT count(*) FROM generate_series(1, 3) g WHERE agentauthz.check_id('editor', 'document', g)) AS editable;
SELECT agentauthz.audit_flush();
RESET ROLE;
SELECT kind, actor, relation, object_type, allowed_count, denied_count, detail
  FROM agentauthz.audit_log WHERE db_role = 'audit_nobody' ORDER BY id;
DROP OWNED BY audit_nobody;
DROP ROLE audit_nobody;

-- The auditor's views.
SELECT actor, principal, delegation_id = :delegation AS delegation, purpose, statements, allowed, denied
  FROM agentauthz.audit_by_delegation;
SELECT kind, relation, object_id, decision, complete FROM agentauthz.audit_decisions ORDER BY log_id, decision, object_id;

SET ROLE audit_bot;
SELECT agentauthz.end_task();
RESET ROLE;
RESET agentauthz.audit;
DROP TABLE audit_docs, audit_notes;
DROP EXTENSION agentauthz CASCADE;
DROP ROLE audit_bot, audit_admin;
