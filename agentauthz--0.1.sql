-- agentauthz 0.1: models, tuples, check, list and explain; agents,
-- delegations and the actor context; row-level security helpers (protect,
-- agent roles, tuples synced from columns); the hash-chained audit log.
\echo Use "CREATE EXTENSION agentauthz" to load this file. \quit

-- Roles are cluster-wide: create them once, keep them across DROP EXTENSION.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentauthz_admin') THEN
    CREATE ROLE agentauthz_admin NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentauthz_app') THEN
    CREATE ROLE agentauthz_app NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentauthz_auditor') THEN
    CREATE ROLE agentauthz_auditor NOLOGIN;
  END IF;
  IF NOT pg_has_role('agentauthz_admin', 'agentauthz_auditor', 'MEMBER') THEN
    GRANT agentauthz_auditor TO agentauthz_admin;
  END IF;
END
$roles$;

GRANT USAGE ON SCHEMA agentauthz TO PUBLIC;

-- Models -------------------------------------------------------------------

CREATE SEQUENCE agentauthz.models_id_seq;

CREATE TABLE agentauthz.models (
    id          bigint PRIMARY KEY DEFAULT nextval('agentauthz.models_id_seq'),
    dsl         text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  name NOT NULL DEFAULT current_user
);
ALTER SEQUENCE agentauthz.models_id_seq OWNED BY agentauthz.models.id;
COMMENT ON TABLE agentauthz.models IS
  'Authorization models in the OpenFGA DSL (schema 1.1); the newest row is the active model.';

-- Tuples -------------------------------------------------------------------

-- Keys compare bytewise (COLLATE "C"): ids are identifiers, not prose, and
-- the objects of one type form the index range ['type:', 'type;').
CREATE TABLE agentauthz.tuples (
    object      text COLLATE "C" NOT NULL,
    relation    text COLLATE "C" NOT NULL,
    subject     text COLLATE "C" NOT NULL,
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tuples_pkey PRIMARY KEY (object, relation, subject) INCLUDE (expires_at)
);
COMMENT ON TABLE agentauthz.tuples IS
  'Relationship tuples: subject has relation on object (until expires_at, when set).';

-- Every index carries expires_at, so lookups read index tuples alone when
-- the visibility map shows the heap page all-visible (as index-only scans do).
-- Reverse lookups (list_objects): which objects name this subject.
CREATE INDEX tuples_subject_idx ON agentauthz.tuples (subject, relation, object)
    INCLUDE (expires_at);
-- Userset subjects only (group:eng#member): check expands these without
-- reading every direct subject of a widely shared object.
CREATE INDEX tuples_usersets_idx ON agentauthz.tuples (object, relation, subject)
    INCLUDE (expires_at) WHERE strpos(subject, '#') > 0;

CREATE FUNCTION agentauthz.tuples_validate() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_tuples_validate';
CREATE FUNCTION agentauthz.tuples_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_tuples_changed';

CREATE TRIGGER tuples_validate BEFORE INSERT OR UPDATE ON agentauthz.tuples
    FOR EACH ROW EXECUTE FUNCTION agentauthz.tuples_validate();
CREATE TRIGGER tuples_changed AFTER INSERT OR UPDATE OR DELETE ON agentauthz.tuples
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.tuples_changed();
CREATE TRIGGER tuples_truncated AFTER TRUNCATE ON agentauthz.tuples
    FOR EACH STATEMENT EXECUTE FUNCTION agentauthz.tuples_changed();

-- pg_dump keeps the contents of these tables (models sort before tuples, so
-- a restore loads the model that validates the tuples first).
SELECT pg_catalog.pg_extension_config_dump('agentauthz.models', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.models_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.tuples', '');

-- Model functions ----------------------------------------------------------

CREATE FUNCTION agentauthz.write_model(dsl text) RETURNS bigint
    LANGUAGE c STRICT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_write_model';
COMMENT ON FUNCTION agentauthz.write_model(text) IS
  'Parses, validates and stores an OpenFGA DSL model, which becomes the active model; returns its id.';

CREATE FUNCTION agentauthz.read_model(model_id bigint DEFAULT NULL) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT m.dsl FROM agentauthz.models m
       WHERE model_id IS NULL OR m.id = model_id
       ORDER BY m.id DESC LIMIT 1
    $$;
COMMENT ON FUNCTION agentauthz.read_model(bigint) IS
  'Returns the DSL of a model (default: the active one), or NULL when there is none.';

-- Tuple functions ----------------------------------------------------------

CREATE FUNCTION agentauthz.write_tuple(object text, relation text, subject text,
                                       expires_at timestamptz DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_write_tuple';
COMMENT ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz) IS
  'Stores a tuple (idempotent; updates expires_at of an existing one); ERROR when the active model does not allow it.';

CREATE FUNCTION agentauthz.delete_tuple(object text, relation text, subject text) RETURNS boolean
    LANGUAGE c STRICT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_delete_tuple';
COMMENT ON FUNCTION agentauthz.delete_tuple(text, text, text) IS
  'Deletes a tuple; returns whether it existed.';

-- Queries --------------------------------------------------------------------

CREATE FUNCTION agentauthz.check(subject text, relation text, object text) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'agentauthz_check';
COMMENT ON FUNCTION agentauthz.check(text, text, text) IS
  'Whether subject has relation on object under the active model.';

CREATE FUNCTION agentauthz.check(subject text, relation text, object text,
                                 contextual_tuples jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'agentauthz_check';
COMMENT ON FUNCTION agentauthz.check(text, text, text, jsonb) IS
  'check() with extra tuples (a jsonb array of {object, relation, subject}) that hold for this call only.';

CREATE FUNCTION agentauthz.list_objects(subject text, relation text, object_type text)
    RETURNS SETOF text
    LANGUAGE c STRICT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_objects';
CREATE FUNCTION agentauthz.list_objects(subject text, relation text, object_type text,
                                        contextual_tuples jsonb)
    RETURNS SETOF text
    LANGUAGE c STRICT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_objects';

CREATE FUNCTION agentauthz.list_subjects(object text, relation text, subject_type text)
    RETURNS SETOF text
    LANGUAGE c STRICT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_subjects';
CREATE FUNCTION agentauthz.list_subjects(object text, relation text, subject_type text,
                                         contextual_tuples jsonb)
    RETURNS SETOF text
    LANGUAGE c STRICT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_subjects';

CREATE FUNCTION agentauthz.explain(subject text, relation text, object text) RETURNS jsonb
    LANGUAGE c STRICT STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'agentauthz_explain';
COMMENT ON FUNCTION agentauthz.explain(text, text, text) IS
  'The decision of check() and the path that grants it, or the branches that did not.';

-- Agents and delegations -------------------------------------------------------

-- Which PostgreSQL role an agent connects as. A role stands for one agent.
CREATE TABLE agentauthz.agents (
    agent       text COLLATE "C" NOT NULL,
    role_name   name NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  name NOT NULL DEFAULT current_user,
    CONSTRAINT agents_pkey PRIMARY KEY (role_name)
);
COMMENT ON TABLE agentauthz.agents IS
  'Agent subjects and the PostgreSQL login roles they connect as.';

CREATE SEQUENCE agentauthz.delegations_id_seq;

-- A person (principal) lets an agent act for them within scopes, for a
-- purpose, until an expiry; a child link narrows its parent. Only the
-- SHA-256 of a token's secret is kept.
CREATE TABLE agentauthz.delegations (
    id           bigint PRIMARY KEY DEFAULT nextval('agentauthz.delegations_id_seq'),
    -- No foreign key: pg_dump cannot order a self-referencing table's rows.
    -- Links are never deleted, and a chain whose parent is missing is invalid.
    parent_id    bigint,
    principal    text COLLATE "C" NOT NULL,
    agent        text COLLATE "C" NOT NULL,
    scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
    purpose      text NOT NULL CHECK (purpose <> ''),
    expires_at   timestamptz NOT NULL,
    depth        integer NOT NULL CHECK (depth >= 1),
    secret_hash  bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   name NOT NULL DEFAULT current_user,
    revoked_at   timestamptz,
    revoked_by   name
);
ALTER SEQUENCE agentauthz.delegations_id_seq OWNED BY agentauthz.delegations.id;
CREATE INDEX delegations_parent_idx ON agentauthz.delegations (parent_id);
COMMENT ON TABLE agentauthz.delegations IS
  'Delegations from principals to agents; each row a link of a chain (parent_id).';

SELECT pg_catalog.pg_extension_config_dump('agentauthz.agents', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.delegations', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.delegations_id_seq', '');

CREATE FUNCTION agentauthz.register_agent(agent text, role regrole) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_register_agent';
COMMENT ON FUNCTION agentauthz.register_agent(text, regrole) IS
  'Maps a PostgreSQL role to an agent subject (agent:name); the role then acts as that agent.';

CREATE FUNCTION agentauthz.delegate(principal text, agent text, scopes text[],
                                    expires_at timestamptz, purpose text) RETURNS text
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_delegate';
COMMENT ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text) IS
  'Lets an agent act for a principal within scopes (relation@object, relation@type:*), for a purpose, until expires_at; returns the bearer token, shown only once.';

CREATE FUNCTION agentauthz.subdelegate(agent text, scopes text[], expires_at timestamptz,
                                       purpose text) RETURNS text
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_subdelegate';
COMMENT ON FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text) IS
  'From the current delegation, lets another agent act within narrower scopes; its expiry is capped by the parent''s. Returns the sub-agent''s token.';

CREATE FUNCTION agentauthz.revoke_delegation(delegation_id bigint) RETURNS bigint
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_revoke_delegation';
COMMENT ON FUNCTION agentauthz.revoke_delegation(bigint) IS
  'Revokes a delegation and every link below it; returns how many links were revoked.';

CREATE FUNCTION agentauthz.act_for(token text, "local" boolean DEFAULT true) RETURNS jsonb
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_act_for';
COMMENT ON FUNCTION agentauthz.act_for(text, boolean) IS
  'Validates a delegation token for the current role''s agent and acts under it, for the transaction (local) or the session.';

CREATE FUNCTION agentauthz.set_subject(subject text, "local" boolean DEFAULT true) RETURNS jsonb
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_subject';
COMMENT ON FUNCTION agentauthz.set_subject(text, boolean) IS
  'For trusted application roles: acts as a subject, for the transaction (local) or the session.';

CREATE FUNCTION agentauthz.end_task() RETURNS void
    LANGUAGE c VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_end_task';
COMMENT ON FUNCTION agentauthz.end_task() IS 'Ends the current actor context.';

CREATE FUNCTION agentauthz.current_actor() RETURNS jsonb
    LANGUAGE c VOLATILE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_current_actor';
COMMENT ON FUNCTION agentauthz.current_actor() IS
  'Who this session acts as: nobody, a subject, an agent on its own, or an agent under a delegation chain.';

-- The actor-context check: what RLS policies call. It reads the session's
-- context, which parallel workers do not have: PARALLEL RESTRICTED keeps it
-- in the leader.
CREATE FUNCTION agentauthz.check(relation text, object text) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_check_actor';
COMMENT ON FUNCTION agentauthz.check(text, text) IS
  'Whether the current actor may have relation on object: the subject''s rights, or the principal''s rights within every scope of the delegation chain. False without an actor context.';

CREATE FUNCTION agentauthz.explain(relation text, object text) RETURNS jsonb
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_explain_actor';
COMMENT ON FUNCTION agentauthz.explain(text, text) IS
  'explain() for the current actor: the context, each delegation link and its scope, and the principal''s proof.';

-- Row-level security helpers ---------------------------------------------------

-- The typed forms of check(relation, object) that protect() generates: the
-- key column is passed as it is, and formatted in C.
CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id bigint) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_int8';
CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id integer) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_int4';
CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id uuid) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_uuid';
CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id text) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_text';
COMMENT ON FUNCTION agentauthz.check_id(text, text, bigint) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id.';

-- The objects of a type the current actor has a relation on, as key arrays:
-- `id = ANY ((SELECT agentauthz.allowed_bigint_ids(...)))` is computed once
-- per query and lets an index find the rows.
CREATE FUNCTION agentauthz.allowed_ids(relation text, object_type text) RETURNS text[]
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_allowed_ids_text';
CREATE FUNCTION agentauthz.allowed_bigint_ids(relation text, object_type text) RETURNS bigint[]
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_allowed_ids_int8';
CREATE FUNCTION agentauthz.allowed_uuid_ids(relation text, object_type text) RETURNS uuid[]
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_allowed_ids_uuid';
COMMENT ON FUNCTION agentauthz.allowed_ids(text, text) IS
  'The ids of the objects of a type the current actor has relation on.';

-- What protect() made, so that unprotect() removes exactly that.
CREATE TABLE agentauthz.protected_tables (
    tbl          regclass PRIMARY KEY,
    object_type  text NOT NULL,
    id_column    name NOT NULL,
    strategy     text NOT NULL,
    policies     name[] NOT NULL,
    enabled_rls  boolean NOT NULL,
    forced_rls   boolean NOT NULL,
    protected_at timestamptz NOT NULL DEFAULT now(),
    protected_by name NOT NULL DEFAULT current_user
);
SELECT pg_catalog.pg_extension_config_dump('agentauthz.protected_tables', '');

-- Returns the expression a policy uses to ask `relation` on the row's
-- object: a typed check per row, or an index-friendly membership test in
-- the allowed set computed once per query.
CREATE FUNCTION agentauthz._row_check(relation text, object_type text, key_column name,
                                      key_type regtype, strategy text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  set_function text;
  array_type text;
BEGIN
  IF strategy = 'row' THEN
    RETURN format('agentauthz.check_id(%L, %L, %I)', relation, object_type, key_column);
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
  -- A scalar subquery: an InitPlan, evaluated once per query.
  RETURN format('%I = ANY ((SELECT agentauthz.%I(%L, %L))::%s)', key_column, set_function, relation,
                object_type, array_type);
END
$$;

-- Drops the named policies of a table, where they still exist.
CREATE FUNCTION agentauthz._drop_policies(tbl regclass, policies name[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = tbl AND p.polname = ANY (policies) LOOP
    EXECUTE format('DROP POLICY %I ON %s', existing, tbl);
  END LOOP;
END
$$;

CREATE FUNCTION agentauthz.protect(
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
  IF strategy NOT IN ('row', 'set') THEN
    RAISE EXCEPTION 'unknown strategy "%"', strategy
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''row'' (a check per row) or ''set'' (ids computed once per query).';
  END IF;
  SELECT a.atttypid::regtype INTO key_type FROM pg_attribute a
   WHERE a.attrelid = tbl AND a.attname = id_column AND NOT a.attisdropped AND a.attnum > 0;
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
     WHERE a.attrelid = tbl AND a.attname = parent_column AND NOT a.attisdropped AND a.attnum > 0;
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

  -- Protecting again replaces what the last protect() made.
  SELECT * INTO previous FROM agentauthz.protected_tables p WHERE p.tbl = protect.tbl;
  IF FOUND THEN
    PERFORM agentauthz._drop_policies(tbl, previous.policies);
  END IF;
  SELECT c.relrowsecurity, c.relforcerowsecurity INTO rls_on, rls_forced FROM pg_class c WHERE c.oid = tbl;

  -- Restrictive policies: agentauthz narrows what other policies allow and
  -- never widens it.
  row_check := agentauthz._row_check(select_relation, object_type, id_column, key_type, strategy);
  EXECUTE format('CREATE POLICY agentauthz_select ON %s AS RESTRICTIVE FOR SELECT USING (%s)', tbl, row_check);
  IF parent_column IS NOT NULL THEN
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), parent_type,
                                          parent_column, parent_key_type, 'row');
  ELSE
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), object_type,
                                          id_column, key_type, 'row');
  END IF;
  EXECUTE format('CREATE POLICY agentauthz_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (%s)', tbl, insert_check);
  update_check := agentauthz._row_check(update_relation, object_type, id_column, key_type, 'row');
  EXECUTE format('CREATE POLICY agentauthz_update ON %s AS RESTRICTIVE FOR UPDATE USING (%s) WITH CHECK (%s)',
                 tbl, agentauthz._row_check(update_relation, object_type, id_column, key_type, strategy),
                 CASE WHEN parent_column IS NULL THEN update_check ELSE update_check || ' AND ' || insert_check END);
  EXECUTE format('CREATE POLICY agentauthz_delete ON %s AS RESTRICTIVE FOR DELETE USING (%s)', tbl,
                 agentauthz._row_check(delete_relation, object_type, id_column, key_type, strategy));
  made := ARRAY['agentauthz_select', 'agentauthz_insert', 'agentauthz_update', 'agentauthz_delete']::name[];
  -- Restrictive policies need a permissive one to pass anything: where the
  -- table has none for a command, add one that lets agentauthz decide.
  FOREACH cmd IN ARRAY ARRAY['select', 'insert', 'update', 'delete'] LOOP
    SELECT NOT EXISTS (
      SELECT FROM pg_policy p WHERE p.polrelid = tbl AND p.polpermissive
         AND p.polcmd IN ('*', CASE cmd WHEN 'select' THEN 'r' WHEN 'insert' THEN 'a'
                                        WHEN 'update' THEN 'w' ELSE 'd' END))
      INTO base_needed;
    IF base_needed THEN
      EXECUTE format('CREATE POLICY %I ON %s AS PERMISSIVE FOR %s %s', 'agentauthz_base_' || cmd, tbl, upper(cmd),
                     CASE cmd WHEN 'insert' THEN 'WITH CHECK (true)'
                              WHEN 'update' THEN 'USING (true) WITH CHECK (true)' ELSE 'USING (true)' END);
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

  INSERT INTO agentauthz.protected_tables AS p
      (tbl, object_type, id_column, strategy, policies, enabled_rls, forced_rls)
  VALUES (tbl, object_type, id_column, strategy, made,
          coalesce(previous.enabled_rls, NOT rls_on),
          force AND (coalesce(previous.forced_rls, false) OR NOT rls_forced))
  ON CONFLICT ON CONSTRAINT protected_tables_pkey DO UPDATE
    SET object_type = EXCLUDED.object_type, id_column = EXCLUDED.id_column, strategy = EXCLUDED.strategy,
        policies = EXCLUDED.policies, enabled_rls = EXCLUDED.enabled_rls, forced_rls = EXCLUDED.forced_rls,
        protected_at = now(), protected_by = current_user;
END
$$;
COMMENT ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean) IS
  'Enables row-level security on a table with policies that call the actor-context check: select/update/delete relations on the row''s object, inserts (and moves) checked on a parent column when given. Idempotent.';

CREATE FUNCTION agentauthz.unprotect(tbl regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  made agentauthz.protected_tables;
BEGIN
  SELECT * INTO made FROM agentauthz.protected_tables p WHERE p.tbl = unprotect.tbl;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM agentauthz._drop_policies(tbl, made.policies);
  IF made.forced_rls THEN
    EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', tbl);
  END IF;
  IF made.enabled_rls THEN
    EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
  END IF;
  DELETE FROM agentauthz.protected_tables p WHERE p.tbl = unprotect.tbl;
  RETURN true;
END
$$;
COMMENT ON FUNCTION agentauthz.unprotect(regclass) IS
  'Removes exactly what protect() made: its policies, and row-level security if protect() turned it on.';

CREATE FUNCTION agentauthz.create_agent_role(name text, agent text, password text DEFAULT NULL,
                                             tables regclass[] DEFAULT '{}') RETURNS regrole
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  t regclass;
BEGIN
  EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT%s',
                 name, CASE WHEN password IS NULL THEN '' ELSE format(' PASSWORD %L', password) END);
  PERFORM agentauthz.register_agent(agent, name::regrole);
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t, name);
  END LOOP;
  RETURN name::regrole;
END
$$;
COMMENT ON FUNCTION agentauthz.create_agent_role(text, text, text, regclass[]) IS
  'Creates a login role for an agent: no superuser, CREATEDB, CREATEROLE, replication or BYPASSRLS; registered as the agent; optionally granted DML on protected tables (rows stay filtered by row-level security).';

-- Tuples derived from application rows ----------------------------------------

CREATE TABLE agentauthz.synced_columns (
    tbl              regclass NOT NULL,
    object_type      text NOT NULL,
    id_column        name NOT NULL,
    relation         text NOT NULL,
    subject_type     text NOT NULL,
    subject_column   name NOT NULL,
    subject_relation text,
    trigger_name     name NOT NULL,
    CONSTRAINT synced_columns_pkey PRIMARY KEY (tbl, relation, subject_column)
);
SELECT pg_catalog.pg_extension_config_dump('agentauthz.synced_columns', '');

-- Keeps `object_type:<id> relation subject_type:<column>[#subject_relation]`
-- in step with a row. Runs with the extension owner's rights: whoever may
-- change the row changes its derived tuple, nothing else.
CREATE FUNCTION agentauthz._sync_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  object_type text := TG_ARGV[0];
  id_column text := TG_ARGV[1];
  synced_relation text := TG_ARGV[2];
  subject_type text := TG_ARGV[3];
  subject_column text := TG_ARGV[4];
  subject_relation text := nullif(TG_ARGV[5], '');
  old_object text;
  old_subject text;
  new_object text;
  new_subject text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    old_object := object_type || ':' || (to_jsonb(OLD) ->> id_column);
    old_subject := subject_type || ':' || (to_jsonb(OLD) ->> subject_column) || coalesce('#' || subject_relation, '');
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    new_object := object_type || ':' || (to_jsonb(NEW) ->> id_column);
    new_subject := subject_type || ':' || (to_jsonb(NEW) ->> subject_column) || coalesce('#' || subject_relation, '');
  END IF;
  IF old_object IS NOT DISTINCT FROM new_object AND old_subject IS NOT DISTINCT FROM new_subject THEN
    RETURN NULL;
  END IF;
  IF old_object IS NOT NULL AND old_subject IS NOT NULL THEN
    DELETE FROM agentauthz.tuples t
     WHERE t.object = old_object AND t.relation = synced_relation AND t.subject = old_subject;
  END IF;
  IF new_object IS NOT NULL AND new_subject IS NOT NULL THEN
    INSERT INTO agentauthz.tuples (object, relation, subject)
    VALUES (new_object, synced_relation, new_subject)
    ON CONFLICT (object, relation, subject) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION agentauthz._sync_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
  DELETE FROM agentauthz.tuples t
   WHERE t.object >= TG_ARGV[0] || ':' AND t.object < TG_ARGV[0] || ';'
     AND t.relation = TG_ARGV[2]
     AND t.subject >= TG_ARGV[3] || ':' AND t.subject < TG_ARGV[3] || ';'
     AND (nullif(TG_ARGV[5], '') IS NULL AND strpos(t.subject, '#') = 0
          OR t.subject LIKE '%#' || TG_ARGV[5]);
  RETURN NULL;
END
$$;

-- Drops the triggers sync_tuples() made, where they still exist.
CREATE FUNCTION agentauthz._drop_sync_triggers(tbl regclass, trigger_name name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  existing name;
BEGIN
  FOR existing IN SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = tbl
                     AND t.tgname IN (trigger_name, left(trigger_name || '_truncate', 63)) LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', existing, tbl);
  END LOOP;
END
$$;

CREATE FUNCTION agentauthz.sync_tuples(tbl regclass, object_type text, id_column name, relation text,
                                       subject_type text, subject_column name,
                                       subject_relation text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  trigger_name name := left('agentauthz_sync_' || relation || '_' || subject_column, 63);
  args text;
  written bigint;
BEGIN
  PERFORM 1 FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname IN (id_column, subject_column)
     AND NOT a.attisdropped AND a.attnum > 0 HAVING count(*) = CASE WHEN id_column = subject_column THEN 1 ELSE 2 END;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% has no column "%" or "%"', tbl, id_column, subject_column USING ERRCODE = 'undefined_column';
  END IF;
  args := format('%L, %L, %L, %L, %L, %L', object_type, id_column, relation, subject_type, subject_column,
                 coalesce(subject_relation, ''));
  PERFORM agentauthz._drop_sync_triggers(tbl, trigger_name);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF %I, %I OR DELETE ON %s FOR EACH ROW '
                 'EXECUTE FUNCTION agentauthz._sync_row(%s)', trigger_name, id_column, subject_column, tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                 'EXECUTE FUNCTION agentauthz._sync_truncate(%s)', left(trigger_name || '_truncate', 63), tbl, args);
  INSERT INTO agentauthz.synced_columns AS s VALUES (tbl, object_type, id_column, relation, subject_type,
                                                     subject_column, subject_relation, trigger_name)
  ON CONFLICT ON CONSTRAINT synced_columns_pkey DO UPDATE
    SET object_type = EXCLUDED.object_type, id_column = EXCLUDED.id_column,
        subject_type = EXCLUDED.subject_type, subject_relation = EXCLUDED.subject_relation;
  -- Tuples for the rows already there.
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

CREATE FUNCTION agentauthz.unsync_tuples(tbl regclass, relation text, subject_column name) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  synced agentauthz.synced_columns;
BEGIN
  DELETE FROM agentauthz.synced_columns s
   WHERE s.tbl = unsync_tuples.tbl AND s.relation = unsync_tuples.relation
     AND s.subject_column = unsync_tuples.subject_column
  RETURNING * INTO synced;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM agentauthz._drop_sync_triggers(tbl, synced.trigger_name);
  RETURN true;
END
$$;
COMMENT ON FUNCTION agentauthz.unsync_tuples(regclass, text, name) IS
  'Stops keeping a column''s tuples in step (the tuples already written stay).';

-- Audit ---------------------------------------------------------------------

-- What the actor context decided, row after row of one hash chain: each
-- row_hash is SHA-256(prev_hash || the row's canonical bytes), so an edited,
-- inserted or deleted row breaks it (verify_audit). Written only by the
-- extension: its writer (a background worker) or, without the preloaded
-- library, the deciding transaction at commit.
CREATE TABLE agentauthz.audit_log (
    id                bigint PRIMARY KEY,
    logged_at         timestamptz NOT NULL,
    kind              text NOT NULL,   -- check, summary, listing, dropped, purged
    db_role           name,
    backend_pid       integer,
    actor             text COLLATE "C",
    principal         text COLLATE "C",
    delegation_chain  bigint[],
    purpose           text,
    query_id          bigint,
    query_hash        text,
    relation          text COLLATE "C",
    object_type       text COLLATE "C",
    object_id         text COLLATE "C",
    decision          text,            -- check rows: allowed or denied
    allowed_count     bigint NOT NULL DEFAULT 0,
    denied_count      bigint NOT NULL DEFAULT 0,
    allowed_sample    text[],
    denied_sample     text[],
    detail            text,
    prev_hash         bytea NOT NULL,
    row_hash          bytea NOT NULL
);
-- Rows arrive in time order, roughly: a BRIN index finds a period for almost
-- nothing per row written.
CREATE INDEX audit_log_logged_at_idx ON agentauthz.audit_log USING brin (logged_at);
COMMENT ON TABLE agentauthz.audit_log IS
  'Hash-chained record of the actor context''s decisions (agentauthz.audit sets the level); verify with verify_audit().';

-- The chain's ends: rows up to anchor_id were purged (anchor_hash is the
-- last purged row's hash); last_id/last_hash is the newest row. Writers
-- lock this row, so they take turns.
CREATE TABLE agentauthz.audit_chain (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    anchor_id    bigint NOT NULL DEFAULT 0,
    anchor_hash  bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000',
    last_id      bigint NOT NULL DEFAULT 0,
    last_hash    bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000'
);
COMMENT ON TABLE agentauthz.audit_chain IS
  'The audit chain''s anchor (after purges) and head; export last_hash to detect a rewritten chain.';

SELECT pg_catalog.pg_extension_config_dump('agentauthz.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.audit_chain', '');

CREATE FUNCTION agentauthz.verify_audit(OUT ok boolean, OUT rows_checked bigint,
                                        OUT first_bad_id bigint, OUT detail text)
    LANGUAGE c STRICT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_verify_audit';
COMMENT ON FUNCTION agentauthz.verify_audit() IS
  'Recomputes the audit log''s hash chain; reports the first edited, inserted or deleted row.';

CREATE FUNCTION agentauthz.purge_audit(before timestamptz) RETURNS bigint
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_purge_audit';
COMMENT ON FUNCTION agentauthz.purge_audit(timestamptz) IS
  'Removes the audit rows logged before a time, after verifying them; the chain stays verifiable from its new anchor.';

CREATE FUNCTION agentauthz.audit_flush(timeout_ms integer DEFAULT 10000) RETURNS boolean
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_audit_flush';
COMMENT ON FUNCTION agentauthz.audit_flush(integer) IS
  'Hands over this session''s audit records and waits until the writer has stored them; false after the timeout.';

CREATE FUNCTION agentauthz.audit_stats(OUT database text, OUT writer_pid integer,
                                       OUT queued_bytes bigint, OUT capacity_bytes bigint,
                                       OUT enqueued bigint, OUT written bigint, OUT dropped bigint)
    RETURNS SETOF record
    LANGUAGE c STRICT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_audit_stats';
COMMENT ON FUNCTION agentauthz.audit_stats() IS
  'The shared audit queues since the server started: per database, records queued, written and dropped.';

CREATE FUNCTION agentauthz.set_audit_level(level text, role regrole DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql CALLED ON NULL INPUT VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
  IF level IS NULL OR level NOT IN ('off', 'denied', 'summary', 'all', 'default') THEN
    RAISE EXCEPTION 'invalid audit level: %', coalesce(quote_literal(level), 'NULL')
      USING ERRCODE = '22023', HINT = 'Use off, denied, summary, all, or default to remove the setting.';
  END IF;
  EXECUTE format('ALTER %s %s',
                 CASE WHEN role IS NULL THEN format('DATABASE %I', current_database())
                      ELSE format('ROLE %s IN DATABASE %I', role, current_database()) END,
                 CASE WHEN level = 'default' THEN 'RESET agentauthz.audit'
                      ELSE format('SET agentauthz.audit = %L', level) END);
END
$$;
COMMENT ON FUNCTION agentauthz.set_audit_level(text, regrole) IS
  'Sets agentauthz.audit for this database, or for one role in it; sessions that start afterwards use it.';

-- One row per decision known by object: every check row, and the sampled
-- ids of summary and listing rows (complete = false: a sample).
CREATE VIEW agentauthz.audit_decisions AS
  SELECT l.id AS log_id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[cardinality(l.delegation_chain)] AS delegation_id, l.purpose, l.db_role,
         l.kind, l.relation, l.object_type, l.object_id, l.decision, true AS complete
    FROM agentauthz.audit_log l
   WHERE l.kind = 'check'
  UNION ALL
  SELECT l.id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[cardinality(l.delegation_chain)], l.purpose, l.db_role,
         l.kind, l.relation, l.object_type, s.id, 'allowed', false
    FROM agentauthz.audit_log l CROSS JOIN LATERAL unnest(l.allowed_sample) AS s(id)
   WHERE l.kind IN ('summary', 'listing')
  UNION ALL
  SELECT l.id, l.logged_at, l.actor, l.principal,
         l.delegation_chain[cardinality(l.delegation_chain)], l.purpose, l.db_role,
         l.kind, l.relation, l.object_type, s.id, 'denied', false
    FROM agentauthz.audit_log l CROSS JOIN LATERAL unnest(l.denied_sample) AS s(id)
   WHERE l.kind = 'summary';
COMMENT ON VIEW agentauthz.audit_decisions IS
  'Decisions by object: check rows in full, summary and listing rows by their sampled ids (complete = false).';

-- Per agent, principal and delegation, per day: how much was allowed and
-- refused, in how many statements.
CREATE VIEW agentauthz.audit_by_delegation AS
  SELECT l.actor, l.principal,
         l.delegation_chain[cardinality(l.delegation_chain)] AS delegation_id, l.purpose,
         date_trunc('day', l.logged_at) AS day,
         count(DISTINCT (l.backend_pid, l.logged_at)) AS statements,
         sum(CASE WHEN l.kind = 'check' THEN (l.decision = 'allowed')::int ELSE l.allowed_count END) AS allowed,
         sum(CASE WHEN l.kind = 'check' THEN (l.decision = 'denied')::int ELSE l.denied_count END) AS denied,
         min(l.logged_at) AS first_seen, max(l.logged_at) AS last_seen
    FROM agentauthz.audit_log l
   WHERE l.kind IN ('check', 'summary')
   GROUP BY 1, 2, 3, 4, 5;
COMMENT ON VIEW agentauthz.audit_by_delegation IS
  'Allowed and denied decisions per agent, principal, delegation and day.';

-- Privileges -----------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA agentauthz FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA agentauthz FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA agentauthz FROM PUBLIC;

GRANT SELECT, INSERT ON agentauthz.models TO agentauthz_admin;
GRANT USAGE ON SEQUENCE agentauthz.models_id_seq TO agentauthz_admin;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON agentauthz.tuples TO agentauthz_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON agentauthz.tuples TO agentauthz_app;
GRANT SELECT ON agentauthz.models TO agentauthz_app;

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
GRANT SELECT, INSERT, DELETE ON agentauthz.agents TO agentauthz_admin;
GRANT SELECT ON agentauthz.agents TO agentauthz_app;
GRANT SELECT, INSERT, UPDATE ON agentauthz.delegations TO agentauthz_admin, agentauthz_app;
GRANT USAGE ON SEQUENCE agentauthz.delegations_id_seq TO agentauthz_admin, agentauthz_app;
GRANT EXECUTE ON FUNCTION agentauthz.register_agent(text, regrole) TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text),
                          agentauthz.revoke_delegation(bigint),
                          agentauthz.set_subject(text, boolean)
    TO agentauthz_admin, agentauthz_app;
GRANT EXECUTE ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean),
                          agentauthz.unprotect(regclass),
                          agentauthz.create_agent_role(text, text, text, regclass[]),
                          agentauthz.sync_tuples(regclass, text, name, text, text, name, text),
                          agentauthz.unsync_tuples(regclass, text, name),
                          agentauthz._row_check(text, text, name, regtype, text),
                          agentauthz._drop_policies(regclass, name[]),
                          agentauthz._drop_sync_triggers(regclass, name)
    TO agentauthz_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON agentauthz.protected_tables, agentauthz.synced_columns
    TO agentauthz_admin;
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
                          agentauthz.allowed_ids(text, text),
                          agentauthz.allowed_bigint_ids(text, text),
                          agentauthz.allowed_uuid_ids(text, text),
                          agentauthz._sync_row(),
                          agentauthz._sync_truncate()
    TO PUBLIC;
-- The audit log: auditors (and admins, who are auditors) read it; nobody
-- writes it but the extension; agents see none of it.
GRANT SELECT ON agentauthz.audit_log, agentauthz.audit_chain, agentauthz.audit_decisions,
                agentauthz.audit_by_delegation
    TO agentauthz_auditor;
GRANT EXECUTE ON FUNCTION agentauthz.verify_audit(), agentauthz.audit_stats() TO agentauthz_auditor;
GRANT EXECUTE ON FUNCTION agentauthz.purge_audit(timestamptz),
                          agentauthz.set_audit_level(text, regrole)
    TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.audit_flush(integer) TO PUBLIC;
-- Trigger functions run as whoever writes tuples.
GRANT EXECUTE ON FUNCTION agentauthz.tuples_validate(), agentauthz.tuples_changed()
    TO agentauthz_admin, agentauthz_app;
