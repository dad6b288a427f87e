-- Privileged code runs the extension's own SQL in one way: search_path
-- pinned to pg_catalog, agentauthz, pg_temp, operators qualified, and, where
-- it writes with the owner's rights, inside a security-restricted
-- operation. The attack: an admin (or an agent) puts operators and
-- functions of its own -- >= on timestamps, = on text, now() -- in a
-- schema first on its search_path and calls every function that reaches
-- SQL; under 0.1, purge_audit ran the admin's >= as the bootstrap
-- superuser. Any of them running leaves a row in sec_evil.ran.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP SCHEMA IF EXISTS sec_evil CASCADE;
DROP TABLE IF EXISTS sec_priv_docs;
DROP ROLE IF EXISTS sec_priv_admin, sec_priv_app, sec_priv_bot;
RESET client_min_messages;

CREATE ROLE sec_priv_admin IN ROLE agentauthz_admin;
CREATE ROLE sec_priv_app IN ROLE agentauthz_app;
CREATE ROLE sec_priv_bot;
-- A schema named agentauthz that another role made beforehand: whoever
-- owns it could replace the extension's functions, so the extension will
-- not install into it.
DROP EXTENSION agentauthz;
DROP SCHEMA agentauthz;
CREATE SCHEMA agentauthz AUTHORIZATION sec_priv_admin;
SELECT regress.try('CREATE EXTENSION agentauthz') AS foreign_schema;
DROP SCHEMA agentauthz;
CREATE EXTENSION agentauthz;
CREATE SCHEMA sec_evil AUTHORIZATION sec_priv_admin;
CREATE TABLE sec_evil.ran (who name, what text);
GRANT INSERT, SELECT ON sec_evil.ran TO PUBLIC;
GRANT USAGE ON SCHEMA sec_evil TO PUBLIC;
CREATE TABLE sec_priv_docs (id bigint PRIMARY KEY, folder_id bigint);
ALTER TABLE sec_priv_docs OWNER TO sec_priv_admin;
INSERT INTO sec_priv_docs VALUES (1, 1), (2, 2);

-- The admin's own operators for every type pair the extension's SQL
-- compares, and functions named like the built-ins it calls. Each leaves
-- evidence and tries to make its caller a superuser.
SET ROLE sec_priv_admin;
DO $make$
DECLARE
  t text;
  op record;
BEGIN
  FOREACH t IN ARRAY ARRAY['timestamptz', 'bigint', 'text', 'oid', 'name', 'regclass', 'boolean'] LOOP
    FOR op IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('>=', 'ge'), ('<=', 'le'), ('>', 'gt'), ('<', 'lt'))
                       AS o(sym, name) LOOP
      EXECUTE format($f$CREATE FUNCTION sec_evil.%I(a %s, b %s) RETURNS boolean LANGUAGE plpgsql AS $b$
        BEGIN
          INSERT INTO sec_evil.ran VALUES (current_user, %L);
          BEGIN EXECUTE 'ALTER ROLE sec_priv_admin SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
          RETURN a OPERATOR(pg_catalog.%s) b;
        END $b$$f$, op.name || '_' || t, t, t, op.sym || ' on ' || t, op.sym);
      EXECUTE format('CREATE OPERATOR sec_evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = sec_evil.%I)',
                     op.sym, t, t, op.name || '_' || t);
    END LOOP;
  END LOOP;
END
$make$;
CREATE FUNCTION sec_evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sec_evil.ran VALUES (current_user, 'now()');
  RETURN pg_catalog.now();
END $$;
CREATE FUNCTION sec_evil.strpos(text, text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sec_evil.ran VALUES (current_user, 'strpos()');
  RETURN pg_catalog.strpos($1, $2);
END $$;
SELECT count(*) AS evil_operators FROM pg_operator WHERE oprnamespace = 'sec_evil'::regnamespace;
RESET ROLE;

-- Every function that reaches SQL, called with the admin's schema first.
SET ROLE sec_priv_admin;
SET search_path = sec_evil, pg_catalog, public;
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user, agent] or editor
type document
  relations
    define parent: [folder]
    define owner: [user] or owner from parent
    define editor: [user] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('folder:1', 'owner', 'user:anne', pg_catalog.now() + interval '1 day');
SELECT agentauthz.write_tuple('folder:1', 'owner', 'user:anne', pg_catalog.now() + interval '2 days');
SELECT agentauthz.write_tuple('folder:2', 'viewer', 'user:bob');
SELECT agentauthz.delete_tuple('folder:2', 'viewer', 'user:bob');
SELECT agentauthz.register_agent('agent:priv-bot', 'sec_priv_bot');
SELECT agentauthz.sync_tuples('sec_priv_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS synced;
SELECT agentauthz.protect('sec_priv_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
INSERT INTO sec_priv_docs VALUES (3, 1);
UPDATE sec_priv_docs SET folder_id = 2 WHERE id = 3;
DELETE FROM sec_priv_docs WHERE id = 3;
SELECT agentauthz.delegate('user:anne', 'agent:priv-bot', ARRAY['viewer@folder:1'], pg_catalog.now() + interval '1 hour',
                           'read folder 1') AS token \gset
SELECT agentauthz.delegate('user:anne', 'agent:priv-bot', ARRAY['viewer@folder:1'], pg_catalog.now() + interval '1 hour',
                           'to revoke') AS revoked_token \gset
SELECT agentauthz.revoke_delegation(split_part(:'revoked_token', '.', 2)::bigint) AS revoked;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1'),
       (SELECT count(*) FROM agentauthz.list_objects('user:anne', 'viewer', 'document')) AS listed,
       (SELECT count(*) FROM agentauthz.list_subjects('document:1', 'viewer', 'user')) AS subjects,
       agentauthz.explain('user:anne', 'viewer', 'document:1')->>'allowed' AS explained;
SELECT agentauthz.set_audit_level('all', 'sec_priv_bot');
SELECT agentauthz.set_session_contexts(false, 'sec_priv_bot');
SELECT agentauthz.set_session_contexts(NULL, 'sec_priv_bot');
SELECT agentauthz.audit_flush();
SELECT ok FROM agentauthz.verify_audit();
SELECT agentauthz.purge_audit(pg_catalog.now() + interval '1 minute') IS NOT NULL AS purged;
SELECT ok FROM agentauthz.verify_audit();
SELECT agentauthz.unsync_tuples('sec_priv_docs', 'parent', 'folder_id');
SELECT agentauthz.unprotect('sec_priv_docs');
SELECT agentauthz.protect('sec_priv_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
RESET search_path;
RESET ROLE;
GRANT SELECT ON sec_priv_docs TO sec_priv_bot;

-- The agent with the same schema first on its path: acting, checking,
-- explaining, listing, sub-delegating.
SET ROLE sec_priv_bot;
SET search_path = sec_evil, pg_catalog, public;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT id FROM sec_priv_docs ORDER BY id;
SELECT agentauthz.check('viewer', 'document:1'), agentauthz.explain('viewer', 'document:2')->>'allowed' AS explained,
       agentauthz.allowed_bigint_ids('viewer', 'document') AS allowed;
SELECT agentauthz.subdelegate('agent:priv-bot', ARRAY['viewer@document:1'],
                              pg_catalog.now() + interval '10 minutes', 'narrower') IS NOT NULL AS subdelegated;
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'revoked_token')) AS revoked_token;
COMMIT;
RESET search_path;
RESET ROLE;

-- Nothing of the admin's ran, and nobody became a superuser.
SELECT count(*) AS evil_calls, string_agg(DISTINCT who || ': ' || what, ', ') AS which FROM sec_evil.ran;
SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'sec_priv_%' ORDER BY 1;

-- No function of the extension is SECURITY DEFINER: the owner's rights are
-- taken only inside its C functions, in a security-restricted scope.
SELECT p.oid::regprocedure AS security_definer FROM pg_proc p
 WHERE p.pronamespace = 'agentauthz'::regnamespace AND p.prosecdef;
-- Every SQL-language function pins its search_path, pg_temp last.
SELECT p.oid::regprocedure AS unpinned FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'agentauthz'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);

DROP TABLE sec_priv_docs;
DROP SCHEMA sec_evil CASCADE;
DROP OWNED BY sec_priv_admin, sec_priv_app, sec_priv_bot;
DROP ROLE sec_priv_admin, sec_priv_app, sec_priv_bot;
