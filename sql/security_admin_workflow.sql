-- An admin that is not a superuser -- a member of agentauthz_admin with
-- CREATEROLE (to create agents' roles), owning its application's tables --
-- does its whole documented workflow through the extension's functions,
-- and cannot write the extension's bookkeeping or catalog tables directly.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP SCHEMA IF EXISTS wf CASCADE;
DROP ROLE IF EXISTS wf_admin, wf_bot, wf_helper;
RESET client_min_messages;
SELECT current_user AS superuser \gset
CREATE ROLE wf_admin LOGIN CREATEROLE IN ROLE agentauthz_admin;
CREATE SCHEMA wf AUTHORIZATION wf_admin;
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = 'wf_admin';

SET ROLE wf_admin;
-- The model, and tuples four ways.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define editor: [user]
    define viewer: [user, agent] or editor
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('folder:1', 'editor', 'user:anne');
SELECT agentauthz.write_tuple('folder:2', 'viewer', 'user:bob');
INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('folder:2', 'viewer', 'user:anne');
COPY agentauthz.tuples (object, relation, subject) FROM STDIN;
folder:3	viewer	user:anne
\.
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('folder:2', 'owner', 'user:x')$$)
  AS invalid_tuple_refused;
SELECT agentauthz.delete_tuple('folder:2', 'viewer', 'user:bob') AS deleted;
SELECT object, relation, subject FROM agentauthz.tuples ORDER BY 1, 2, 3;
-- Its application's table, protected and synced.
CREATE TABLE wf.docs (id bigint PRIMARY KEY, folder_id bigint, title text);
INSERT INTO wf.docs VALUES (1, 1, 'plan'), (2, 2, 'budget'), (3, 3, 'diary');
SELECT agentauthz.sync_tuples('wf.docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS synced;
SELECT agentauthz.protect('wf.docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
-- Agents' roles: one it creates with create_agent_role, one it creates
-- itself and registers.
SELECT agentauthz.create_agent_role('wf_bot', 'agent:wf', tables => ARRAY['wf.docs']::regclass[]);
CREATE ROLE wf_helper;
SELECT agentauthz.register_agent('agent:wf-helper', 'wf_helper');
GRANT USAGE ON SCHEMA wf TO wf_bot;
SELECT agentauthz.set_audit_level('all', 'wf_bot');
SELECT agentauthz.set_session_contexts(false, 'wf_helper');
-- A delegation.
SELECT agentauthz.delegate('user:anne', 'agent:wf', ARRAY['editor@folder:1', 'viewer@folder:2'],
                           now() + interval '1 hour', 'tidy the plan') AS token \gset
RESET ROLE;
SELECT r.rolname, array_to_string(s.setconfig, ',') AS settings
  FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND r.rolname LIKE 'wf_%'
 ORDER BY 1;

-- The agent works under it (a new session: the level applies to sessions
-- that start afterwards).
\c - wf_bot
SHOW agentauthz.audit;
SELECT agentauthz.act_for(:'token', local => false) ->> 'purpose' AS acting_for;
SELECT id, title FROM wf.docs ORDER BY id;
INSERT INTO wf.docs VALUES (4, 1, 'new page');
SELECT agentauthz.audit_flush();
\c - :superuser
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'document:4';

SET ROLE wf_admin;
-- Revocation, the audit, and undoing everything it set up.
SELECT agentauthz.revoke_delegation(id) AS revoked FROM agentauthz.delegations;
SELECT count(*) > 0 AS agent_on_record FROM agentauthz.audit_log WHERE actor = 'agent:wf';
SELECT ok FROM agentauthz.verify_audit();
SELECT agentauthz.purge_audit(now()) > 0 AS purged;
SELECT ok, rows_checked FROM agentauthz.verify_audit();
SELECT agentauthz.set_audit_level('default', 'wf_bot');
SELECT agentauthz.set_session_contexts(NULL, 'wf_helper');
SELECT agentauthz.unsync_tuples('wf.docs', 'parent', 'folder_id') AS unsynced;
SELECT agentauthz.unprotect('wf.docs') AS unprotected;
SELECT agentauthz.unregister_agent('wf_helper') AS unregistered;

-- Direct writes to the extension's tables other than tuples: refused.
SELECT t AS target, regress.try(s) AS direct_write FROM (VALUES
  ('models', $$INSERT INTO agentauthz.models (dsl) VALUES ('model')$$),
  ('models', $$DELETE FROM agentauthz.models$$),
  ('agents', $$INSERT INTO agentauthz.agents (agent, role_name) VALUES ('agent:me', 'wf_admin')$$),
  ('agents', $$UPDATE agentauthz.agents SET agent = 'agent:other'$$),
  ('delegations', $$UPDATE agentauthz.delegations SET revoked_at = NULL$$),
  ('delegations', $$DELETE FROM agentauthz.delegations$$),
  ('protected_tables', $$INSERT INTO agentauthz.protected_tables (tbl, object_type, id_column, strategy, policies,
                                                                    enabled_rls, forced_rls)
                         VALUES ('wf.docs', 'document', 'id', 'row', '{}', true, true)$$),
  ('synced_columns', $$INSERT INTO agentauthz.synced_columns VALUES ('wf.docs', 'document', 'id', 'owner', 'user',
                                                                     'title', NULL, 'x')$$),
  ('audit_log', $$DELETE FROM agentauthz.audit_log$$),
  ('audit_log', $$UPDATE agentauthz.audit_log SET actor = 'agent:someone-else'$$),
  ('audit_chain', $$UPDATE agentauthz.audit_chain SET last_id = 0$$),
  ('audit_chain', $$TRUNCATE agentauthz.audit_chain$$)) AS attempts(t, s);
RESET ROLE;
SELECT (SELECT count(*) FROM agentauthz.protected_tables) AS protected,
       (SELECT count(*) FROM agentauthz.synced_columns) AS synced,
       (SELECT string_agg(role_name || '=' || agent, ', ') FROM agentauthz.agents) AS agents,
       (SELECT count(*) FROM pg_policy WHERE polrelid = 'wf.docs'::regclass) AS policies,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wf.docs'::regclass) AS triggers;

DROP SCHEMA wf CASCADE;
DROP OWNED BY wf_admin, wf_bot, wf_helper;
DROP ROLE wf_bot, wf_helper, wf_admin;
