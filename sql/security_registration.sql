-- Which roles act as which agents. Found under 0.2: create_agent_role()
-- created %I(name) but registered name::regrole, so
-- create_agent_role('Research_Agent', 'agent:intruder') remapped the
-- existing research_agent and create_agent_role('"postgres"', ...) made
-- the superuser an agent; register_agent() took any role, superusers and
-- the extension's own roles included, and silently replaced an existing
-- mapping. Now a privileged role -- by attribute, predefined role,
-- the database's ownership or agentauthz's roles, itself or through any
-- membership -- is never registered, a mapping is never replaced (only
-- unregister_agent() removes one), and a registered role that becomes
-- privileged later does not act as an agent (42501 for act_for, every
-- check denied).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS reg_docs;
DROP ROLE IF EXISTS research_agent, "Research_Agent", """postgres""", reg_candidate, reg_boss, reg_middle, reg_dba,
                    reg_plain_admin, reg_old_app;
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
    define viewer: [user, agent] or editor
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 3) g;
CREATE TABLE reg_docs (id bigint PRIMARY KEY, title text);
INSERT INTO reg_docs SELECT g, 'doc ' || g FROM generate_series(1, 3) g;
SELECT agentauthz.protect('reg_docs', 'document', 'id');
CREATE FUNCTION pg_temp.agents() RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(role_name || '=' || agent, ', ' ORDER BY role_name) FROM agentauthz.agents
$$;
CREATE FUNCTION pg_temp.actor() RETURNS text LANGUAGE sql AS $$
  SELECT a->>'kind' || ' valid=' || (a->>'valid') || coalesce(' (' || (a->>'reason') || ')', '')
    FROM agentauthz.current_actor() a
$$;
GRANT EXECUTE ON FUNCTION pg_temp.actor() TO PUBLIC;

-- create_agent_role registers the role it created, by its exact name.
SELECT agentauthz.create_agent_role('research_agent', 'agent:research', tables => ARRAY['reg_docs']::regclass[]);
SELECT agentauthz.create_agent_role('Research_Agent', 'agent:intruder');
SELECT agentauthz.create_agent_role('"postgres"', 'agent:quoted');
SELECT regress.try($$SELECT agentauthz.create_agent_role('research_agent', 'agent:intruder')$$) AS existing_role;
SELECT pg_temp.agents() AS agents;

-- register_agent refuses privileged roles: by attribute ...
CREATE ROLE reg_candidate;
DO $$
DECLARE
  attribute text;
BEGIN
  FOREACH attribute IN ARRAY ARRAY['SUPERUSER', 'CREATEROLE', 'BYPASSRLS', 'REPLICATION'] LOOP
    EXECUTE format('ALTER ROLE reg_candidate %s', attribute);
    RAISE NOTICE '%: %', attribute, regress.try($q$SELECT agentauthz.register_agent('agent:x', 'reg_candidate')$q$);
    EXECUTE format('ALTER ROLE reg_candidate NO%s', attribute);
  END LOOP;
END
$$;
-- ... or as a member, directly or through roles that do not inherit, of
-- a role with such an attribute, a predefined role with server-wide
-- powers, or one of the extension's roles.
CREATE ROLE reg_boss SUPERUSER;
CREATE ROLE reg_middle NOINHERIT;
GRANT reg_middle TO reg_candidate;
DO $$
DECLARE
  privileged text;
BEGIN
  FOREACH privileged IN ARRAY ARRAY['reg_boss', 'pg_read_server_files', 'pg_write_server_files',
      'pg_execute_server_program', 'pg_signal_backend', 'pg_read_all_data', 'pg_write_all_data', 'pg_monitor',
      'pg_read_all_settings', 'pg_read_all_stats', 'pg_stat_scan_tables', 'pg_checkpoint', 'agentauthz_admin',
      'agentauthz_app', 'agentauthz_auditor'] LOOP
    EXECUTE format('GRANT %I TO reg_middle', privileged);
    RAISE NOTICE '%: %', privileged, regress.try($q$SELECT agentauthz.register_agent('agent:x', 'reg_candidate')$q$);
    EXECUTE format('REVOKE %I FROM reg_middle', privileged);
  END LOOP;
END
$$;
-- ... the predefined roles themselves, and the database's owner.
SELECT regress.try($$SELECT agentauthz.register_agent('agent:x', 'pg_monitor')$$) AS predefined_role;
SELECT regress.try($$SELECT agentauthz.register_agent('agent:x', 'postgres')$$) AS superuser;
CREATE ROLE reg_dba;
GRANT reg_dba TO reg_middle;
CREATE TEMP TABLE reg_database_owner AS
  SELECT datdba::regrole AS owner FROM pg_database WHERE datname = current_database();
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO reg_dba', current_database()); END $$;
SELECT regress.try($$SELECT agentauthz.register_agent('agent:x', 'reg_candidate')$$) AS database_owner;
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I OWNER TO %s', current_database(), (SELECT owner FROM reg_database_owner));
END $$;
-- Without them it may be registered.
SELECT regress.try($$SELECT agentauthz.register_agent('agent:candidate', 'reg_candidate')$$) AS plain_role;

-- A mapping is never replaced: another agent is refused, the same one
-- changes nothing; unregister_agent() first, then register again.
SELECT created_at AS first_registered FROM agentauthz.agents WHERE role_name = 'research_agent' \gset
SELECT regress.try($$SELECT agentauthz.register_agent('agent:intruder', 'research_agent')$$) AS remap;
SELECT regress.try($$SELECT agentauthz.register_agent('agent:research', 'research_agent')$$) AS same_again;
SELECT created_at = :'first_registered' AS unchanged FROM agentauthz.agents WHERE role_name = 'research_agent';
SELECT pg_temp.agents() AS agents;
-- Only admins unregister.
SET ROLE research_agent;
SELECT regress.try($$SELECT agentauthz.unregister_agent('reg_candidate')$$) AS agent_unregisters;
RESET ROLE;
SELECT agentauthz.unregister_agent('reg_candidate') AS unregistered,
       agentauthz.unregister_agent('reg_candidate') AS again;
SELECT agentauthz.register_agent('agent:other', 'reg_candidate');
SELECT pg_temp.agents() AS agents;
-- A non-superuser admin without CREATEROLE is told what it needs.
CREATE ROLE reg_plain_admin IN ROLE agentauthz_admin;
SET ROLE reg_plain_admin;
SELECT regress.try($$SELECT agentauthz.create_agent_role('reg_never', 'agent:never')$$) AS without_createrole;
RESET ROLE;

-- A registered agent role granted privileges later does not act as an
-- agent: act_for is refused, its context is invalid, every check denied.
SELECT agentauthz.delegate('user:anne', 'agent:research', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'read the documents') AS token \gset
SET ROLE research_agent;
SELECT agentauthz.act_for(:'token', local => false) ? 'chain' AS acting;
SELECT count(*) AS rows_seen FROM reg_docs;
RESET ROLE;
GRANT pg_read_all_data TO reg_middle;
GRANT reg_middle TO research_agent;
SET ROLE research_agent;
SELECT pg_temp.actor() AS granted_pg_read_all_data;
SELECT count(*) AS rows_seen, agentauthz.check('viewer', 'document:1') AS checked FROM reg_docs;
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'token')) AS act_for;
RESET ROLE;
REVOKE pg_read_all_data FROM reg_middle;
SET ROLE research_agent;
SELECT pg_temp.actor() AS revoked_again;
SELECT count(*) AS rows_seen FROM reg_docs;
RESET ROLE;
ALTER ROLE research_agent CREATEROLE;
SET ROLE research_agent;
SELECT pg_temp.actor() AS given_createrole;
SELECT count(*) AS rows_seen FROM reg_docs;
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'token')) AS act_for;
SELECT agentauthz.end_task();
RESET ROLE;
ALTER ROLE research_agent NOCREATEROLE;
-- Without a delegation (the role as its agent) likewise.
GRANT agentauthz_auditor TO reg_candidate;
SET ROLE reg_candidate;
SELECT pg_temp.actor() AS implicit_agent_made_auditor;
RESET ROLE;
REVOKE agentauthz_auditor FROM reg_candidate;
-- A registration 0.2 allowed (here written directly) is kept by the
-- update, but does not act: an application role registered as an agent.
CREATE ROLE reg_old_app IN ROLE agentauthz_app;
INSERT INTO agentauthz.agents (agent, role_name) VALUES ('agent:old', 'reg_old_app');
SET ROLE reg_old_app;
SELECT pg_temp.actor() AS registered_under_0_2;
RESET ROLE;
SELECT agentauthz.unregister_agent('reg_old_app') AS cleaned_up;

-- A protected table's owner is not held to its policies (PostgreSQL exempts
-- owners unless FORCE): a role holding the owner's rights, through any
-- membership, is refused registration, and act_for when granted them later.
SET client_min_messages = warning;
DROP ROLE IF EXISTS reg_owner, reg_owner_member, reg_owner_later;
RESET client_min_messages;
CREATE ROLE reg_owner;
CREATE TABLE reg_owned (id bigint PRIMARY KEY);
ALTER TABLE reg_owned OWNER TO reg_owner;
SELECT agentauthz.protect('reg_owned', 'document', 'id') IS NOT NULL AS protected;
CREATE ROLE reg_owner_member IN ROLE reg_owner;
SELECT regress.try($$SELECT agentauthz.register_agent('agent:owner-member', 'reg_owner_member')$$)
  AS owner_member_registered;
CREATE ROLE reg_owner_later;
SELECT agentauthz.register_agent('agent:later', 'reg_owner_later');
SELECT agentauthz.delegate('user:anne', 'agent:later', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'owner later') AS later_token \gset
GRANT reg_owner TO reg_owner_later;
SET ROLE reg_owner_later;
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'later_token')) AS later_act_for;
RESET ROLE;
-- Nor can such a table be protected (again): the owner is not held by
-- row-level security, FORCE included, as the owner may turn it off.
SELECT regress.try($$SELECT agentauthz.protect('reg_owned', 'document', 'id', force => true)$$) AS reprotected;
CREATE TABLE reg_agent_owned (id bigint PRIMARY KEY);
ALTER TABLE reg_agent_owned OWNER TO reg_owner_later;
SELECT regress.try($$SELECT agentauthz.protect('reg_agent_owned', 'document', 'id')$$) AS agent_owned;
SELECT count(*) AS recorded FROM agentauthz.protected_tables WHERE tbl = 'reg_agent_owned'::regclass;
DROP TABLE reg_agent_owned;
SELECT agentauthz.unregister_agent('reg_owner_later') AS cleaned_up;
DROP TABLE reg_owned;
DROP ROLE reg_owner_member, reg_owner_later, reg_owner;

DROP TABLE reg_docs;
DROP OWNED BY research_agent, "Research_Agent", """postgres""", reg_candidate, reg_plain_admin;
DROP ROLE research_agent, "Research_Agent", """postgres""", reg_candidate, reg_boss, reg_middle, reg_dba,
          reg_plain_admin, reg_old_app;
