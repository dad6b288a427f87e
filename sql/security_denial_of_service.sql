-- One agent must not make other readers' queries fail, nor bury what it
-- did under records it can produce at will. Found by review: an agent that
-- may create folders nested them past agentauthz.max_depth, and every
-- reader's scan failed with 54001 (as malformed keys did under 0.1); at the
-- default `summary` level every refusal of a malformed key was a row of its
-- own, so a statement checking millions of them filled the queue and what
-- it read was never recorded. A check too deep to decide is now simply not
-- allowed (and recorded as refused), and such refusals are summarised like
-- any other. An application cannot lock the tuples table against readers.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_dos_folders, sec_dos_docs;
DROP ROLE IF EXISTS sec_dos_bot, sec_dos_app;
RESET client_min_messages;
SET agentauthz.max_depth = 12;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner or editor from parent
    define viewer: [user] or editor or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner or editor from parent
    define viewer: [user] or editor or viewer from parent
$dsl$) > 0 AS model_written;
CREATE TABLE sec_dos_folders (id bigint PRIMARY KEY, parent_id bigint);
CREATE TABLE sec_dos_docs (id bigint PRIMARY KEY, folder_id bigint);
INSERT INTO sec_dos_folders VALUES (1, NULL);
INSERT INTO sec_dos_docs VALUES (1, 1);
SELECT agentauthz.sync_tuples('sec_dos_folders', 'folder', 'id', 'parent', 'folder', 'parent_id')
     + agentauthz.sync_tuples('sec_dos_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS synced;
SELECT agentauthz.protect('sec_dos_folders', 'folder', 'id', parent_column => 'parent_id', parent_type => 'folder');
SELECT agentauthz.protect('sec_dos_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.write_tuple('folder:1', 'editor', 'user:anne');
SELECT agentauthz.write_tuple('folder:1', 'viewer', 'user:bob');
SELECT agentauthz.create_agent_role('sec_dos_bot', 'agent:dos',
                                    tables => ARRAY['sec_dos_folders', 'sec_dos_docs']::regclass[]);
CREATE ROLE sec_dos_app IN ROLE agentauthz_app;
GRANT SELECT ON sec_dos_folders, sec_dos_docs TO sec_dos_app;
SELECT agentauthz.delegate('user:anne', 'agent:dos', ARRAY['editor@folder:1', 'viewer@folder:1'],
                           now() + interval '1 hour', 'file things') AS token \gset

-- The agent nests folders as deep as its own inserts' checks allow (each
-- checks editor on the parent), and files a document near the bottom.
SELECT set_config('sec_dos.token', :'token', false) IS NOT NULL AS token_passed;
SET ROLE sec_dos_bot;
DO $$
DECLARE
  deepest bigint := 1;
BEGIN
  PERFORM agentauthz.act_for(current_setting('sec_dos.token'));
  FOR level IN 2 .. 20 LOOP
    BEGIN
      INSERT INTO sec_dos_folders VALUES (level, level - 1);
      deepest := level;
    EXCEPTION WHEN insufficient_privilege THEN
      EXIT;
    END;
  END LOOP;
  INSERT INTO sec_dos_docs VALUES (2, deepest - 1);
END $$;
RESET ROLE;
SELECT count(*) AS folders, max(id) AS deepest FROM sec_dos_folders;
-- bob (through an application) reads: what is too deep is not his, and
-- nothing fails.
SET ROLE sec_dos_app;
BEGIN;
SELECT agentauthz.set_subject('user:bob') ? 'subject' AS acting;
SELECT count(*) AS bob_folders FROM sec_dos_folders;
SELECT id FROM sec_dos_docs ORDER BY id;
SELECT agentauthz.check('viewer', 'document:2') AS deep_document;
COMMIT;
RESET ROLE;

-- A statement refusing thousands of malformed keys leaves one summary row,
-- with a sample, not a row per refusal.
SET agentauthz.audit = 'summary';
SELECT agentauthz.audit_flush();
SELECT max(id) AS last_row FROM agentauthz.audit_log \gset
SET ROLE sec_dos_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT count(*) FILTER (WHERE agentauthz.check_id('viewer', 'document', 'x y' || g)) AS allowed_bad_keys
  FROM generate_series(1, 5000) g;
COMMIT;
RESET ROLE;
SELECT agentauthz.audit_flush();
SELECT kind, relation, object_type, allowed_count, denied_count, cardinality(denied_sample) AS sampled
  FROM agentauthz.audit_log WHERE id > :last_row AND actor = 'agent:dos' ORDER BY id;
RESET agentauthz.audit;

-- An application may insert tuples (bulk loads) but not lock the table:
-- a lock held in a prepared transaction would hang every reader.
SET ROLE sec_dos_app;
SELECT regress.try(statement) AS app_on_tuples FROM unnest(ARRAY[
  $$LOCK TABLE agentauthz.tuples IN ACCESS EXCLUSIVE MODE$$,
  $$LOCK TABLE agentauthz.tuples IN SHARE MODE$$,
  $$UPDATE agentauthz.tuples SET expires_at = now()$$,
  $$DELETE FROM agentauthz.tuples$$,
  $$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('folder:1', 'viewer', 'user:carol')$$,
  $$SELECT agentauthz.delete_tuple('folder:1', 'viewer', 'user:carol')::text$$]) AS statement;
RESET ROLE;

RESET agentauthz.max_depth;
DROP TABLE sec_dos_folders, sec_dos_docs;
DROP OWNED BY sec_dos_bot, sec_dos_app;
DROP ROLE sec_dos_bot, sec_dos_app;
