-- Bad arguments to the administrative functions get a clear error naming
-- the argument (22004, 22023), and change nothing. Under 0.1,
-- protect(..., select_relation => NULL) succeeded with a silent deny-all
-- policy, a NULL strategy or object_type ended in a NOT NULL violation,
-- and create_agent_role failed on names that need quoting.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_args_docs, sec_args_small;
DROP ROLE IF EXISTS "Sec Args Bot", "sec_args_o'brien", "SEC_ARGS_UPPER";
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define editor: [user]
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user, agent] or editor
$dsl$) > 0 AS model_written;
CREATE TABLE sec_args_docs (id bigint PRIMARY KEY, folder_id bigint);

SELECT regress.try(statement) AS protect_with FROM unnest(ARRAY[
  $$SELECT agentauthz.protect(NULL, 'document', 'id')$$,
  $$SELECT agentauthz.protect('sec_args_docs', NULL, 'id')$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', select_relation => NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', update_relation => NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', delete_relation => NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', strategy => NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', force => NULL)$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', strategy => 'fast')$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', parent_column => 'folder_id')$$,
  $$SELECT agentauthz.protect('sec_args_docs', 'document', 'id', select_relation => '')$$]) AS statement;
SELECT count(*) AS policies_made FROM pg_policy WHERE polrelid = 'sec_args_docs'::regclass;
SELECT count(*) AS recorded FROM agentauthz.protected_tables;
SELECT regress.try(statement) AS other_functions_with FROM unnest(ARRAY[
  $$SELECT agentauthz.unprotect(NULL)$$,
  $$SELECT agentauthz.sync_tuples('sec_args_docs', 'document', 'id', NULL, 'folder', 'folder_id')$$,
  $$SELECT agentauthz.sync_tuples('sec_args_docs', 'document', 'id', 'parent', 'folder', NULL)$$,
  $$SELECT agentauthz.unsync_tuples('sec_args_docs', NULL, 'folder_id')$$,
  $$SELECT agentauthz.create_agent_role(NULL, 'agent:x')$$,
  $$SELECT agentauthz.create_agent_role('sec_args_x', NULL)$$,
  $$SELECT agentauthz.create_agent_role('sec_args_x', 'agent:x', tables => NULL)$$,
  $$SELECT agentauthz.set_audit_level(NULL)$$,
  $$SELECT agentauthz.set_audit_level('loud')$$,
  $$SELECT agentauthz.register_agent(NULL, 'postgres')$$,
  $$SELECT agentauthz.delegate('user:anne', 'agent:x', NULL, now() + interval '1 hour', 'x')$$,
  $$SELECT agentauthz.delegate('user:anne', 'agent:x', '{}', now() + interval '1 hour', 'x')$$,
  $$SELECT agentauthz.delegate('user:anne', 'agent:x', '{NULL}', now() + interval '1 hour', 'x')$$,
  $$SELECT agentauthz.act_for(NULL)$$,
  $$SELECT agentauthz.act_for('aaz1.1.x', NULL)$$,
  $$SELECT agentauthz.set_subject(NULL)$$,
  $$SELECT agentauthz.purge_audit(NULL)$$,
  $$SELECT agentauthz.revoke_delegation(NULL)$$]) AS statement;
SELECT count(*) AS roles_made FROM pg_roles WHERE rolname = 'sec_args_x';

-- Role names that need quoting.
SELECT agentauthz.create_agent_role('Sec Args Bot', 'agent:spaced', tables => ARRAY['sec_args_docs']::regclass[]);
SELECT agentauthz.create_agent_role('sec_args_o''brien', 'agent:quoted');
SELECT agentauthz.create_agent_role('SEC_ARGS_UPPER', 'agent:upper');
SELECT role_name, agent FROM agentauthz.agents ORDER BY 1;
SELECT has_table_privilege('Sec Args Bot', 'sec_args_docs', 'SELECT') AS granted;
SELECT agentauthz.set_audit_level('all', '"Sec Args Bot"');
SELECT agentauthz.set_session_contexts(false, '"sec_args_o''brien"');
-- A role that does not exist is not the whole database.
SELECT regress.try($$SELECT agentauthz.set_audit_level('off', 0::regrole)$$) AS role_zero,
       regress.try($$SELECT agentauthz.set_session_contexts(true, 4294967295::oid::regrole)$$) AS no_such_role;
SELECT r.rolname, s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname LIKE '%rgs%' ORDER BY 1;

-- A smallint key fits both typed checks (integer and bigint); protect()
-- casts it, so the policies are not ambiguous calls.
CREATE TABLE sec_args_small (id smallint PRIMARY KEY, folder_id smallint);
SELECT agentauthz.protect('sec_args_small', 'document', 'id', parent_column => 'folder_id',
                          parent_type => 'folder');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'agent:spaced');
INSERT INTO sec_args_small VALUES (1, NULL), (2, NULL);
GRANT SELECT, INSERT ON sec_args_small TO "Sec Args Bot";
SET ROLE "Sec Args Bot";
SELECT id FROM sec_args_small ORDER BY id;
SELECT regress.try($$INSERT INTO sec_args_small VALUES (3, 7)$$) AS insert_without_parent;
RESET ROLE;
DROP TABLE sec_args_small;

DROP TABLE sec_args_docs;
DROP OWNED BY "Sec Args Bot", "sec_args_o'brien", "SEC_ARGS_UPPER";
DROP ROLE "Sec Args Bot", "sec_args_o'brien", "SEC_ARGS_UPPER";
