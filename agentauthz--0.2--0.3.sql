-- agentauthz 0.2 -> 0.3: the integrity release. What an agent did stays on
-- record (or its statement fails), tokens stay out of the server's logs,
-- one statement's memory is bounded, and every admin function does exactly
-- what it says.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.3'" to load this file. \quit

-- Bounded delegations: links that ended are purged -------------------------
-- purge_delegations() removes the links that expired or were revoked before
-- a cut-off (agentauthz.delegation_retention ago by default), whole subtrees
-- only; admins may call it. The limits on scopes, purpose and links per
-- delegation are settings of the library.
COMMENT ON TABLE agentauthz.delegations IS
  'Delegations from principals to agents; each row a link of a chain (parent_id). Links that ended are removed by purge_delegations(), whole subtrees at a time.';
CREATE FUNCTION agentauthz.purge_delegations(ended_before timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_purge_delegations';
COMMENT ON FUNCTION agentauthz.purge_delegations(timestamptz) IS
  'Removes the delegation links that expired or were revoked before ended_before (default: now less agentauthz.delegation_retention), whole subtrees only; returns how many.';
REVOKE ALL ON FUNCTION agentauthz.purge_delegations(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.purge_delegations(timestamptz) TO agentauthz_admin;

-- Sync triggers named per registration (issue 10, item 6). 0.2 named them
-- relation || '_' || subject_column: two registrations of a table could
-- share a name, and the second replaced the first's triggers. Names are
-- now unique per (relation, subject_column); sync_tuples() refuses a name
-- another trigger holds, and drops and finds a registration's triggers by
-- its key, so registrations made under 0.2 keep their names and work on
-- until they are synced again.

-- The name of the triggers of one registration: unique per (relation,
-- subject_column), so two registrations of a table never share one (their
-- tbl is the trigger's own table). Readable where that cannot be
-- ambiguous -- `agentauthz_sync_<relation>_<column>` when the relation has
-- no '_', the column does not end in '_truncate' and the name leaves room
-- for the truncate trigger's suffix -- and otherwise `agentauthz_sync_`
-- followed by the MD5 of the length-prefixed key, which has no '_' after
-- the prefix, so the two forms never meet.
CREATE FUNCTION agentauthz._sync_trigger_name(relation text, subject_column name) RETURNS name
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
  SELECT CASE WHEN pg_catalog.strpos(relation, '_') OPERATOR(pg_catalog.=) 0
               AND pg_catalog.octet_length('agentauthz_sync_' OPERATOR(pg_catalog.||) relation
                                           OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) subject_column::text)
                   OPERATOR(pg_catalog.<=) 54
               AND subject_column::text NOT LIKE '%\_truncate'
              THEN 'agentauthz_sync_' OPERATOR(pg_catalog.||) relation OPERATOR(pg_catalog.||) '_'
                   OPERATOR(pg_catalog.||) subject_column::text
              ELSE 'agentauthz_sync_' OPERATOR(pg_catalog.||)
                   pg_catalog.md5(pg_catalog.octet_length(relation)::text OPERATOR(pg_catalog.||) ':'
                                  OPERATOR(pg_catalog.||) relation OPERATOR(pg_catalog.||) ':'
                                  OPERATOR(pg_catalog.||) subject_column::text)
         END::pg_catalog.name
$$;

-- The arguments a trigger passes to its function (pg_trigger.tgargs ends
-- each with a zero byte).
CREATE FUNCTION agentauthz._trigger_args(args bytea) RETURNS text[]
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  found text[] := '{}';
  cut integer;
BEGIN
  LOOP
    cut := position('\x00'::bytea IN args);
    EXIT WHEN cut OPERATOR(pg_catalog.=) 0;
    found := found || convert_from(substr(args, 1, cut OPERATOR(pg_catalog.-) 1), current_setting('server_encoding'));
    args := substr(args, cut OPERATOR(pg_catalog.+) 1);
  END LOOP;
  RETURN found;
END
$$;

-- The triggers on a table that call the sync functions for one
-- registration (relation, subject_column), whatever their names: those
-- this version made, and those an earlier version named otherwise.
CREATE FUNCTION agentauthz._sync_triggers(tbl regclass, relation text, subject_column name) RETURNS SETOF name
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
  SELECT t.tgname FROM pg_catalog.pg_trigger t
   WHERE t.tgrelid OPERATOR(pg_catalog.=) tbl
     AND t.tgfoid OPERATOR(pg_catalog.=) ANY (ARRAY['agentauthz._sync_row()'::pg_catalog.regprocedure,
                                                    'agentauthz._sync_truncate()'::pg_catalog.regprocedure]::pg_catalog.oid[])
     AND t.tgnargs OPERATOR(pg_catalog.=) 6
     AND (agentauthz._trigger_args(t.tgargs))[3] OPERATOR(pg_catalog.=) relation
     AND (agentauthz._trigger_args(t.tgargs))[5] OPERATOR(pg_catalog.=) subject_column::pg_catalog.text
$$;

DROP FUNCTION agentauthz._drop_sync_triggers(regclass, name);

-- Drops the triggers sync_tuples() made for one registration, where they
-- still exist: only sync triggers of that key, never another trigger that
-- happens to share a name (DROP TRIGGER itself needs the table's owner).
CREATE FUNCTION agentauthz._drop_sync_triggers(tbl regclass, relation text, subject_column name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT agentauthz._sync_triggers(tbl, relation, subject_column) LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', existing, tbl);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION agentauthz.sync_tuples(tbl regclass, object_type text, id_column name, relation text,
                                       subject_type text, subject_column name,
                                       subject_relation text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  trigger_name name;
  truncate_name name;
  clash name;
  args text;
  written bigint;
  written_bad boolean;
BEGIN
  PERFORM agentauthz._require(
    ARRAY['tbl', 'object_type', 'id_column', 'relation', 'subject_type', 'subject_column'],
    ARRAY[tbl IS NOT NULL, object_type IS NOT NULL, id_column IS NOT NULL, relation IS NOT NULL,
          subject_type IS NOT NULL, subject_column IS NOT NULL]);
  trigger_name := agentauthz._sync_trigger_name(relation, subject_column);
  truncate_name := left(trigger_name || '_truncate', 63);
  -- Checks the caller owns the table, and that both columns exist and hold
  -- integer, uuid or text keys; the triggers check this record each time.
  PERFORM agentauthz._record_sync(tbl, object_type, id_column, relation, subject_type, subject_column,
                                  subject_relation, trigger_name);
  -- A trigger of that name that is not this registration's (the
  -- application's own, or another registration's) is never replaced.
  SELECT t.tgname INTO clash FROM pg_trigger t
   WHERE t.tgrelid OPERATOR(pg_catalog.=) tbl
     AND t.tgname OPERATOR(pg_catalog.=) ANY (ARRAY[trigger_name, truncate_name])
     AND t.tgname OPERATOR(pg_catalog.<>) ALL (ARRAY(SELECT agentauthz._sync_triggers(tbl, relation, subject_column)))
   LIMIT 1;
  IF clash IS NOT NULL THEN
    RAISE EXCEPTION 'trigger "%" on % already exists and is not this registration''s', clash, tbl
      USING ERRCODE = 'duplicate_object',
            HINT = format('sync_tuples(..., %L, ..., %L) names its triggers %s and %s; rename or drop that trigger.',
                          relation, subject_column, trigger_name, truncate_name);
  END IF;
  args := format('%L, %L, %L, %L, %L, %L', object_type, id_column, relation, subject_type, subject_column,
                 coalesce(subject_relation, ''));
  -- This registration's triggers, under this name or an earlier version's.
  PERFORM agentauthz._drop_sync_triggers(tbl, relation, subject_column);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF %I, %I OR DELETE ON %s FOR EACH ROW '
                 'EXECUTE FUNCTION agentauthz._sync_row(%s)', trigger_name, id_column, subject_column, tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                 'EXECUTE FUNCTION agentauthz._sync_truncate(%s)', truncate_name, tbl, args);
  -- Tuples for the rows already there, as the caller (admins may write
  -- tuples); the keys print as the triggers spell them, and must be plain
  -- ids as the triggers require (no wildcard, no userset).
  EXECUTE format('SELECT EXISTS (SELECT FROM %s WHERE %I::text OPERATOR(pg_catalog.=) ''*'' '
                 'OR pg_catalog.strpos(%I::text, ''#'') OPERATOR(pg_catalog.>) 0 '
                 'OR %I::text OPERATOR(pg_catalog.=) ''*'' OR pg_catalog.strpos(%I::text, ''#'') OPERATOR(pg_catalog.>) 0)',
                 tbl, id_column, id_column, subject_column, subject_column) INTO written_bad;
  IF written_bad THEN
    RAISE EXCEPTION '% has rows whose % or % is not a plain id (''*'' or containing ''#'')', tbl, id_column,
                    subject_column USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('INSERT INTO agentauthz.tuples (object, relation, subject) '
                 'SELECT %L || '':'' || %I, %L, %L || '':'' || %I || %L FROM %s WHERE %I IS NOT NULL AND %I IS NOT NULL '
                 'ON CONFLICT (object, relation, subject) DO NOTHING',
                 object_type, id_column, relation, subject_type, subject_column,
                 coalesce('#' || subject_relation, ''), tbl, id_column, subject_column);
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

CREATE OR REPLACE FUNCTION agentauthz.unsync_tuples(tbl regclass, relation text, subject_column name) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
  PERFORM agentauthz._require(ARRAY['tbl', 'relation', 'subject_column'],
                              ARRAY[tbl IS NOT NULL, relation IS NOT NULL, subject_column IS NOT NULL]);
  IF agentauthz._forget_sync(tbl, relation, subject_column) IS NULL THEN
    RETURN false;
  END IF;
  PERFORM agentauthz._drop_sync_triggers(tbl, relation, subject_column);
  RETURN true;
END
$$;

REVOKE ALL ON FUNCTION agentauthz._sync_trigger_name(text, name), agentauthz._trigger_args(bytea),
                       agentauthz._sync_triggers(regclass, text, name),
                       agentauthz._drop_sync_triggers(regclass, text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz._sync_trigger_name(text, name), agentauthz._trigger_args(bytea),
                          agentauthz._sync_triggers(regclass, text, name),
                          agentauthz._drop_sync_triggers(regclass, text, name)
    TO agentauthz_admin;

-- protect()'s records are written only by the extension, for the table's
-- owner (issue 10, item 9); the helper that drops policies now drops only
-- names protect() gives its own, never another policy of the table.

-- Drops the named policies of a table, where they still exist -- only
-- names protect() gives its policies, never another policy of the table
-- (DROP POLICY itself needs the table's owner).
CREATE OR REPLACE FUNCTION agentauthz._drop_policies(tbl regclass, policies name[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT p.polname FROM pg_policy p
                   WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) ANY (policies)
                     AND p.polname OPERATOR(pg_catalog.=) ANY (agentauthz._policy_names()) LOOP
    EXECUTE format('DROP POLICY %I ON %s', existing, tbl);
  END LOOP;
END
$$;

-- Agent registrations (issue 10, item 7): register_agent() refuses
-- privileged roles and never replaces a mapping; unregister_agent()
-- removes one; create_agent_role() says what its caller needs.
COMMENT ON FUNCTION agentauthz.register_agent(text, regrole) IS
  'Maps a PostgreSQL role to an agent subject (agent:name); the role then acts as that agent. Refuses privileged roles and roles mapped to another agent; the same mapping again changes nothing.';

CREATE FUNCTION agentauthz.unregister_agent(role regrole) RETURNS boolean
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_unregister_agent';
COMMENT ON FUNCTION agentauthz.unregister_agent(regrole) IS
  'Removes a role''s agent mapping (its sessions act for the agent no more); returns whether there was one.';
REVOKE ALL ON FUNCTION agentauthz.unregister_agent(regrole) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.unregister_agent(regrole) TO agentauthz_admin;

CREATE OR REPLACE FUNCTION agentauthz.create_agent_role(name text, agent text, password text DEFAULT NULL,
                                             tables regclass[] DEFAULT '{}') RETURNS regrole
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  t regclass;
  made regrole;
BEGIN
  PERFORM agentauthz._require(ARRAY['name', 'agent', 'tables'],
                              ARRAY[name IS NOT NULL, agent IS NOT NULL, tables IS NOT NULL]);
  -- The role is created as the caller, who needs the right to.
  IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user
                    AND (r.rolcreaterole OR r.rolsuper)) THEN
    RAISE EXCEPTION 'create_agent_role() needs CREATEROLE' USING ERRCODE = 'insufficient_privilege',
      HINT = 'Grant the admin CREATEROLE, or have a role with it create the agent''s role and call register_agent().';
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT%s',
                 name, CASE WHEN password IS NULL THEN '' ELSE format(' PASSWORD %L', password) END);
  -- By name as created, whatever it needs quoting for.
  SELECT r.oid::regrole INTO made FROM pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) create_agent_role.name;
  PERFORM agentauthz.register_agent(agent, made);
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', t, made);
  END LOOP;
  RETURN made;
END
$$;
COMMENT ON FUNCTION agentauthz.create_agent_role(text, text, text, regclass[]) IS
  'Creates a login role for an agent (the caller needs CREATEROLE): no superuser, CREATEDB, CREATEROLE, replication or BYPASSRLS; registered as the agent; optionally granted DML on protected tables (rows stay filtered by row-level security).';

-- The audit views name the person's delegation and purpose first, then
-- the chain and the acting link (issue 10, item 11); the log's purpose is
-- the root link's from now on (rows written before keep theirs).
DROP VIEW agentauthz.audit_decisions;
DROP VIEW agentauthz.audit_by_delegation;

-- One row per decision known by object: every check row, and the sampled
-- ids of summary and listing rows (complete = false: a sample). Under a
-- delegation, the person's link comes first -- delegation_id is the chain's
-- root and purpose the root's, which no sub-delegation an agent writes
-- can relabel -- then the whole chain and the link the agent acted under.
-- (Subscripts by array_lower/array_upper: no lower bound is assumed.)
CREATE VIEW agentauthz.audit_decisions AS
  SELECT l.id AS log_id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[array_lower(l.delegation_chain, 1)] AS delegation_id, l.purpose,
         l.delegation_chain, l.delegation_chain[array_upper(l.delegation_chain, 1)] AS acting_delegation_id,
         l.db_role, l.kind, l.relation, l.object_type, l.object_id, l.decision, true AS complete
    FROM agentauthz.audit_log l
   WHERE l.kind = 'check'
  UNION ALL
  SELECT l.id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[array_lower(l.delegation_chain, 1)], l.purpose,
         l.delegation_chain, l.delegation_chain[array_upper(l.delegation_chain, 1)],
         l.db_role, l.kind, l.relation, l.object_type, s.id, 'allowed', false
    FROM agentauthz.audit_log l CROSS JOIN LATERAL unnest(l.allowed_sample) AS s(id)
   WHERE l.kind IN ('summary', 'listing')
  UNION ALL
  SELECT l.id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[array_lower(l.delegation_chain, 1)], l.purpose,
         l.delegation_chain, l.delegation_chain[array_upper(l.delegation_chain, 1)],
         l.db_role, l.kind, l.relation, l.object_type, s.id, 'denied', false
    FROM agentauthz.audit_log l CROSS JOIN LATERAL unnest(l.denied_sample) AS s(id)
   WHERE l.kind = 'summary';
COMMENT ON VIEW agentauthz.audit_decisions IS
  'Decisions by object: check rows in full, summary and listing rows by their sampled ids (complete = false). delegation_id and purpose are the person''s (the chain''s root); delegation_chain and acting_delegation_id name the links down to the one the agent acted under.';

-- Per agent, principal and delegation (the person's, then the chain to the
-- acting link), per day: how much was allowed and refused, in how many
-- statements.
CREATE VIEW agentauthz.audit_by_delegation AS
  SELECT l.actor, l.principal,
         l.delegation_chain[array_lower(l.delegation_chain, 1)] AS delegation_id, l.purpose,
         l.delegation_chain, l.delegation_chain[array_upper(l.delegation_chain, 1)] AS acting_delegation_id,
         date_trunc('day', l.logged_at) AS day,
         count(DISTINCT (l.backend_pid, l.logged_at)) AS statements,
         sum(CASE WHEN l.kind = 'check' THEN (l.decision = 'allowed')::int ELSE l.allowed_count END) AS allowed,
         sum(CASE WHEN l.kind = 'check' THEN (l.decision = 'denied')::int ELSE l.denied_count END) AS denied,
         min(l.logged_at) AS first_seen, max(l.logged_at) AS last_seen,
         -- who acted: an application acting as a subject (set_subject) is
         -- told apart from the agent it may name
         l.db_role
    FROM agentauthz.audit_log l
   WHERE l.kind IN ('check', 'summary')
   GROUP BY 1, 2, 3, 4, 5, 6, 7, l.db_role;
COMMENT ON VIEW agentauthz.audit_by_delegation IS
  'Allowed and denied decisions per agent, principal, delegation (the person''s delegation_id and purpose, then the chain and the acting link), day and database role.';
GRANT SELECT ON agentauthz.audit_decisions, agentauthz.audit_by_delegation TO agentauthz_auditor;
