-- agentauthz 0.3: models, tuples, check, list and explain; agents,
-- delegations and the actor context; row-level security helpers; the
-- hash-chained audit log. Privileged code runs with the extension owner's
-- rights only inside its C functions, in security-restricted operations
-- with a pinned search_path; roles reach the tables only through the
-- functions (except what the README's security model lists).
\echo Use "CREATE EXTENSION agentauthz" to load this file. \quit

-- The schema holds functions that run with the owner's rights: whoever
-- owns it could replace them. It must be the installing role's own.
DO $schema$
BEGIN
  IF (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'agentauthz')
     OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
    RAISE EXCEPTION 'schema agentauthz belongs to another role'
      USING ERRCODE = '42501', HINT = 'Drop it, or let its owner install the extension.';
  END IF;
END
$schema$;

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
    -- A chain whose parent is missing is invalid. Links are deleted only by
    -- purge_delegations(), once ended, whole subtrees at a time.
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
  'Delegations from principals to agents; each row a link of a chain (parent_id). Links that ended are removed by purge_delegations(), whole subtrees at a time.';

SELECT pg_catalog.pg_extension_config_dump('agentauthz.agents', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.delegations', '');
SELECT pg_catalog.pg_extension_config_dump('agentauthz.delegations_id_seq', '');

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

CREATE FUNCTION agentauthz.register_agent(agent text, role regrole) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_register_agent';
COMMENT ON FUNCTION agentauthz.register_agent(text, regrole) IS
  'Maps a PostgreSQL role to an agent subject (agent:name); the role then acts as that agent. Refuses privileged roles and roles mapped to another agent; the same mapping again changes nothing.';

CREATE FUNCTION agentauthz.unregister_agent(role regrole) RETURNS boolean
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_unregister_agent';
COMMENT ON FUNCTION agentauthz.unregister_agent(regrole) IS
  'Removes a role''s agent mapping (its sessions act for the agent no more); returns whether there was one.';

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

-- Links that ended go after a retention period (agentauthz.delegation_retention,
-- the default cut-off): the links under one delegation count against
-- agentauthz.max_delegation_tree_links until then.
CREATE FUNCTION agentauthz.purge_delegations(ended_before timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_purge_delegations';
COMMENT ON FUNCTION agentauthz.purge_delegations(timestamptz) IS
  'Removes the delegation links that expired or were revoked before ended_before (default: now less agentauthz.delegation_retention), whole subtrees only; returns how many.';

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
  'Whether the current actor may have relation on object: the subject''s rights, or the principal''s rights within every scope of the delegation chain. False without an actor context, and for an object that names nothing the model defines.';

CREATE FUNCTION agentauthz.explain(relation text, object text) RETURNS jsonb
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'agentauthz_explain_actor';
COMMENT ON FUNCTION agentauthz.explain(text, text) IS
  'explain() for the current actor: the context and the decision; the subject''s proof for a subject an application set, the decision only for an agent.';

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
    protected_by name NOT NULL DEFAULT current_user,
    -- the column inserts and moves are checked on (protect's parent_column)
    parent_column name
);
SELECT pg_catalog.pg_extension_config_dump('agentauthz.protected_tables', '');

-- Returns the expression a policy uses to ask `relation` on the row's
-- object: a typed check per row (`row`), the same for a row being written
-- (`write`: a key that cannot name an object is an error), or an
-- index-friendly membership test in the allowed set computed once per
-- query (`set`).
CREATE FUNCTION agentauthz._row_check(relation text, object_type text, key_column name,
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

-- Drops the named policies of a table, where they still exist -- only
-- names protect() gives its policies, never another policy of the table
-- (DROP POLICY itself needs the table's owner).
CREATE FUNCTION agentauthz._drop_policies(tbl regclass, policies name[]) RETURNS void
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

CREATE FUNCTION agentauthz.unprotect(tbl regclass) RETURNS boolean
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

CREATE FUNCTION agentauthz.create_agent_role(name text, agent text, password text DEFAULT NULL,
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
-- in step with a row (AFTER each row), and deletes a relation's tuples when
-- the table is truncated. They write tuples with the extension owner's
-- rights, so whoever may change a row changes its derived tuple -- and only
-- that: each firing is checked against what sync_tuples() registered for
-- the table and trigger, and reads only the registered columns (integer,
-- uuid or text), calling nothing a user can define. Only admins may attach
-- them (EXECUTE is checked when a trigger is made).
CREATE FUNCTION agentauthz._sync_row() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'agentauthz_sync_row';
CREATE FUNCTION agentauthz._sync_truncate() RETURNS trigger
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

CREATE FUNCTION agentauthz.sync_tuples(tbl regclass, object_type text, id_column name, relation text,
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
COMMENT ON FUNCTION agentauthz.sync_tuples(regclass, text, name, text, text, name, text) IS
  'Keeps tuples object_type:<id_column> relation subject_type:<subject_column> in step with a table (insert, update, delete, truncate) and writes them for existing rows; returns how many were written.';

CREATE FUNCTION agentauthz.unsync_tuples(tbl regclass, relation text, subject_column name) RETURNS boolean
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

-- Settings an admin stores for the database or one role in it. Both are
-- superuser-only settings (no session can lower its own); the functions
-- run the ALTER with the extension owner's rights.
CREATE FUNCTION agentauthz.set_audit_level(level text, role regrole DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_audit_level';
COMMENT ON FUNCTION agentauthz.set_audit_level(text, regrole) IS
  'Sets agentauthz.audit for this database, or for one role in it; sessions that start afterwards use it.';

CREATE FUNCTION agentauthz.set_session_contexts(allowed boolean, role regrole DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_session_contexts';
COMMENT ON FUNCTION agentauthz.set_session_contexts(boolean, regrole) IS
  'Sets agentauthz.session_contexts for this database, or for one role in it (NULL removes the setting): off for roles that connect through a transaction pool, whose contexts must last one transaction.';

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
GRANT EXECUTE ON FUNCTION agentauthz.register_agent(text, regrole), agentauthz.unregister_agent(regrole)
    TO agentauthz_admin;
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
                          agentauthz._sync_trigger_name(text, name),
                          agentauthz._trigger_args(bytea),
                          agentauthz._sync_triggers(regclass, text, name),
                          agentauthz._drop_sync_triggers(regclass, text, name),
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
                          agentauthz.purge_delegations(timestamptz),
                          agentauthz.set_audit_level(text, regrole),
                          agentauthz.set_session_contexts(boolean, regrole)
    TO agentauthz_admin;
GRANT EXECUTE ON FUNCTION agentauthz.audit_flush(integer) TO PUBLIC;
-- Trigger functions: nobody needs EXECUTE on them (PostgreSQL checks it
-- only when a trigger is made), and each refuses to fire on another table.
