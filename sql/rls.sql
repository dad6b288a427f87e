-- Row-level security helpers: protect/unprotect (idempotent, composing
-- with existing policies, every key type, both strategies), agent roles,
-- and tuples kept in step with application columns.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS regress_docs, regress_folders, regress_accounts, regress_assets, regress_notes;
DROP ROLE IF EXISTS regress_writer_bot, regress_reader_bot;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define owner: [user]
    define editor: [user, agent] or owner
    define viewer: [user, agent] or editor
type document
  relations
    define parent: [folder]
    define owner: [user] or owner from parent
    define editor: [user] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
type account
  relations
    define owner: [user]
    define editor: owner
    define viewer: [user, agent] or owner
type asset
  relations
    define owner: [user]
    define editor: owner
    define viewer: [user, agent] or owner
type note
  relations
    define owner: [user]
    define editor: owner
    define viewer: [user, agent] or owner
$dsl$) > 0 AS model_written;

CREATE TABLE regress_folders (id bigint PRIMARY KEY, name text);
CREATE TABLE regress_docs (id bigint PRIMARY KEY, folder_id bigint, title text);
CREATE TABLE regress_accounts (id integer PRIMARY KEY, owner_id text, name text);
CREATE TABLE regress_assets (id uuid PRIMARY KEY, label text);
CREATE TABLE regress_notes (id varchar(20) PRIMARY KEY, body text);
INSERT INTO regress_folders VALUES (1, 'team'), (2, 'private');
INSERT INTO regress_docs VALUES (10, 1, 'plan'), (11, 1, 'budget'), (20, 2, 'diary');
INSERT INTO regress_accounts VALUES (1, 'sam', 'Acme'), (2, 'tina', 'Globex');
INSERT INTO regress_assets VALUES ('0f5a1c2e-1111-4c3b-9a7e-000000000001', 'laptop'),
                                  ('0f5a1c2e-1111-4c3b-9a7e-000000000002', 'phone');
INSERT INTO regress_notes VALUES ('n-1', 'first'), ('n-2', 'second');

-- Tuples derived from columns: documents.folder_id -> document parent folder,
-- accounts.owner_id -> account owner user.
SELECT agentauthz.sync_tuples('regress_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS written;
SELECT agentauthz.sync_tuples('regress_accounts', 'account', 'id', 'owner', 'user', 'owner_id') AS written;
SELECT object, relation, subject FROM agentauthz.tuples ORDER BY 1, 2, 3;
SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('folder:1', 'editor', 'user:anne'),
  ('folder:2', 'owner', 'user:bob'),
  ('asset:0f5a1c2e-1111-4c3b-9a7e-000000000001', 'viewer', 'user:anne'),
  ('note:n-2', 'viewer', 'user:anne')
) AS t(o, r, s)) AS written;

-- Protecting tables with every key type.
SELECT agentauthz.protect('regress_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.protect('regress_accounts', 'account', 'id');
SELECT agentauthz.protect('regress_assets', 'asset', 'id', strategy => 'set');
SELECT agentauthz.protect('regress_notes', 'note', 'id', strategy => 'set');
SELECT tbl, object_type, id_column, strategy, policies, enabled_rls, forced_rls
FROM agentauthz.protected_tables ORDER BY tbl::text;
SELECT polname, polpermissive, polcmd, pg_get_expr(polqual, polrelid) AS using_expr,
       pg_get_expr(polwithcheck, polrelid) AS check_expr
FROM pg_policy WHERE polrelid = 'regress_docs'::regclass ORDER BY polname;
SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
WHERE polrelid = 'regress_assets'::regclass AND polname = 'agentauthz_select';

-- Acting as anne (set_subject needs a trusted role: the superuser is one).
BEGIN;
SELECT agentauthz.set_subject('user:anne') IS NOT NULL AS acting;
CREATE ROLE regress_reader_bot;
GRANT SELECT, INSERT, UPDATE, DELETE ON regress_docs, regress_accounts, regress_assets, regress_notes TO regress_reader_bot;
COMMIT;
SELECT agentauthz.register_agent('agent:reader', 'regress_reader_bot');
SELECT agentauthz.write_tuple('folder:1', 'viewer', 'agent:reader');
-- The table owner is not subject to row-level security (without FORCE).
SELECT count(*) AS owner_sees FROM regress_docs;
SET ROLE regress_reader_bot;
SELECT id, title FROM regress_docs ORDER BY id;
SELECT count(*) AS accounts FROM regress_accounts;
SELECT regress.try($$UPDATE regress_docs SET title = 'x'$$) AS update_result;
SELECT count(*) AS updated FROM regress_docs WHERE title = 'x';
SELECT regress.try($$INSERT INTO regress_docs VALUES (12, 1, 'new')$$) AS insert_result;
RESET ROLE;

-- protect() again: same policies, nothing doubled; with FORCE the owner is filtered too.
SELECT agentauthz.protect('regress_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT count(*) AS policies FROM pg_policy WHERE polrelid = 'regress_docs'::regclass;
SELECT agentauthz.protect('regress_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder',
                          force => true);
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'regress_docs'::regclass;
CREATE ROLE regress_writer_bot;
ALTER TABLE regress_docs OWNER TO regress_writer_bot;
SET ROLE regress_writer_bot;
SELECT count(*) AS forced_owner_sees FROM regress_docs;
RESET ROLE;
ALTER TABLE regress_docs OWNER TO postgres;
SELECT agentauthz.protect('regress_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'regress_docs'::regclass;

-- Bad arguments.
SELECT regress.try($$SELECT agentauthz.protect('regress_docs', 'document', 'nope')$$);
SELECT regress.try($$SELECT agentauthz.protect('regress_docs', 'document', 'title', strategy => 'fast')$$);
SELECT regress.try($$SELECT agentauthz.protect('regress_docs', 'report', 'id')$$);
SELECT regress.try($$SELECT agentauthz.protect('regress_docs', 'document', 'id', select_relation => 'reader')$$);
SELECT regress.try($$SELECT agentauthz.protect('regress_docs', 'document', 'id', parent_column => 'folder_id')$$);
CREATE TABLE regress_bad_key (id numeric PRIMARY KEY);
SELECT regress.try($$SELECT agentauthz.protect('regress_bad_key', 'document', 'id')$$);
DROP TABLE regress_bad_key;

-- With existing policies: agentauthz narrows them, never widens them.
SELECT agentauthz.unprotect('regress_accounts');
ALTER TABLE regress_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON regress_accounts FOR SELECT USING (name <> 'Globex');
SELECT agentauthz.protect('regress_accounts', 'account', 'id');
SELECT polname, polpermissive, polcmd FROM pg_policy WHERE polrelid = 'regress_accounts'::regclass ORDER BY polname;
SELECT agentauthz.write_tuple('account:2', 'viewer', 'agent:reader');
SELECT agentauthz.write_tuple('account:1', 'viewer', 'agent:reader');
SET ROLE regress_reader_bot;
SELECT id, name FROM regress_accounts ORDER BY id;
RESET ROLE;
-- unprotect removes exactly what protect made: the tenant policy and RLS stay.
SELECT agentauthz.unprotect('regress_accounts');
SELECT polname FROM pg_policy WHERE polrelid = 'regress_accounts'::regclass ORDER BY polname;
SELECT relrowsecurity FROM pg_class WHERE oid = 'regress_accounts'::regclass;
SELECT agentauthz.unprotect('regress_accounts') AS again;
DROP POLICY tenant_only ON regress_accounts;
-- A table protect() turned RLS on for gets it turned off again.
SELECT agentauthz.unprotect('regress_notes');
SELECT relrowsecurity, (SELECT count(*) FROM pg_policy WHERE polrelid = 'regress_notes'::regclass) AS policies
FROM pg_class WHERE oid = 'regress_notes'::regclass;

-- The set strategy over uuid and text keys.
SELECT agentauthz.protect('regress_notes', 'note', 'id', strategy => 'set');
SELECT agentauthz.write_tuple('asset:0f5a1c2e-1111-4c3b-9a7e-000000000002', 'viewer', 'agent:reader');
SELECT agentauthz.write_tuple('note:n-1', 'viewer', 'agent:reader');
SET ROLE regress_reader_bot;
SELECT label FROM regress_assets ORDER BY label;
SELECT id FROM regress_notes ORDER BY id;
RESET ROLE;

-- Sync triggers keep tuples exact: insert, update of the column, update of
-- the id, delete, truncate.
INSERT INTO regress_docs VALUES (30, 2, 'new doc'), (31, NULL, 'loose');
UPDATE regress_docs SET folder_id = 1 WHERE id = 20;
UPDATE regress_docs SET id = 21 WHERE id = 11;
DELETE FROM regress_docs WHERE id = 10;
UPDATE regress_docs SET folder_id = NULL WHERE id = 30;
SELECT object, subject FROM agentauthz.tuples WHERE relation = 'parent' ORDER BY 1;
SELECT d.id FROM regress_docs d
WHERE d.folder_id IS NOT NULL
  AND NOT EXISTS (SELECT FROM agentauthz.tuples t WHERE t.object = 'document:' || d.id
                  AND t.relation = 'parent' AND t.subject = 'folder:' || d.folder_id);
TRUNCATE regress_docs;
SELECT count(*) AS parent_tuples_after_truncate FROM agentauthz.tuples WHERE relation = 'parent';
SELECT count(*) AS other_tuples_kept FROM agentauthz.tuples WHERE relation <> 'parent';
SELECT agentauthz.unsync_tuples('regress_docs', 'parent', 'folder_id');
INSERT INTO regress_docs VALUES (40, 1, 'after unsync');
SELECT count(*) AS not_synced FROM agentauthz.tuples WHERE object = 'document:40';

-- An agent writing rows updates their tuples, although it cannot write tuples.
SELECT agentauthz.sync_tuples('regress_docs', 'document', 'id', 'parent', 'folder', 'folder_id');
SELECT agentauthz.write_tuple('folder:1', 'editor', 'agent:reader');
SET ROLE regress_reader_bot;
INSERT INTO regress_docs VALUES (50, 1, 'written by the agent');
SELECT regress.try($$INSERT INTO regress_docs VALUES (51, 2, 'into a folder it cannot edit')$$) AS refused;
SELECT regress.try($$UPDATE regress_docs SET folder_id = 2 WHERE id = 50$$) AS move_refused;
SELECT regress.try($$INSERT INTO agentauthz.tuples VALUES ('document:50', 'viewer', 'agent:reader')$$) AS direct_write;
RESET ROLE;
SELECT object, subject FROM agentauthz.tuples WHERE object = 'document:50';

-- create_agent_role: a login role with no way around row-level security.
SELECT agentauthz.create_agent_role('regress_writer_bot2', 'agent:writer', tables => ARRAY['regress_docs'::regclass]);
SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit
FROM pg_roles WHERE rolname = 'regress_writer_bot2';
SELECT agent FROM agentauthz.agents WHERE role_name = 'regress_writer_bot2';
SELECT has_table_privilege('regress_writer_bot2', 'regress_docs', 'SELECT') AS dml,
       has_table_privilege('regress_writer_bot2', 'agentauthz.tuples', 'SELECT') AS tuples,
       has_schema_privilege('regress_writer_bot2', 'public', 'CREATE') AS ddl;
SELECT regress.try($$SELECT agentauthz.create_agent_role('regress_writer_bot2', 'agent:writer')$$);
SET ROLE regress_writer_bot2;
SELECT regress.try(q) FROM (VALUES
  ('ALTER TABLE regress_docs DISABLE ROW LEVEL SECURITY'),
  ('DROP POLICY agentauthz_select ON regress_docs'),
  ('ALTER TABLE regress_docs ADD COLUMN x int'),
  ('SELECT agentauthz.unprotect(''regress_docs'')'),
  ('CREATE TABLE public.regress_escape (id int)')
) AS q(q);
SELECT count(*) AS rows_seen FROM regress_docs;
-- row_security = off does not bypass policies: the query fails instead.
SET row_security = off;
SELECT regress.try('SELECT count(*) FROM regress_docs') AS without_row_security;
RESET row_security;
RESET ROLE;

SET client_min_messages = warning;
DROP TABLE regress_docs, regress_folders, regress_accounts, regress_assets, regress_notes;
DROP EXTENSION agentauthz CASCADE;
DROP OWNED BY regress_reader_bot, regress_writer_bot, regress_writer_bot2;
DROP ROLE regress_reader_bot, regress_writer_bot, regress_writer_bot2;
