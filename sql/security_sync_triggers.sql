-- The triggers sync_tuples() installs write tuples with the extension
-- owner's rights. Attacks: an agent attaching them to a table of its own
-- (a TEMP table) to write any tuple it likes or delete a relation's tuples;
-- an agent's type with a cast that runs its function as the owner; an
-- admin attaching them where nothing was registered, or with arguments of
-- its choosing; the other trigger functions attached elsewhere.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_docs, sec_members, sec_unregistered, sec_retyped, sec_colored, sec_elsewhere;
DROP TYPE IF EXISTS sec_color;
DROP ROLE IF EXISTS sec_sync_bot, sec_sync_admin;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type team
  relations
    define member: [user, agent]
type folder
  relations
    define editor: [user, team#member]
    define viewer: [user, agent, team#member] or editor
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
$dsl$) > 0 AS model_written;
CREATE ROLE sec_sync_admin IN ROLE agentauthz_admin;
CREATE TABLE sec_docs (id bigint PRIMARY KEY, folder_id bigint, title text);
CREATE TABLE sec_members (team text, member text);
ALTER TABLE sec_docs OWNER TO sec_sync_admin;
ALTER TABLE sec_members OWNER TO sec_sync_admin;
SET ROLE sec_sync_admin;
SELECT agentauthz.sync_tuples('sec_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS written;
SELECT agentauthz.sync_tuples('sec_members', 'team', 'team', 'member', 'user', 'member') AS written;
SELECT agentauthz.protect('sec_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
RESET ROLE;
SELECT agentauthz.write_tuple('folder:1', 'editor', 'user:anne');
SELECT agentauthz.write_tuple('team:ops', 'member', 'user:anne');
SELECT agentauthz.create_agent_role('sec_sync_bot', 'agent:sync-bot', tables => ARRAY['sec_docs']::regclass[]);
SELECT agentauthz.write_tuple('folder:1', 'editor', 'team:ops#member');
SELECT agentauthz.write_tuple('team:ops', 'member', 'agent:sync-bot');
SELECT count(*) AS tuples_before FROM agentauthz.tuples;

-- The agent's own TEMP table with the sync trigger: refused when the
-- trigger is made (EXECUTE is not granted to PUBLIC), for both functions.
SET ROLE sec_sync_bot;
CREATE TEMP TABLE mine (id text, member text);
SELECT regress.try($$CREATE TRIGGER grab AFTER INSERT ON pg_temp.mine FOR EACH ROW
  EXECUTE FUNCTION agentauthz._sync_row('team', 'id', 'member', 'agent', 'member', '')$$) AS row_trigger;
SELECT regress.try($$CREATE TRIGGER wipe AFTER TRUNCATE ON pg_temp.mine FOR EACH STATEMENT
  EXECUTE FUNCTION agentauthz._sync_truncate('document', 'id', 'parent', 'folder', 'member', '')$$) AS truncate_trigger;
-- Its own type with a cast to json whose function would make it a
-- superuser if the owner ever ran it: nothing of the extension reaches it.
CREATE TYPE pg_temp.sec_evil AS ENUM ('x');
CREATE FUNCTION pg_temp.sec_evil_json(pg_temp.sec_evil) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE sec_sync_bot SUPERUSER';
  RETURN '{}';
END $$;
SELECT regress.try($$CREATE CAST (pg_temp.sec_evil AS json) WITH FUNCTION pg_temp.sec_evil_json(pg_temp.sec_evil)$$)
  AS cast_made;
CREATE TEMP TABLE mine_typed (id pg_temp.sec_evil, member text);
SELECT regress.try($$CREATE TRIGGER grab AFTER INSERT ON pg_temp.mine_typed FOR EACH ROW
  EXECUTE FUNCTION agentauthz._sync_row('team', 'id', 'member', 'agent', 'member', '')$$) AS typed_trigger;
INSERT INTO mine VALUES ('ops', 'sync-bot');
INSERT INTO mine_typed VALUES ('x', 'sync-bot');
DROP TABLE mine, mine_typed;
DROP CAST (pg_temp.sec_evil AS json);
DROP FUNCTION pg_temp.sec_evil_json(pg_temp.sec_evil);
DROP TYPE pg_temp.sec_evil;
RESET ROLE;
-- Its rows on a synced table it may write do keep their tuple, though it
-- may not write tuples itself.
SET ROLE sec_sync_admin;
SELECT agentauthz.delegate('user:anne', 'agent:sync-bot', ARRAY['editor@folder:1'],
                           now() + interval '1 hour', 'file a report') AS token \gset
RESET ROLE;
SET ROLE sec_sync_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
INSERT INTO sec_docs VALUES (7, 1, 'report');
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('team:ops', 'member', 'agent:x')$$)
  AS direct_write;
COMMIT;
RESET ROLE;
SELECT rolsuper AS agent_is_superuser FROM pg_roles WHERE rolname = 'sec_sync_bot';
SELECT object, relation, subject FROM agentauthz.tuples
 WHERE subject LIKE 'agent:%' OR object = 'document:7' ORDER BY 1, 2, 3;

CREATE TABLE sec_elsewhere (object text, relation text, subject text);
-- An admin may attach the functions to a table it owns, but they act only
-- for what sync_tuples() registered: nothing is written here.
CREATE TABLE sec_unregistered (id text, member text);
ALTER TABLE sec_unregistered OWNER TO sec_sync_admin;
SET ROLE sec_sync_admin;
CREATE TRIGGER grab AFTER INSERT ON sec_unregistered FOR EACH ROW
  EXECUTE FUNCTION agentauthz._sync_row('team', 'id', 'member', 'agent', 'member', '');
CREATE TRIGGER wipe AFTER TRUNCATE ON sec_unregistered FOR EACH STATEMENT
  EXECUTE FUNCTION agentauthz._sync_truncate('document', 'id', 'parent', 'folder', 'folder_id', '');
SELECT regress.try($$INSERT INTO sec_unregistered VALUES ('ops', 'mallory')$$) AS unregistered_insert;
SELECT regress.try($$TRUNCATE sec_unregistered$$) AS unregistered_truncate;
-- On a registered table, a trigger whose arguments differ from the
-- registration (another relation, another column) is refused too.
CREATE TRIGGER agentauthz_sync_parent_folder_id_x AFTER INSERT ON sec_docs FOR EACH ROW
  EXECUTE FUNCTION agentauthz._sync_row('document', 'id', 'viewer', 'agent', 'title', '');
SELECT regress.try($$INSERT INTO sec_docs VALUES (8, 1, 'mallory')$$) AS unregistered_name;
DROP TRIGGER agentauthz_sync_parent_folder_id_x ON sec_docs;
DROP TRIGGER agentauthz_sync_parent_folder_id ON sec_docs;
CREATE TRIGGER agentauthz_sync_parent_folder_id AFTER INSERT ON sec_docs FOR EACH ROW
  EXECUTE FUNCTION agentauthz._sync_row('document', 'id', 'viewer', 'agent', 'title', '');
SELECT regress.try($$INSERT INTO sec_docs VALUES (8, 1, 'mallory')$$) AS other_arguments;
-- The registration itself is written only through sync_tuples(), for a
-- table the caller owns.
SELECT regress.try($$UPDATE agentauthz.synced_columns SET subject_type = 'agent'$$) AS edit_registration;
SELECT regress.try($$SELECT agentauthz._record_sync('sec_elsewhere', 'team', 'object', 'member', 'agent', 'subject',
                                                    NULL, 'x')$$) AS register_unowned;
SELECT regress.try($$SELECT agentauthz._record_protection('sec_elsewhere', 'team', 'object', 'row', '{}', true,
                                                          false, NULL)$$) AS protect_unowned;
-- sync_tuples() again replaces only its own triggers: the stray one
-- under its name is refused until the owner drops it.
SELECT regress.try($$SELECT agentauthz.sync_tuples('sec_docs', 'document', 'id', 'parent', 'folder', 'folder_id')$$)
  AS stray_under_the_name;
DROP TRIGGER agentauthz_sync_parent_folder_id ON sec_docs;
SELECT agentauthz.sync_tuples('sec_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS written_again;
RESET ROLE;
SELECT count(*) AS tuples_naming_mallory FROM agentauthz.tuples WHERE subject LIKE '%mallory%';

-- Only integer, uuid and text columns (or domains over them) are read: no
-- user type, cast or output function a user could define. (PostgreSQL
-- itself refuses to retype a column the trigger names.)
CREATE TYPE sec_color AS ENUM ('red', 'blue');
CREATE TABLE sec_colored (id sec_color, team text);
CREATE TABLE sec_retyped (id bigint, team text);
ALTER TABLE sec_colored OWNER TO sec_sync_admin;
ALTER TABLE sec_retyped OWNER TO sec_sync_admin;
SET ROLE sec_sync_admin;
SELECT regress.try($$SELECT agentauthz.sync_tuples('sec_colored', 'folder', 'id', 'editor', 'team', 'team',
                                                   subject_relation => 'member')$$) AS enum_column;
SELECT agentauthz.sync_tuples('sec_retyped', 'folder', 'id', 'editor', 'team', 'team', subject_relation => 'member')
  AS written;
INSERT INTO sec_retyped VALUES (9, 'ops');
SELECT regress.try($$ALTER TABLE sec_retyped ALTER COLUMN team TYPE sec_color USING 'red'$$) AS retype;
RESET ROLE;
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'folder:9';

-- TRUNCATE of a synced table removes its relation's tuples, and only those.
TRUNCATE sec_members;
SELECT relation, count(*) FROM agentauthz.tuples GROUP BY 1 ORDER BY 1;

-- The other trigger functions refuse any table but theirs (PUBLIC and the
-- roles have no EXECUTE on them; a superuser could attach them).
CREATE TRIGGER v BEFORE INSERT ON sec_elsewhere FOR EACH ROW EXECUTE FUNCTION agentauthz.tuples_validate();
SELECT regress.try($$INSERT INTO sec_elsewhere VALUES ('document:1', 'viewer', 'user:x')$$) AS validate_elsewhere;
DROP TRIGGER v ON sec_elsewhere;
CREATE TRIGGER c AFTER INSERT ON sec_elsewhere FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.tuples_changed();
SELECT regress.try($$INSERT INTO sec_elsewhere VALUES ('document:1', 'viewer', 'user:x')$$) AS changed_elsewhere;
DROP TRIGGER c ON sec_elsewhere;
CREATE TRIGGER a AFTER INSERT ON sec_elsewhere FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.actors_changed();
SELECT regress.try($$INSERT INTO sec_elsewhere VALUES ('document:1', 'viewer', 'user:x')$$) AS actors_elsewhere;
SET ROLE sec_sync_admin;
SELECT regress.try($$CREATE TRIGGER v BEFORE INSERT ON sec_docs FOR EACH ROW
  EXECUTE FUNCTION agentauthz.tuples_validate()$$) AS admin_attaches_validate;
RESET ROLE;

DROP TABLE sec_docs, sec_members, sec_unregistered, sec_retyped, sec_colored, sec_elsewhere;
DROP TYPE sec_color;
DROP OWNED BY sec_sync_bot, sec_sync_admin;
DROP ROLE sec_sync_bot, sec_sync_admin;
