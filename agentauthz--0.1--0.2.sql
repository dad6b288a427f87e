-- agentauthz 0.1 -> 0.2: the security release. Privileged code runs in one
-- way (the extension owner's rights inside a security-restricted operation,
-- search_path pinned, operators qualified); roles reach the extension's
-- tables only through its functions; protected tables stay closed to
-- agents whatever happens to the extension.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.2'" to load this file. \quit

-- Agents and delegations: every write tells every backend, so that an actor
-- is decided afresh at the next statement after the commit. ----------------
-- Every write to agents or delegations tells every backend: an actor is
-- decided afresh at the next statement after the commit, whatever the
-- snapshot of the transaction it runs in.
CREATE FUNCTION agentauthz.actors_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_actors_changed';
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON agentauthz.agents
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.actors_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON agentauthz.agents
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.actors_changed();
CREATE TRIGGER delegations_changed AFTER INSERT OR UPDATE OR DELETE ON agentauthz.delegations
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.actors_changed();
CREATE TRIGGER delegations_truncated AFTER TRUNCATE ON agentauthz.delegations
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.actors_changed();

-- The typed checks: comments for every form; WITH CHECK's forms. -----------
COMMENT ON FUNCTION agentauthz.check_id(text, text, bigint) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, integer) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, uuid) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, text) IS
  'check(relation, object_type || '':'' || id) for the current actor; an id that cannot name an object is not allowed.';

-- What WITH CHECK calls for a row being written: as check_id, but a key
-- that cannot name an object is refused with an error (22023) rather than
-- quietly not allowed.
CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id bigint) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_int8';
CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id integer) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_int4';
CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id uuid) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_uuid';
CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id text) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_text';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, bigint) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, integer) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, uuid) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, text) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error.';
-- What WITH CHECK calls for a row inserted under a parent (the parent's
-- check decides for a new object): an object that stored tuples already
-- name is being attached, not created, and takes the relation on it, as a
-- move would. A key that cannot name an object is an error (22023).
CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id bigint) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_int8';
CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id integer) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_int4';
CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id uuid) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_uuid';
CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id text) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_text';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, bigint) IS
  'For a row inserted under a parent: true for a new object, check_new_id(relation, ...) for one the stored tuples already name.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, integer) IS
  'For a row inserted under a parent: true for a new object, check_new_id(relation, ...) for one the stored tuples already name.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, uuid) IS
  'For a row inserted under a parent: true for a new object, check_new_id(relation, ...) for one the stored tuples already name.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, text) IS
  'For a row inserted under a parent: true for a new object, check_new_id(relation, ...) for one the stored tuples already name.';

-- Whether the current actor context holds now. A `set` policy tests it per
-- row: its allowed ids were listed when the query started, and a cursor
-- may be read after a revocation or an expiry.
CREATE FUNCTION agentauthz.actor_valid() RETURNS boolean
    LANGUAGE c STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_actor_valid';
COMMENT ON FUNCTION agentauthz.actor_valid() IS
  'Whether the current actor context holds now (unrevoked, unexpired, the role''s own).';

-- The constant of protect()'s permissive base policies: `(true)::permit`
-- costs nothing (the planner folds a domain without constraints away) and
-- makes the policy depend on the extension, so that DROP EXTENSION ...
-- CASCADE removes it with the restrictive ones -- nothing permissive of
-- agentauthz's outlives it.
CREATE DOMAIN agentauthz.permit AS boolean;
COMMENT ON DOMAIN agentauthz.permit IS
  'The type of protect()''s permissive base policies'' constant: ties them to the extension.';

COMMENT ON FUNCTION agentauthz.check(text, text) IS
  'Whether the current actor may have relation on object: the subject''s rights, or the principal''s rights within every scope of the delegation chain. False without an actor context, and for an object that names nothing the model defines.';
COMMENT ON FUNCTION agentauthz.explain(text, text) IS
  'explain() for the current actor: the context and the decision; the subject''s proof for a subject an application set, the decision only for an agent.';

-- Row-level security helpers, rewritten: NULL arguments refused, records
-- written through functions that check ownership, the guard policy, base
-- policies tied to the extension, sync triggers in C. -----------------------

-- Returns the expression a policy uses to ask `relation` on the row's
-- object: a typed check per row (`row`), the same for a row being written
-- (`write`: a key that cannot name an object is an error), or an
-- index-friendly membership test in the allowed set computed once per
-- query (`set`).
CREATE OR REPLACE FUNCTION agentauthz._row_check(relation text, object_type text, key_column name,
                                      key_type regtype, strategy text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  set_function text;
  array_type text;
  key text := agentauthz._key(key_column, key_type);
BEGIN
  IF strategy = 'row' THEN
    RETURN format('agentauthz.check_id(%L, %L, %s)', relation, object_type, key);
  ELSIF strategy = 'write' THEN
    RETURN format('agentauthz.check_new_id(%L, %L, %s)', relation, object_type, key);
  END IF;
  IF key_type IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype) THEN
    set_function := 'allowed_bigint_ids';
    array_type := 'bigint[]';
  ELSIF key_type = 'uuid'::regtype THEN
    set_function := 'allowed_uuid_ids';
    array_type := 'uuid[]';
  ELSE
    set_function := 'allowed_ids';
    array_type := 'text[]';
  END IF;
  -- A scalar subquery: an InitPlan, evaluated once per query; whether the
  -- actor still holds, per row (a cursor outlives a revocation).
  RETURN format('(%I OPERATOR(pg_catalog.=) ANY ((SELECT agentauthz.%I(%L, %L))::%s) AND agentauthz.actor_valid())',
                key_column, set_function, relation, object_type, array_type);
END
$$;

-- A key column as the typed checks take it: smallint as integer (it would
-- match both the integer and the bigint forms).
CREATE FUNCTION agentauthz._key(key_column name, key_type regtype) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
  SELECT CASE WHEN key_type OPERATOR(pg_catalog.=) 'smallint'::pg_catalog.regtype
              THEN pg_catalog.format('(%I)::integer', key_column) ELSE pg_catalog.format('%I', key_column) END
$$;

-- Drops the named policies of a table, where they still exist.
CREATE OR REPLACE FUNCTION agentauthz._drop_policies(tbl regclass, policies name[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT p.polname FROM pg_policy p
                   WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polname OPERATOR(pg_catalog.=) ANY (policies) LOOP
    EXECUTE format('DROP POLICY %I ON %s', existing, tbl);
  END LOOP;
END
$$;

-- Every policy name protect() may make. A table protected before the
-- extension was dropped and created again keeps some of them (the guard):
-- protect() and unprotect() remove all of them, recorded or not.
CREATE FUNCTION agentauthz._policy_names() RETURNS name[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
  SELECT ARRAY['agentauthz_select', 'agentauthz_insert', 'agentauthz_update', 'agentauthz_delete',
               'agentauthz_guard', 'agentauthz_base_select', 'agentauthz_base_insert',
               'agentauthz_base_update', 'agentauthz_base_delete']::name[]
$$;

-- Raises 22004 naming the first required argument that is NULL.
CREATE FUNCTION agentauthz._require(names text[], present boolean[]) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
  FOR i IN 1 .. cardinality(names) LOOP
    IF NOT present[i] THEN
      RAISE EXCEPTION 'argument "%" must not be null', names[i] USING ERRCODE = 'null_value_not_allowed';
    END IF;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION agentauthz.protect(
    tbl regclass,
    object_type text,
    id_column name,
    select_relation text DEFAULT 'viewer',
    update_relation text DEFAULT 'editor',
    delete_relation text DEFAULT 'owner',
    insert_relation text DEFAULT NULL,
    parent_column name DEFAULT NULL,
    parent_type text DEFAULT NULL,
    strategy text DEFAULT 'row',
    force boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  key_type regtype;
  parent_key_type regtype;
  previous agentauthz.protected_tables;
  rls_on boolean;
  rls_forced boolean;
  made name[] := '{}';
  cmd text;
  row_check text;
  insert_check text;
  update_check text;
  base_needed boolean;
BEGIN
  PERFORM agentauthz._require(
    ARRAY['tbl', 'object_type', 'id_column', 'select_relation', 'update_relation', 'delete_relation',
          'strategy', 'force'],
    ARRAY[tbl IS NOT NULL, object_type IS NOT NULL, id_column IS NOT NULL, select_relation IS NOT NULL,
          update_relation IS NOT NULL, delete_relation IS NOT NULL, strategy IS NOT NULL, force IS NOT NULL]);
  IF strategy NOT IN ('row', 'set') THEN
    RAISE EXCEPTION 'unknown strategy "%"', strategy
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''row'' (a check per row) or ''set'' (ids computed once per query).';
  END IF;
  SELECT a.atttypid::regtype INTO key_type FROM pg_attribute a
   WHERE a.attrelid OPERATOR(pg_catalog.=) tbl AND a.attname OPERATOR(pg_catalog.=) id_column
     AND NOT a.attisdropped AND a.attnum OPERATOR(pg_catalog.>) 0;
  IF key_type IS NULL THEN
    RAISE EXCEPTION 'column "%" of % does not exist', id_column, tbl USING ERRCODE = 'undefined_column';
  END IF;
  IF key_type NOT IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype, 'uuid'::regtype,
                      'text'::regtype, 'character varying'::regtype) THEN
    RAISE EXCEPTION 'column "%" of % has type %, which protect() does not support', id_column, tbl, key_type
      USING ERRCODE = 'datatype_mismatch', HINT = 'Use an integer, bigint, uuid or text key.';
  END IF;
  IF (parent_column IS NULL) <> (parent_type IS NULL) THEN
    RAISE EXCEPTION 'parent_column and parent_type go together' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF parent_column IS NOT NULL THEN
    SELECT a.atttypid::regtype INTO parent_key_type FROM pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) tbl AND a.attname OPERATOR(pg_catalog.=) parent_column
       AND NOT a.attisdropped AND a.attnum OPERATOR(pg_catalog.>) 0;
    IF parent_key_type IS NULL THEN
      RAISE EXCEPTION 'column "%" of % does not exist', parent_column, tbl USING ERRCODE = 'undefined_column';
    END IF;
  END IF;
  -- The relations and types must exist in the active model.
  -- (a check on a placeholder object raises an error for an unknown name)
  PERFORM agentauthz.check(object_type || ':_', select_relation, object_type || ':_'),
          agentauthz.check(object_type || ':_', update_relation, object_type || ':_'),
          agentauthz.check(object_type || ':_', delete_relation, object_type || ':_');
  IF parent_column IS NOT NULL THEN
    PERFORM agentauthz.check(parent_type || ':_', coalesce(insert_relation, update_relation), parent_type || ':_');
  ELSIF insert_relation IS NOT NULL THEN
    PERFORM agentauthz.check(object_type || ':_', insert_relation, object_type || ':_');
  END IF;

  -- Protecting again replaces what the last protect() made, and what a
  -- dropped installation of the extension left.
  SELECT * INTO previous FROM agentauthz.protected_tables p WHERE p.tbl OPERATOR(pg_catalog.=) protect.tbl;
  PERFORM agentauthz._drop_policies(tbl, agentauthz._policy_names());
  SELECT c.relrowsecurity, c.relforcerowsecurity INTO rls_on, rls_forced FROM pg_class c
   WHERE c.oid OPERATOR(pg_catalog.=) tbl;

  -- Restrictive policies: agentauthz narrows what other policies allow and
  -- never widens it. Rows being written are checked with check_new_id: a
  -- key that cannot name an object is refused with an error.
  row_check := agentauthz._row_check(select_relation, object_type, id_column, key_type, strategy);
  EXECUTE format('CREATE POLICY agentauthz_select ON %s AS RESTRICTIVE FOR SELECT USING (%s)', tbl, row_check);
  IF parent_column IS NOT NULL THEN
    -- The parent decides for a new object; one that stored tuples already
    -- name is being moved into the parent, which takes the update relation
    -- on it as well (and a key that cannot name an object is refused).
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), parent_type,
                                          parent_column, parent_key_type, 'write')
                    || format(' AND agentauthz.check_new_object(%L, %L, %s)', update_relation, object_type,
                              agentauthz._key(id_column, key_type));
  ELSE
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), object_type,
                                          id_column, key_type, 'write');
  END IF;
  EXECUTE format('CREATE POLICY agentauthz_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (%s)', tbl, insert_check);
  update_check := agentauthz._row_check(update_relation, object_type, id_column, key_type, 'write');
  EXECUTE format('CREATE POLICY agentauthz_update ON %s AS RESTRICTIVE FOR UPDATE USING (%s) WITH CHECK (%s)',
                 tbl, agentauthz._row_check(update_relation, object_type, id_column, key_type, strategy),
                 CASE WHEN parent_column IS NULL THEN update_check ELSE update_check || ' AND ' || insert_check END);
  EXECUTE format('CREATE POLICY agentauthz_delete ON %s AS RESTRICTIVE FOR DELETE USING (%s)', tbl,
                 agentauthz._row_check(delete_relation, object_type, id_column, key_type, strategy));
  -- The guard keeps the table closed if the policies above disappear with
  -- the extension (DROP EXTENSION ... CASCADE drops every policy that calls
  -- its functions): it lets rows through only while agentauthz_select
  -- exists, which a new CREATE EXTENSION does not bring back. It names only
  -- the system catalog, so it outlives the extension; evaluated once per
  -- query (an InitPlan).
  EXECUTE format('CREATE POLICY agentauthz_guard ON %s AS RESTRICTIVE FOR ALL USING (EXISTS ('
                 'SELECT FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) %L::pg_catalog.regclass '
                 'AND p.polname OPERATOR(pg_catalog.=) %L::pg_catalog.name))',
                 tbl, tbl::text, 'agentauthz_select');
  made := ARRAY['agentauthz_select', 'agentauthz_insert', 'agentauthz_update', 'agentauthz_delete',
                'agentauthz_guard']::name[];
  -- Restrictive policies need a permissive one to pass anything: where the
  -- table has none for a command, add one that lets agentauthz decide. Its
  -- constant is of the extension's type, so it goes with the extension.
  FOREACH cmd IN ARRAY ARRAY['select', 'insert', 'update', 'delete'] LOOP
    SELECT NOT EXISTS (
      SELECT FROM pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl AND p.polpermissive
         AND p.polcmd OPERATOR(pg_catalog.=) ANY (ARRAY['*', CASE cmd WHEN 'select' THEN 'r' WHEN 'insert' THEN 'a'
                                                      WHEN 'update' THEN 'w' ELSE 'd' END]::"char"[]))
      INTO base_needed;
    IF base_needed THEN
      EXECUTE format('CREATE POLICY %I ON %s AS PERMISSIVE FOR %s %s', 'agentauthz_base_' || cmd, tbl, upper(cmd),
                     CASE cmd WHEN 'insert' THEN 'WITH CHECK ((true)::agentauthz.permit)'
                              WHEN 'update' THEN 'USING ((true)::agentauthz.permit) WITH CHECK ((true)::agentauthz.permit)'
                              ELSE 'USING ((true)::agentauthz.permit)' END);
      made := made || ('agentauthz_base_' || cmd)::name;
    END IF;
  END LOOP;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  IF force AND NOT rls_forced THEN
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  ELSIF NOT force AND coalesce(previous.forced_rls, false) THEN
    -- An earlier protect() forced it; this one does not ask to.
    EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', tbl);
  END IF;

  PERFORM agentauthz._record_protection(tbl, object_type, id_column, strategy, made,
                                        coalesce(previous.enabled_rls, NOT rls_on),
                                        force AND (coalesce(previous.forced_rls, false) OR NOT rls_forced),
                                        parent_column);
END
$$;
COMMENT ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean) IS
  'Enables row-level security on a table with policies that call the actor-context check: select/update/delete relations on the row''s object, inserts (and moves) checked on a parent column when given; a guard keeps the table closed to agents if the extension is dropped. Idempotent.';

CREATE OR REPLACE FUNCTION agentauthz.unprotect(tbl regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  made agentauthz.protected_tables;
BEGIN
  PERFORM agentauthz._require(ARRAY['tbl'], ARRAY[tbl IS NOT NULL]);
  SELECT * INTO made FROM agentauthz.protected_tables p WHERE p.tbl OPERATOR(pg_catalog.=) unprotect.tbl;
  IF NOT FOUND THEN
    -- Not recorded (protected by an installation since dropped): its
    -- policies, the guard among them, go; row-level security stays as it is.
    IF NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) tbl
                      AND p.polname OPERATOR(pg_catalog.=) ANY (agentauthz._policy_names())) THEN
      RETURN false;
    END IF;
    PERFORM agentauthz._drop_policies(tbl, agentauthz._policy_names());
    RETURN true;
  END IF;
  PERFORM agentauthz._drop_policies(tbl, agentauthz._policy_names());
  IF made.forced_rls THEN
    EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', tbl);
  END IF;
  IF made.enabled_rls THEN
    EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
  END IF;
  PERFORM agentauthz._forget_protection(tbl);
  RETURN true;
END
$$;
COMMENT ON FUNCTION agentauthz.unprotect(regclass) IS
  'Removes exactly what protect() made: its policies, and row-level security if protect() turned it on.';

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
  'Creates a login role for an agent: no superuser, CREATEDB, CREATEROLE, replication or BYPASSRLS; registered as the agent; optionally granted DML on protected tables (rows stay filtered by row-level security).';

-- Keeps `object_type:<id> relation subject_type:<column>[#subject_relation]`
-- in step with a row (AFTER each row), and deletes a relation's tuples when
-- the table is truncated. They write tuples with the extension owner's
-- rights, so whoever may change a row changes its derived tuple -- and only
-- that: each firing is checked against what sync_tuples() registered for
-- the table and trigger, and reads only the registered columns (integer,
-- uuid or text), calling nothing a user can define. Only admins may attach
-- them (EXECUTE is checked when a trigger is made).
CREATE OR REPLACE FUNCTION agentauthz._sync_row() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_sync_row';
CREATE OR REPLACE FUNCTION agentauthz._sync_truncate() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_sync_truncate';

-- What protect() and sync_tuples() made, recorded with the owner's rights
-- for a table the caller owns (admins may not write the records directly).
CREATE FUNCTION agentauthz._record_protection(tbl regclass, object_type text, id_column name, strategy text,
                                              policies name[], enabled_rls boolean, forced_rls boolean,
                                              parent_column name) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_record_protection';
CREATE FUNCTION agentauthz._forget_protection(tbl regclass) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_forget_protection';
CREATE FUNCTION agentauthz._record_sync(tbl regclass, object_type text, id_column name, relation text,
                                        subject_type text, subject_column name, subject_relation text,
                                        trigger_name name) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_record_sync';
CREATE FUNCTION agentauthz._forget_sync(tbl regclass, relation text, subject_column name) RETURNS text
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_forget_sync';

-- Drops the triggers sync_tuples() made, where they still exist.
CREATE OR REPLACE FUNCTION agentauthz._drop_sync_triggers(tbl regclass, trigger_name name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) tbl
                     AND t.tgname OPERATOR(pg_catalog.=) ANY (ARRAY[trigger_name, left(trigger_name || '_truncate', 63)]::name[]) LOOP
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
  args text;
  written bigint;
  written_bad boolean;
BEGIN
  PERFORM agentauthz._require(
    ARRAY['tbl', 'object_type', 'id_column', 'relation', 'subject_type', 'subject_column'],
    ARRAY[tbl IS NOT NULL, object_type IS NOT NULL, id_column IS NOT NULL, relation IS NOT NULL,
          subject_type IS NOT NULL, subject_column IS NOT NULL]);
  -- The truncate trigger's name adds _truncate: both fit in 63 bytes.
  trigger_name := 'agentauthz_sync_' || relation || '_' || subject_column;
  IF octet_length(trigger_name) > 54 THEN
    trigger_name := 'agentauthz_sync_' || md5(relation || ':' || subject_column);
  END IF;
  -- Checks the caller owns the table, and that both columns exist and hold
  -- integer, uuid or text keys; the triggers check this record each time.
  PERFORM agentauthz._record_sync(tbl, object_type, id_column, relation, subject_type, subject_column,
                                  subject_relation, trigger_name);
  args := format('%L, %L, %L, %L, %L, %L', object_type, id_column, relation, subject_type, subject_column,
                 coalesce(subject_relation, ''));
  PERFORM agentauthz._drop_sync_triggers(tbl, trigger_name);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF %I, %I OR DELETE ON %s FOR EACH ROW '
                 'EXECUTE FUNCTION agentauthz._sync_row(%s)', trigger_name, id_column, subject_column, tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                 'EXECUTE FUNCTION agentauthz._sync_truncate(%s)', left(trigger_name || '_truncate', 63), tbl, args);
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
COMMENT ON FUNCTION agentauthz.sync_tuples(regclass, text, name, text, text, name, text) IS
  'Keeps tuples object_type:<id_column> relation subject_type:<subject_column> in step with a table (insert, update, delete, truncate) and writes them for existing rows; returns how many were written.';

CREATE OR REPLACE FUNCTION agentauthz.unsync_tuples(tbl regclass, relation text, subject_column name) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  trigger_name name;
BEGIN
  PERFORM agentauthz._require(ARRAY['tbl', 'relation', 'subject_column'],
                              ARRAY[tbl IS NOT NULL, relation IS NOT NULL, subject_column IS NOT NULL]);
  trigger_name := agentauthz._forget_sync(tbl, relation, subject_column);
  IF trigger_name IS NULL THEN
    RETURN false;
  END IF;
  PERFORM agentauthz._drop_sync_triggers(tbl, trigger_name);
  RETURN true;
END
$$;
COMMENT ON FUNCTION agentauthz.unsync_tuples(regclass, text, name) IS
  'Stops keeping a column''s tuples in step (the tuples already written stay).';

-- Settings an admin stores, in C with the owner's rights. -----------------
CREATE OR REPLACE FUNCTION agentauthz.set_audit_level(level text, role regrole DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_audit_level';
COMMENT ON FUNCTION agentauthz.set_audit_level(text, regrole) IS
  'Sets agentauthz.audit for this database, or for one role in it; sessions that start afterwards use it.';

CREATE FUNCTION agentauthz.set_session_contexts(allowed boolean, role regrole DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_session_contexts';
COMMENT ON FUNCTION agentauthz.set_session_contexts(boolean, regrole) IS
  'Sets agentauthz.session_contexts for this database, or for one role in it (NULL removes the setting): off for roles that connect through a transaction pool, whose contexts must last one transaction.';

-- protect() now records its parent column (sync triggers ask it).
ALTER TABLE agentauthz.protected_tables ADD COLUMN parent_column name;

-- Tables protected under 0.1 get what protect() makes now: the guard that
-- keeps them closed if the extension is dropped, base policies tied to the
-- extension, WITH CHECK expressions that refuse a key that cannot name an
-- object and an existing object taken into a parent, and `set` policies
-- that test the actor per row. They are found by their policies (the
-- records in protected_tables are not trusted: 0.1 let admins edit them).
-- Sync registrations must name columns the C triggers can read.
CREATE FUNCTION agentauthz._upgrade_0_2() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  s agentauthz.synced_columns;
  t oid;
  pol record;
  names text[];       -- agentauthz_update's first two literals: relation, type
  key_column name;    -- what agentauthz_delete checks: the row's key
  key_type regtype;
  parent name;        -- what else agentauthz_insert checks: its parent, if any
  attach text;        -- what an insert (and a move) under a parent adds
  literals constant text := '''((?:[^'']|'''')*)''::text, ''((?:[^'']|'''')*)''::text';
BEGIN
  FOR s IN SELECT * FROM agentauthz.synced_columns LOOP
    IF EXISTS (SELECT FROM pg_attribute a JOIN pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
                WHERE a.attrelid OPERATOR(pg_catalog.=) s.tbl
                  AND a.attname OPERATOR(pg_catalog.=) ANY (ARRAY[s.id_column, s.subject_column])
                  AND NOT a.attisdropped
                  AND (CASE WHEN ty.typtype OPERATOR(pg_catalog.=) 'd' THEN ty.typbasetype ELSE ty.oid END)
                      OPERATOR(pg_catalog.<>) ALL (ARRAY['smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                                                         'uuid'::regtype, 'text'::regtype,
                                                         'character varying'::regtype]::oid[])) THEN
      RAISE EXCEPTION 'sync_tuples() keeps % in step through a column whose type 0.2 does not read', s.tbl
        USING ERRCODE = 'datatype_mismatch',
              HINT = 'Version 0.2 reads integer, bigint, uuid and text key columns only; unsync_tuples() that table, or change the column, then update.';
    END IF;
  END LOOP;
  FOR t IN SELECT DISTINCT x.polrelid FROM pg_policy x
            WHERE x.polname OPERATOR(pg_catalog.=) ANY (agentauthz._policy_names()) LOOP
    -- Which columns the policies check, from their dependencies (not from
    -- their text, which quoting and casts make hard to read).
    SELECT a.attname, a.atttypid::regtype INTO key_column, key_type
      FROM pg_policy x JOIN pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_policy'::regclass
                                       AND d.objid OPERATOR(pg_catalog.=) x.oid
                                       AND d.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass
                                       AND d.refobjsubid OPERATOR(pg_catalog.>) 0
      JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) t AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
     WHERE x.polrelid OPERATOR(pg_catalog.=) t AND x.polname OPERATOR(pg_catalog.=) 'agentauthz_delete'
     LIMIT 1;
    SELECT a.attname INTO parent
      FROM pg_policy x JOIN pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_policy'::regclass
                                       AND d.objid OPERATOR(pg_catalog.=) x.oid
                                       AND d.refclassid OPERATOR(pg_catalog.=) 'pg_class'::regclass
                                       AND d.refobjsubid OPERATOR(pg_catalog.>) 0
      JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) t AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
     WHERE x.polrelid OPERATOR(pg_catalog.=) t AND x.polname OPERATOR(pg_catalog.=) 'agentauthz_insert'
       AND a.attname OPERATOR(pg_catalog.<>) key_column
     LIMIT 1;
    SELECT regexp_match(pg_get_expr(x.polqual, x.polrelid), literals) INTO names
      FROM pg_policy x WHERE x.polrelid OPERATOR(pg_catalog.=) t AND x.polname OPERATOR(pg_catalog.=) 'agentauthz_update';
    attach := '';
    IF parent IS NOT NULL AND key_column IS NOT NULL AND names IS NOT NULL THEN
      attach := format(' AND agentauthz.check_new_object(%L, %L, %s)', replace(names[1], '''''', ''''),
                       replace(names[2], '''''', ''''), agentauthz._key(key_column, key_type));
      UPDATE agentauthz.protected_tables p SET parent_column = parent WHERE p.tbl OPERATOR(pg_catalog.=) t;
    END IF;
    FOR pol IN SELECT x.polname, x.polqual IS NOT NULL AS has_using, x.polwithcheck IS NOT NULL AS has_check,
                      pg_get_expr(x.polqual, x.polrelid) AS using_expr,
                      pg_get_expr(x.polwithcheck, x.polrelid) AS with_check
                 FROM pg_policy x
                WHERE x.polrelid OPERATOR(pg_catalog.=) t
                  AND x.polname OPERATOR(pg_catalog.=) ANY (agentauthz._policy_names()) LOOP
      IF pol.polname::text LIKE 'agentauthz\_base\_%' THEN
        EXECUTE format('ALTER POLICY %I ON %s %s %s', pol.polname, t::regclass,
                       CASE WHEN pol.has_using THEN 'USING ((true)::agentauthz.permit)' ELSE '' END,
                       CASE WHEN pol.has_check THEN 'WITH CHECK ((true)::agentauthz.permit)' ELSE '' END);
        CONTINUE;
      END IF;
      IF pol.has_using AND strpos(pol.using_expr, 'agentauthz.allowed_') OPERATOR(pg_catalog.>) 0 THEN
        EXECUTE format('ALTER POLICY %I ON %s USING ((%s) AND agentauthz.actor_valid())', pol.polname,
                       t::regclass, pol.using_expr);
      END IF;
      IF pol.polname IN ('agentauthz_insert', 'agentauthz_update') AND pol.has_check THEN
        EXECUTE format('ALTER POLICY %I ON %s WITH CHECK (%s%s)', pol.polname, t::regclass,
                       replace(pol.with_check, 'agentauthz.check_id(', 'agentauthz.check_new_id('), attach);
      END IF;
    END LOOP;
    IF EXISTS (SELECT FROM pg_policy x WHERE x.polrelid OPERATOR(pg_catalog.=) t
                  AND x.polname OPERATOR(pg_catalog.=) 'agentauthz_select')
       AND NOT EXISTS (SELECT FROM pg_policy x WHERE x.polrelid OPERATOR(pg_catalog.=) t
                          AND x.polname OPERATOR(pg_catalog.=) 'agentauthz_guard') THEN
      EXECUTE format('CREATE POLICY agentauthz_guard ON %s AS RESTRICTIVE FOR ALL USING (EXISTS ('
                     'SELECT FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) %L::pg_catalog.regclass '
                     'AND p.polname OPERATOR(pg_catalog.=) %L::pg_catalog.name))',
                     t::regclass, t::regclass::text, 'agentauthz_select');
      UPDATE agentauthz.protected_tables p SET policies = p.policies || 'agentauthz_guard'::name
       WHERE p.tbl OPERATOR(pg_catalog.=) t AND NOT 'agentauthz_guard' = ANY (p.policies);
    END IF;
  END LOOP;
END
$$;
SELECT agentauthz._upgrade_0_2();
DROP FUNCTION agentauthz._upgrade_0_2();

-- The audit view names the database role too (ALTER: the column is new).
-- Per agent, principal and delegation, per day: how much was allowed and
-- refused, in how many statements.
CREATE OR REPLACE VIEW agentauthz.audit_by_delegation AS
  SELECT l.actor, l.principal,
         l.delegation_chain[cardinality(l.delegation_chain)] AS delegation_id, l.purpose,
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
   GROUP BY 1, 2, 3, 4, 5, l.db_role;
COMMENT ON VIEW agentauthz.audit_by_delegation IS
  'Allowed and denied decisions per agent, principal, delegation, day and database role.';

-- Privileges: everything granted by 0.1 is taken back, then granted as a
-- fresh 0.2 install grants it.
REVOKE ALL ON ALL TABLES IN SCHEMA agentauthz FROM agentauthz_admin, agentauthz_app, agentauthz_auditor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA agentauthz FROM agentauthz_admin, agentauthz_app, agentauthz_auditor;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA agentauthz FROM agentauthz_admin, agentauthz_app, agentauthz_auditor;

-- Privileges -----------------------------------------------------------------

-- Every role reaches the extension's tables through its functions, except
-- what the README's security model lists: admins and applications read
-- models, agents and delegations, and may insert tuples directly (INSERT and
-- COPY are validated by a trigger; admins may also update, delete and
-- truncate them); admins read what protect() and sync_tuples() recorded;
-- auditors read the audit log.
REVOKE ALL ON ALL TABLES IN SCHEMA agentauthz FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA agentauthz FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA agentauthz FROM PUBLIC;
REVOKE ALL ON TYPE agentauthz.permit FROM PUBLIC;

GRANT SELECT ON agentauthz.models TO agentauthz_admin, agentauthz_app;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON agentauthz.tuples TO agentauthz_admin;
GRANT SELECT, INSERT ON agentauthz.tuples TO agentauthz_app;
GRANT SELECT ON agentauthz.agents, agentauthz.delegations TO agentauthz_admin, agentauthz_app;
GRANT SELECT ON agentauthz.protected_tables, agentauthz.synced_columns TO agentauthz_admin;

GRANT EXECUTE ON FUNCTION agentauthz.write_model(text) TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.read_model(bigint) TO agentauthz_admin, agentauthz_app;
GRANT EXECUTE ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz),
                          agentauthz.delete_tuple(text, text, text)
    TO agentauthz_admin, agentauthz_app;
GRANT EXECUTE ON FUNCTION agentauthz.check(text, text, text),
                          agentauthz.check(text, text, text, jsonb),
                          agentauthz.list_objects(text, text, text),
                          agentauthz.list_objects(text, text, text, jsonb),
                          agentauthz.list_subjects(text, text, text),
                          agentauthz.list_subjects(text, text, text, jsonb),
                          agentauthz.explain(text, text, text)
    TO agentauthz_admin, agentauthz_app;
GRANT EXECUTE ON FUNCTION agentauthz.register_agent(text, regrole) TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text),
                          agentauthz.revoke_delegation(bigint),
                          agentauthz.set_subject(text, boolean)
    TO agentauthz_admin, agentauthz_app;
-- The RLS helpers run as the caller, who must own the table; what they
-- record goes through the _record/_forget functions, which check that. An
-- admin may attach the sync trigger functions (CREATE TRIGGER checks
-- EXECUTE); they act only for what _record_sync registered.
GRANT EXECUTE ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean),
                          agentauthz.unprotect(regclass),
                          agentauthz.create_agent_role(text, text, text, regclass[]),
                          agentauthz.sync_tuples(regclass, text, name, text, text, name, text),
                          agentauthz.unsync_tuples(regclass, text, name),
                          agentauthz._row_check(text, text, name, regtype, text),
                          agentauthz._key(name, regtype),
                          agentauthz._drop_policies(regclass, name[]),
                          agentauthz._policy_names(),
                          agentauthz._require(text[], boolean[]),
                          agentauthz._record_protection(regclass, text, name, text, name[], boolean, boolean, name),
                          agentauthz._forget_protection(regclass),
                          agentauthz._record_sync(regclass, text, name, text, text, name, text, name),
                          agentauthz._forget_sync(regclass, text, name),
                          agentauthz._drop_sync_triggers(regclass, name),
                          agentauthz._sync_row(),
                          agentauthz._sync_truncate()
    TO agentauthz_admin;
GRANT USAGE ON TYPE agentauthz.permit TO agentauthz_admin;
-- What any role, agents included, may call: the context functions check who
-- calls them, and read the extension's tables themselves.
GRANT EXECUTE ON FUNCTION agentauthz.act_for(text, boolean),
                          agentauthz.subdelegate(text, text[], timestamptz, text),
                          agentauthz.end_task(),
                          agentauthz.current_actor(),
                          agentauthz.check(text, text),
                          agentauthz.explain(text, text),
                          agentauthz.check_id(text, text, bigint),
                          agentauthz.check_id(text, text, integer),
                          agentauthz.check_id(text, text, uuid),
                          agentauthz.check_id(text, text, text),
                          agentauthz.check_new_id(text, text, bigint),
                          agentauthz.check_new_id(text, text, integer),
                          agentauthz.check_new_id(text, text, uuid),
                          agentauthz.check_new_id(text, text, text),
                          agentauthz.check_new_object(text, text, bigint),
                          agentauthz.check_new_object(text, text, integer),
                          agentauthz.check_new_object(text, text, uuid),
                          agentauthz.check_new_object(text, text, text),
                          agentauthz.actor_valid(),
                          agentauthz.allowed_ids(text, text),
                          agentauthz.allowed_bigint_ids(text, text),
                          agentauthz.allowed_uuid_ids(text, text)
    TO PUBLIC;
-- The audit log: auditors (and admins, who are auditors) read it; nobody
-- writes it but the extension; agents see none of it.
GRANT SELECT ON agentauthz.audit_log, agentauthz.audit_chain, agentauthz.audit_decisions,
                agentauthz.audit_by_delegation
    TO agentauthz_auditor;
GRANT EXECUTE ON FUNCTION agentauthz.verify_audit(), agentauthz.audit_stats() TO agentauthz_auditor;
GRANT EXECUTE ON FUNCTION agentauthz.purge_audit(timestamptz),
                          agentauthz.set_audit_level(text, regrole),
                          agentauthz.set_session_contexts(boolean, regrole)
    TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.audit_flush(integer) TO PUBLIC;
-- Trigger functions: nobody needs EXECUTE on them (PostgreSQL checks it
-- only when a trigger is made), and each refuses to fire on another table.
