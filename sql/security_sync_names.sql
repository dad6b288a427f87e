-- Each sync_tuples() registration (table, relation, subject_column) has
-- triggers of its own. Under 0.2 the name was relation || '_' || column:
-- relation owner with column team_id and relation owner_team with column
-- id shared it, the second registration silently replaced the first's
-- triggers, and a row moved from team red to blue kept red's tuple, so
-- check() kept granting red's members. Now names are unique per
-- registration (long ones too), a trigger of that name that is not the
-- registration's own is never replaced, and registrations made under 0.2
-- (their old names) keep working, and go only with their own triggers.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS names_things, names_long, names_audited, names_old;
DROP FUNCTION IF EXISTS names_audit();
DROP ROLE IF EXISTS names_admin;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type team
  relations
    define member: [user]
type thing
  relations
    define owner: [team]
    define owner_team: [team]
    define viewer: member from owner
$dsl$) > 0 AS model_written;
CREATE ROLE names_admin IN ROLE agentauthz_admin;
CREATE TABLE names_things (key bigint PRIMARY KEY, team_id text, id text);
ALTER TABLE names_things OWNER TO names_admin;
SELECT agentauthz.write_tuple('team:red', 'member', 'user:rosa');
SELECT agentauthz.write_tuple('team:blue', 'member', 'user:bleu');

-- The two registrations of the report: two names, four triggers.
SET ROLE names_admin;
SELECT agentauthz.sync_tuples('names_things', 'thing', 'key', 'owner', 'team', 'team_id') AS written;
SELECT agentauthz.sync_tuples('names_things', 'thing', 'key', 'owner_team', 'team', 'id') AS written;
RESET ROLE;
SELECT relation, subject_column, trigger_name FROM agentauthz.synced_columns ORDER BY 1;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'names_things'::regclass ORDER BY 1;
-- The row moves from red to blue: red's owner tuple goes.
INSERT INTO names_things VALUES (1, 'red', 'green');
UPDATE names_things SET team_id = 'blue';
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'thing:1' ORDER BY 2, 3;
SELECT agentauthz.check('user:rosa', 'viewer', 'thing:1') AS red_member_sees,
       agentauthz.check('user:bleu', 'viewer', 'thing:1') AS blue_member_sees;

-- How names are made: readable where that cannot be ambiguous (no '_' in
-- the relation, room for '_truncate', a column not ending in it), an MD5 of
-- the length-prefixed key otherwise. Keys that read alike differ.
SELECT r, c, agentauthz._sync_trigger_name(r, c) AS name
  FROM (VALUES ('owner', 'team_id'), ('owner_team', 'id'), ('owner', 'team'), ('owner', 'team_truncate'),
               ('ownerx', repeat('c', 40)), ('ownerx', repeat('c', 41))) AS k(r, c)
 ORDER BY 1, 2;
SELECT count(DISTINCT agentauthz._sync_trigger_name(r, c)) AS distinct_names, count(*) AS keys
  FROM (VALUES ('a', 'b_c'), ('a_b', 'c'), ('a', 'b'), ('a', 'b_truncate'), ('a_b', 'c_truncate'),
               ('abc', repeat('x', 60) || '1'), ('abc', repeat('x', 60) || '2')) AS k(r, c);

-- Long column names that agree on their first 63 bytes: registrations,
-- triggers and tuples stay apart (PostgreSQL would cut a longer name).
CREATE TABLE names_long (key bigint PRIMARY KEY,
                         team_for_the_quarterly_planning_review_of_the_eastern_region_1 text,
                         team_for_the_quarterly_planning_review_of_the_eastern_region_2 text);
ALTER TABLE names_long OWNER TO names_admin;
SET ROLE names_admin;
SELECT agentauthz.sync_tuples('names_long', 'thing', 'key', 'owner', 'team',
                              'team_for_the_quarterly_planning_review_of_the_eastern_region_1')
     + agentauthz.sync_tuples('names_long', 'thing', 'key', 'owner_team', 'team',
                              'team_for_the_quarterly_planning_review_of_the_eastern_region_2') AS written;
RESET ROLE;
SELECT count(*) AS triggers, count(DISTINCT tgname) AS names
  FROM pg_trigger WHERE tgrelid = 'names_long'::regclass;
INSERT INTO names_long VALUES (2, 'red', 'blue');
UPDATE names_long SET team_for_the_quarterly_planning_review_of_the_eastern_region_1 = 'green';
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'thing:2' ORDER BY 2, 3;

-- The application's own trigger under the name a registration would take:
-- refused, and the trigger stays and fires.
CREATE TABLE names_audited (key bigint PRIMARY KEY, team text, changes integer DEFAULT 0);
CREATE FUNCTION names_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changes := NEW.changes + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER agentauthz_sync_owner_team BEFORE UPDATE ON names_audited FOR EACH ROW EXECUTE FUNCTION names_audit();
ALTER TABLE names_audited OWNER TO names_admin;
SET ROLE names_admin;
SELECT regress.try($$SELECT agentauthz.sync_tuples('names_audited', 'thing', 'key', 'owner', 'team', 'team')$$)
  AS takes_the_applications_name;
RESET ROLE;
SELECT count(*) AS registrations FROM agentauthz.synced_columns WHERE tbl = 'names_audited'::regclass;
INSERT INTO names_audited VALUES (3, 'red');
UPDATE names_audited SET team = 'blue';
SELECT changes AS audit_trigger_fired FROM names_audited;

-- Registrations made under 0.2, as its update left them (old names; the
-- second had replaced the first's triggers, which 0.2 allowed).
CREATE TABLE names_old (key bigint PRIMARY KEY, team_id text, id text);
ALTER TABLE names_old OWNER TO names_admin;
INSERT INTO agentauthz.synced_columns VALUES
  ('names_old', 'thing', 'key', 'owner', 'team', 'team_id', NULL, 'agentauthz_sync_owner_team_id'),
  ('names_old', 'thing', 'key', 'owner_team', 'team', 'id', NULL, 'agentauthz_sync_owner_team_id');
CREATE TRIGGER agentauthz_sync_owner_team_id AFTER INSERT OR UPDATE OF key, id OR DELETE ON names_old
  FOR EACH ROW EXECUTE FUNCTION agentauthz._sync_row('thing', 'key', 'owner_team', 'team', 'id', '');
CREATE TRIGGER agentauthz_sync_owner_team_id_truncate AFTER TRUNCATE ON names_old
  FOR EACH STATEMENT EXECUTE FUNCTION agentauthz._sync_truncate('thing', 'key', 'owner_team', 'team', 'id', '');
-- The surviving registration keeps working under its old name.
INSERT INTO names_old VALUES (4, 'red', 'green');
UPDATE names_old SET id = 'blue';
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'thing:4' ORDER BY 2, 3;
SET ROLE names_admin;
-- Registering the other key again would take the survivor's name for the
-- new (readable) one: refused, the survivor's triggers are left alone.
SELECT regress.try($$SELECT agentauthz.sync_tuples('names_old', 'thing', 'key', 'owner', 'team', 'team_id')$$)
  AS takes_another_registrations_name;
-- Stopping the replaced registration drops nothing of the survivor's.
SELECT agentauthz.unsync_tuples('names_old', 'owner', 'team_id') AS unsynced;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'names_old'::regclass ORDER BY 1;
-- Syncing the survivor again renames it: its old triggers go with it.
SELECT agentauthz.sync_tuples('names_old', 'thing', 'key', 'owner_team', 'team', 'id') AS written;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'names_old'::regclass ORDER BY 1;
-- Now the other key may take the readable name.
SELECT agentauthz.sync_tuples('names_old', 'thing', 'key', 'owner', 'team', 'team_id') AS written;
RESET ROLE;
SELECT relation, subject_column, trigger_name FROM agentauthz.synced_columns
 WHERE tbl = 'names_old'::regclass ORDER BY 1;
UPDATE names_old SET team_id = 'blue', id = 'red';
SELECT object, relation, subject FROM agentauthz.tuples WHERE object = 'thing:4' ORDER BY 2, 3;
-- A trigger recorded under another name than the one it carries is refused.
UPDATE agentauthz.synced_columns SET trigger_name = 'agentauthz_sync_other'
 WHERE tbl = 'names_old'::regclass AND relation = 'owner';
SELECT regress.try($$UPDATE names_old SET team_id = 'red'$$) AS renamed_registration;

DROP TABLE names_things, names_long, names_audited, names_old;
DROP FUNCTION names_audit();
DROP OWNED BY names_admin;
DROP ROLE names_admin;
