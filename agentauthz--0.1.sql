-- agentauthz 0.1: models, tuples, check, list and explain.
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
-- What any role, agents included, may call: the context functions check who
-- calls them, and read the extension's tables themselves.
GRANT EXECUTE ON FUNCTION agentauthz.act_for(text, boolean),
                          agentauthz.subdelegate(text, text[], timestamptz, text),
                          agentauthz.end_task(),
                          agentauthz.current_actor(),
                          agentauthz.check(text, text),
                          agentauthz.explain(text, text)
    TO PUBLIC;
-- Trigger functions run as whoever writes tuples.
GRANT EXECUTE ON FUNCTION agentauthz.tuples_validate(), agentauthz.tuples_changed()
    TO agentauthz_admin, agentauthz_app;
