-- An agent's row writes on synced tables must not become tuple writes it
-- may not make. Found by review: an insert under a folder it may edit took
-- an existing document (or folder) into that folder -- the parent check
-- alone decided; a text value '*' or 'eng#member' in a synced column made a
-- wildcard or a userset; an editor changing an owner column made its
-- principal owner. Now an existing object is attached only with the update
-- relation on it (check_new_object), synced values are plain ids, and an
-- agent changes who relates to an existing object only through the parent
-- column protect() checks.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_rows_folders, sec_rows_docs, sec_rows_accounts, sec_rows_shares, sec_rows_long;
DROP ROLE IF EXISTS sec_rows_bot;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user]
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
    define viewer: [user, user:*, group#member] or editor or viewer from parent
type account
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor
$dsl$) > 0 AS model_written;
CREATE TABLE sec_rows_folders (id bigint PRIMARY KEY, parent_id bigint, name text);
CREATE TABLE sec_rows_docs (id bigint PRIMARY KEY, folder_id bigint, title text);
CREATE TABLE sec_rows_accounts (id bigint PRIMARY KEY, owner text, name text);
CREATE TABLE sec_rows_shares (doc_id bigint, reader text);
INSERT INTO sec_rows_folders VALUES (1, NULL, 'anne''s'), (2, NULL, 'bob''s'), (3, 2, 'bob''s inner');
INSERT INTO sec_rows_docs VALUES (10, 1, 'anne''s doc'), (20, 2, 'bob''s doc');
INSERT INTO sec_rows_accounts VALUES (50, 'bob', 'Acme');
SELECT agentauthz.sync_tuples('sec_rows_folders', 'folder', 'id', 'parent', 'folder', 'parent_id')
     + agentauthz.sync_tuples('sec_rows_docs', 'document', 'id', 'parent', 'folder', 'folder_id')
     + agentauthz.sync_tuples('sec_rows_accounts', 'account', 'id', 'owner', 'user', 'owner')
     + agentauthz.sync_tuples('sec_rows_shares', 'document', 'doc_id', 'viewer', 'user', 'reader') AS synced;
SELECT agentauthz.protect('sec_rows_folders', 'folder', 'id', parent_column => 'parent_id', parent_type => 'folder');
SELECT agentauthz.protect('sec_rows_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.protect('sec_rows_accounts', 'account', 'id');
SELECT agentauthz.protect('sec_rows_shares', 'document', 'doc_id', insert_relation => 'owner',
                          update_relation => 'owner');
SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('folder:1', 'owner', 'user:anne'),
  ('folder:2', 'owner', 'user:bob'),
  ('folder:7', 'owner', 'user:bob'),        -- only tuples: no row in sec_rows_folders
  ('document:30', 'parent', 'folder:7'),    -- a document only tuples know of
  ('account:50', 'editor', 'user:anne'),
  ('account:60', 'owner', 'user:bob'),      -- an account with no row
  ('document:10', 'owner', 'user:anne')
) AS t(o, r, s)) AS written;
SELECT agentauthz.create_agent_role('sec_rows_bot', 'agent:rows',
  tables => ARRAY['sec_rows_folders', 'sec_rows_docs', 'sec_rows_accounts', 'sec_rows_shares']::regclass[]);
SELECT agentauthz.delegate('user:anne', 'agent:rows',
                           ARRAY['editor@folder:1', 'editor@account:50', 'owner@document:10', 'editor@account:*'],
                           now() + interval '1 hour', 'tidy up') AS token \gset
SET ROLE sec_rows_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;

-- Taking existing objects into a folder it may edit: the document and the
-- folder only tuples know of, and bob's folder 3. Refused.
SELECT regress.try(statement) AS take_over FROM unnest(ARRAY[
  $$INSERT INTO sec_rows_docs VALUES (30, 1, 'grab')$$,
  $$INSERT INTO sec_rows_folders VALUES (7, 1, 'grab')$$,
  $$INSERT INTO sec_rows_docs VALUES (20, 1, 'grab')$$]) AS statement;
SELECT agentauthz.check('viewer', 'document:30') AS sees_30, agentauthz.check('viewer', 'folder:7') AS sees_7;
-- New objects in its folder, and a move of one it may edit: allowed.
SELECT regress.try(statement) AS create_and_move FROM unnest(ARRAY[
  $$INSERT INTO sec_rows_docs VALUES (11, 1, 'new')$$,
  $$INSERT INTO sec_rows_folders VALUES (4, 1, 'new inner')$$,
  $$UPDATE sec_rows_docs SET folder_id = 4 WHERE id = 11$$]) AS statement;

-- An owner column: the editor may rename the account, not make its
-- principal the owner; nor own an account only tuples know of by writing a
-- row for it. A new account it creates may name its owner.
SELECT regress.try(statement) AS owner_column FROM unnest(ARRAY[
  $$UPDATE sec_rows_accounts SET name = 'Acme Corp' WHERE id = 50$$,
  $$UPDATE sec_rows_accounts SET owner = 'anne' WHERE id = 50$$,
  $$UPDATE sec_rows_accounts SET owner = NULL WHERE id = 50$$,
  $$INSERT INTO sec_rows_accounts VALUES (60, 'anne', 'taken')$$]) AS statement;
-- Nor once its delegation has expired by the time the row's trigger fires
-- (a data-modifying CTE's triggers fire at the end of the statement): the
-- rule holds for a session acting for an agent, valid or not.
SELECT agentauthz.subdelegate('agent:rows', ARRAY['editor@account:50'], now() + interval '1 second',
                              'expire mid-statement') AS short \gset
SELECT agentauthz.act_for(:'short') ? 'chain' AS acting_briefly;
SELECT regress.try($$WITH u AS (UPDATE sec_rows_accounts SET owner = 'anne' WHERE id = 50 RETURNING 1)
                     SELECT count(pg_sleep(1.5)) FROM u$$) AS expiring_cte;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting_again;

-- Synced values are plain ids: '*' is no wildcard, '#member' no userset.
SELECT regress.try(statement) AS plain_ids FROM unnest(ARRAY[
  $$INSERT INTO sec_rows_shares VALUES (10, '*')$$,
  $$INSERT INTO sec_rows_shares VALUES (10, 'eng#member')$$,
  $$INSERT INTO sec_rows_shares VALUES (10, 'a:b')$$,
  $$INSERT INTO sec_rows_shares VALUES (10, 'carol')$$]) AS statement;
COMMIT;
RESET ROLE;

SELECT object, relation, subject FROM agentauthz.tuples
 WHERE object IN ('document:30', 'folder:7', 'document:20', 'document:11', 'folder:4', 'account:50', 'account:60',
                  'document:10')
 ORDER BY 1, 2, 3;
SELECT agentauthz.check('user:mallory', 'viewer', 'document:10') AS mallory_reads_10,
       agentauthz.check('user:anne', 'owner', 'account:50') AS anne_owns_50;

-- Sharing anne's document with carol was refused too: a viewer tuple on an
-- object that exists is a tuple write, which agents do not make.
-- sync_tuples() refuses a table that already holds such values.
SELECT agentauthz.unsync_tuples('sec_rows_shares', 'viewer', 'reader');
INSERT INTO sec_rows_shares VALUES (20, '*');
SELECT regress.try($$SELECT agentauthz.sync_tuples('sec_rows_shares', 'document', 'doc_id', 'viewer', 'user',
                                                   'reader')$$) AS sync_wildcard_rows;

-- Names too long for a trigger name (with _truncate after it) are hashed.
CREATE TABLE sec_rows_long (id bigint, a_column_with_a_name_long_enough_to_overflow_a_trigger text);
SELECT agentauthz.sync_tuples('sec_rows_long', 'document', 'id', 'viewer', 'user',
                              'a_column_with_a_name_long_enough_to_overflow_a_trigger') AS synced_long;
SELECT count(*) AS triggers, bool_and(octet_length(tgname) <= 63) AS fit FROM pg_trigger
 WHERE tgrelid = 'sec_rows_long'::regclass;
INSERT INTO sec_rows_long VALUES (10, 'dave');
TRUNCATE sec_rows_long;
SELECT count(*) AS dave_tuples FROM agentauthz.tuples WHERE subject = 'user:dave';

DROP TABLE sec_rows_folders, sec_rows_docs, sec_rows_accounts, sec_rows_shares, sec_rows_long;
DROP OWNED BY sec_rows_bot;
DROP ROLE sec_rows_bot;
