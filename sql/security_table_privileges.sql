-- Every role reaches the extension's tables only through its functions,
-- except what the README's security model lists. Under 0.1 agentauthz_app
-- had INSERT and UPDATE on agentauthz.delegations: it un-revoked a revoked
-- link, widened its scopes, set its expiry to infinity, forged created_by.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS sec_acl_app, sec_acl_admin, sec_acl_auditor, sec_acl_bot;
RESET client_min_messages;

CREATE ROLE sec_acl_app IN ROLE agentauthz_app;
CREATE ROLE sec_acl_admin IN ROLE agentauthz_admin;
CREATE ROLE sec_acl_auditor IN ROLE agentauthz_auditor;
CREATE ROLE sec_acl_bot;
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define viewer: [user, agent]
$dsl$) > 0 AS model_written;
SELECT agentauthz.register_agent('agent:acl-bot', 'sec_acl_bot');
SET ROLE sec_acl_app;
SELECT agentauthz.delegate('user:anne', 'agent:acl-bot', ARRAY['viewer@document:1'], now() + interval '1 hour',
                           'one document') IS NOT NULL AS delegated;
SELECT agentauthz.revoke_delegation(1) AS revoked;
RESET ROLE;

-- The application's attempts on the delegation it issued and revoked.
SET ROLE sec_acl_app;
SELECT regress.try(statement) AS app_edits_delegations FROM unnest(ARRAY[
  $$UPDATE agentauthz.delegations SET revoked_at = NULL, revoked_by = NULL$$,
  $$UPDATE agentauthz.delegations SET scopes = '{viewer@document:*}'$$,
  $$UPDATE agentauthz.delegations SET expires_at = 'infinity'$$,
  $$UPDATE agentauthz.delegations SET created_by = 'someone_else'$$,
  $$INSERT INTO agentauthz.delegations (principal, agent, scopes, purpose, expires_at, depth, secret_hash)
    VALUES ('user:anne', 'agent:acl-bot', '{viewer@document:*}', 'forged', 'infinity', 1, decode(repeat('00', 32), 'hex'))$$,
  $$DELETE FROM agentauthz.delegations$$,
  $$SELECT nextval('agentauthz.delegations_id_seq')$$,
  $$INSERT INTO agentauthz.agents (agent, role_name) VALUES ('agent:acl-bot', 'sec_acl_app')$$,
  $$INSERT INTO agentauthz.models (dsl) VALUES ('model')$$,
  $$INSERT INTO agentauthz.audit_log (id, logged_at, kind, prev_hash, row_hash) VALUES (0, now(), 'check', '', '')$$,
  $$UPDATE agentauthz.audit_chain SET last_id = 0$$,
  $$INSERT INTO agentauthz.protected_tables VALUES ('pg_class', 'x', 'oid', 'row', '{}', true, false)$$,
  $$DELETE FROM agentauthz.synced_columns$$]) AS statement;
RESET ROLE;
SELECT id, revoked_at IS NOT NULL AS revoked, scopes, expires_at > now() + interval '2 hours' AS widened,
       created_by FROM agentauthz.delegations;

-- An admin may write models, agents and delegations through the functions
-- only, and an auditor only reads the log.
SET ROLE sec_acl_admin;
SELECT regress.try(statement) AS admin_writes FROM unnest(ARRAY[
  $$INSERT INTO agentauthz.models (dsl) VALUES ('model')$$,
  $$UPDATE agentauthz.models SET dsl = 'model'$$,
  $$INSERT INTO agentauthz.agents (agent, role_name) VALUES ('agent:x', 'sec_acl_admin')$$,
  $$UPDATE agentauthz.delegations SET revoked_at = NULL$$,
  $$UPDATE agentauthz.protected_tables SET policies = '{}'$$,
  $$DELETE FROM agentauthz.audit_log$$,
  $$SELECT count(*) FROM agentauthz.delegations$$,
  $$SELECT count(*) FROM agentauthz.tuples$$]) AS statement;
RESET ROLE;
SET ROLE sec_acl_auditor;
SELECT regress.try(statement) AS auditor FROM unnest(ARRAY[
  $$SELECT count(*) FROM agentauthz.audit_log$$,
  $$DELETE FROM agentauthz.audit_log$$,
  $$SELECT count(*) FROM agentauthz.delegations$$,
  $$SELECT agentauthz.purge_audit(now())$$]) AS statement;
RESET ROLE;
-- An agent reads none of the tables.
SET ROLE sec_acl_bot;
SELECT regress.try(format('SELECT count(*) FROM agentauthz.%I', c.relname)) AS agent_reads
  FROM pg_class c WHERE c.relnamespace = 'agentauthz'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY c.relname;
RESET ROLE;

-- The whole grant matrix: any privilege added or lost shows here.
SELECT c.relname, c.relkind, r.rolname,
       string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) AS privileges
  FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
 WHERE c.relnamespace = 'agentauthz'::regnamespace AND r.rolname <> (SELECT rolname FROM pg_roles WHERE oid = c.relowner)
 GROUP BY 1, 2, 3 ORDER BY 1, 3;
SELECT coalesce(r.rolname, 'PUBLIC') AS grantee, p.oid::regprocedure AS may_execute
  FROM pg_proc p CROSS JOIN LATERAL aclexplode(p.proacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE p.pronamespace = 'agentauthz'::regnamespace AND a.privilege_type = 'EXECUTE'
   AND a.grantee <> p.proowner
 ORDER BY 1, p.oid::regprocedure::text;
-- Functions nobody but the owner may execute (trigger functions fire
-- without it).
SELECT p.oid::regprocedure AS owner_only FROM pg_proc p
 WHERE p.pronamespace = 'agentauthz'::regnamespace
   AND NOT EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner)
 ORDER BY p.oid::regprocedure::text;
-- Nobody but the owner may create in the schema.
SELECT coalesce(r.rolname, 'PUBLIC') AS grantee, a.privilege_type
  FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname = 'agentauthz' AND a.grantee <> n.nspowner;

DROP OWNED BY sec_acl_app, sec_acl_admin, sec_acl_auditor, sec_acl_bot;
DROP ROLE sec_acl_app, sec_acl_admin, sec_acl_auditor, sec_acl_bot;
