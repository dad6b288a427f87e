-- agentauthz 0.4 -> 0.5: conditions (OpenFGA's ABAC). There is no
-- agentauthz--0.5.sql: CREATE EXTENSION installs 0.3 and applies the
-- 0.3 -> 0.4 and 0.4 -> 0.5 scripts, so a fresh install and an updated one
-- run the same statements.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.5'" to load this file. \quit

-- Tuples with conditions -----------------------------------------------------------

-- A tuple may carry a condition the model declares, with the values of
-- some of its parameters (a JSON object); the same key holds one condition.
-- The trigger validates both against the active model; the constraint keeps
-- the shape the readers rely on whatever bypasses the trigger.
ALTER TABLE agentauthz.tuples
    ADD COLUMN condition_name text COLLATE "C",
    ADD COLUMN condition_context jsonb,
    ADD CONSTRAINT tuples_condition_check CHECK (
      (condition_name IS NULL AND condition_context IS NULL) OR
      (condition_name IS NOT NULL AND condition_name OPERATOR(pg_catalog.<>) '' AND
       (condition_context IS NULL OR
        pg_catalog.jsonb_typeof(condition_context) OPERATOR(pg_catalog.=) 'object')));
COMMENT ON TABLE agentauthz.tuples IS
  'Relationship tuples: subject has relation on object (until expires_at, when set; when condition_name is set, only where that condition of the model holds, with condition_context''s parameter values).';

-- Every index carries condition_name next to expires_at: a lookup reading
-- index tuples alone knows whether a tuple is conditional, and fetches the
-- heap tuple (for its context) only for one that is.
ALTER TABLE agentauthz.tuples
    DROP CONSTRAINT tuples_pkey,
    ADD CONSTRAINT tuples_pkey PRIMARY KEY (object, relation, subject)
        INCLUDE (expires_at, condition_name);
DROP INDEX agentauthz.tuples_subject_idx;
CREATE INDEX tuples_subject_idx ON agentauthz.tuples (subject, relation, object)
    INCLUDE (expires_at, condition_name);
DROP INDEX agentauthz.tuples_usersets_idx;
CREATE INDEX tuples_usersets_idx ON agentauthz.tuples (object, relation, subject)
    INCLUDE (expires_at, condition_name) WHERE strpos(subject, '#') > 0;

COMMENT ON FUNCTION agentauthz.tuples_validate() IS
  'Trigger function, BEFORE INSERT OR UPDATE of each row of agentauthz.tuples: refuses a tuple the active model does not allow, with its condition (declared, allowed by the relation''s type restriction, its context''s keys declared parameters of the declared types), however it arrives (write_tuple, INSERT, COPY). Nobody calls it; it fires on that table only.';

DROP FUNCTION agentauthz.write_tuple(text, text, text, timestamptz);
CREATE FUNCTION agentauthz.write_tuple(object text, relation text, subject text,
                                       expires_at timestamptz DEFAULT NULL,
                                       condition_name text DEFAULT NULL,
                                       condition_context jsonb DEFAULT NULL) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_write_tuple';
COMMENT ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz, text, jsonb) IS
  'Stores a tuple, with a condition and the values of some of its parameters when given, or gives the one stored the new expires_at and condition (idempotent: the same key holds one condition); an error when the active model does not allow it. For agentauthz_admin and agentauthz_app.';
REVOKE ALL ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz, text, jsonb)
    TO agentauthz_admin, agentauthz_app;

-- Delegation and session context ---------------------------------------------------

-- The condition values a delegation's issuer pins (a sub-delegation adds
-- parameters, never changes its ancestors'): a JSON object, or NULL.
-- delegate() and subdelegate() bound its size; pg_dump keeps it with the row.
ALTER TABLE agentauthz.delegations ADD COLUMN context jsonb
    CONSTRAINT delegations_context_check CHECK (context IS NULL OR pg_catalog.jsonb_typeof(context) = 'object');

DROP FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text);
CREATE FUNCTION agentauthz.delegate(principal text, agent text, scopes text[],
                                    expires_at timestamptz, purpose text,
                                    context jsonb DEFAULT NULL) RETURNS text
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_delegate';
COMMENT ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text, jsonb) IS
  'Lets an agent act for a principal (one subject, type:id) within scopes (relation@object, relation@type:*), for a purpose, until expires_at, with the condition values in context (a JSON object of at most 8192 bytes, or NULL) pinned for it; returns the bearer token, shown only once (only a hash of its secret is stored). For agentauthz_admin and agentauthz_app.';
REVOKE ALL ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text, jsonb)
    TO agentauthz_admin, agentauthz_app;

DROP FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text);
CREATE FUNCTION agentauthz.subdelegate(agent text, scopes text[], expires_at timestamptz,
                                       purpose text, context jsonb DEFAULT NULL) RETURNS text
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_subdelegate';
COMMENT ON FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text, jsonb) IS
  'Hands part of the current delegation on to another agent: the new link''s scopes hold only together with every ancestor''s, its expiry is capped by its parent''s, its context may add condition parameters but not repeat one an ancestor pins, whatever the value (22023), and it returns the new token. Any role acting under a valid delegation (act_for) may call it, within agentauthz.max_delegation_depth and agentauthz.max_delegation_tree_links.';
REVOKE ALL ON FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.set_context(context jsonb, "local" boolean DEFAULT true) RETURNS void
    LANGUAGE c CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'agentauthz_set_context';
COMMENT ON FUNCTION agentauthz.set_context(jsonb, boolean) IS
  'Supplies condition values (a JSON object of at most 8192 bytes; NULL clears them) for the actor-context checks of the current role, for the transaction (local) or the session; undone when its transaction rolls back, ended by end_task() and DISCARD ALL. For members of agentauthz_app or agentauthz_admin.';
REVOKE ALL ON FUNCTION agentauthz.set_context(jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.set_context(jsonb, boolean) TO agentauthz_admin, agentauthz_app;

COMMENT ON FUNCTION agentauthz.end_task() IS
  'Ends the actor context act_for() or set_subject() set (a registered agent''s role then acts as its own agent) and the condition values set_context() set. Any role may call it.';
COMMENT ON FUNCTION agentauthz.current_actor() IS
  'Who this session acts as, as jsonb: nobody, a subject, an agent on its own, or an agent under a delegation chain, with whether that holds now, the condition values its delegations and set_context() pin (an agent is shown their names only) and where audit records go. Any role may call it.';

-- Requests with a context ----------------------------------------------------------
-- check, list_objects, list_subjects and explain take contextual tuples and
-- a context (condition parameter values) as named arguments. One function
-- with defaults replaces each pair: an overload beside it would make calls
-- ambiguous.
DROP FUNCTION agentauthz.check(text, text, text, jsonb);
DROP FUNCTION agentauthz.check(text, text, text);
CREATE FUNCTION agentauthz.check(subject text, relation text, object text,
                                 contextual_tuples jsonb DEFAULT NULL, context jsonb DEFAULT NULL)
    RETURNS boolean
    LANGUAGE c CALLED ON NULL INPUT STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'agentauthz_check';
COMMENT ON FUNCTION agentauthz.check(text, text, text, jsonb, jsonb) IS
  'Whether subject has relation on object under the active model, with OpenFGA''s semantics: contextual_tuples (a jsonb array of {object, relation, subject[, condition: {name, context}]}) hold for this call only, context gives conditions'' parameters (a tuple''s own context wins); a condition that cannot be evaluated and decides is an error (22023). NULL for a NULL subject, relation or object. For agentauthz_admin and agentauthz_app (agents call check(relation, object)).';

DROP FUNCTION agentauthz.list_objects(text, text, text, jsonb);
DROP FUNCTION agentauthz.list_objects(text, text, text);
CREATE FUNCTION agentauthz.list_objects(subject text, relation text, object_type text,
                                        contextual_tuples jsonb DEFAULT NULL, context jsonb DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE c CALLED ON NULL INPUT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_objects';
COMMENT ON FUNCTION agentauthz.list_objects(text, text, text, jsonb, jsonb) IS
  'The objects of object_type (type:id, sorted) on which subject has relation under the active model, with check()''s contextual_tuples and context; an error when a condition met on the way cannot be evaluated. For agentauthz_admin and agentauthz_app.';

DROP FUNCTION agentauthz.list_subjects(text, text, text, jsonb);
DROP FUNCTION agentauthz.list_subjects(text, text, text);
CREATE FUNCTION agentauthz.list_subjects(object text, relation text, subject_type text,
                                         contextual_tuples jsonb DEFAULT NULL, context jsonb DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE c CALLED ON NULL INPUT STABLE PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'agentauthz_list_subjects';
COMMENT ON FUNCTION agentauthz.list_subjects(text, text, text, jsonb, jsonb) IS
  'The subjects of subject_type (a type, or type#relation for usersets; type:* where a wildcard grants it) that have relation on object, sorted, with check()''s contextual_tuples and context. For agentauthz_admin and agentauthz_app.';

DROP FUNCTION agentauthz.explain(text, text, text);
CREATE FUNCTION agentauthz.explain(subject text, relation text, object text,
                                   contextual_tuples jsonb DEFAULT NULL, context jsonb DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE c CALLED ON NULL INPUT STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'agentauthz_explain';
COMMENT ON FUNCTION agentauthz.explain(text, text, text, jsonb, jsonb) IS
  'The decision of check(subject, relation, object, contextual_tuples, context) as jsonb, with the path of tuples that grants it or the branches that did not, and each condition evaluated with the values it used. For agentauthz_admin and agentauthz_app.';

-- New functions are executable by PUBLIC unless revoked: these are not.
REVOKE ALL ON FUNCTION agentauthz.check(text, text, text, jsonb, jsonb),
                       agentauthz.list_objects(text, text, text, jsonb, jsonb),
                       agentauthz.list_subjects(text, text, text, jsonb, jsonb),
                       agentauthz.explain(text, text, text, jsonb, jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.check(text, text, text, jsonb, jsonb),
                          agentauthz.list_objects(text, text, text, jsonb, jsonb),
                          agentauthz.list_subjects(text, text, text, jsonb, jsonb),
                          agentauthz.explain(text, text, text, jsonb, jsonb)
    TO agentauthz_admin, agentauthz_app;

-- Row columns as condition parameters --------------------------------------------
-- The typed checks protect()'s policies call, with the row's context_columns
-- as a jsonb object. Called directly they only answer a question: data is
-- reached through the policies, which pass the row's own values.

CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id bigint, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_int8';
COMMENT ON FUNCTION agentauthz.check_id(text, text, bigint, jsonb) IS
  'check_id() with the rows values as condition parameters (protect()s context_columns); a parameter the actors delegations or set_context pin with another value is an error (22023). Any role may call it, as protect()s row policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_id(text, text, bigint, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id integer, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_int4';
COMMENT ON FUNCTION agentauthz.check_id(text, text, integer, jsonb) IS
  'check_id() with the rows values as condition parameters (protect()s context_columns); a parameter the actors delegations or set_context pin with another value is an error (22023). Any role may call it, as protect()s row policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_id(text, text, integer, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id uuid, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_uuid';
COMMENT ON FUNCTION agentauthz.check_id(text, text, uuid, jsonb) IS
  'check_id() with the rows values as condition parameters (protect()s context_columns); a parameter the actors delegations or set_context pin with another value is an error (22023). Any role may call it, as protect()s row policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_id(text, text, uuid, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_id(relation text, object_type text, id text, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_id_text';
COMMENT ON FUNCTION agentauthz.check_id(text, text, text, jsonb) IS
  'check_id() with the rows values as condition parameters (protect()s context_columns); a parameter the actors delegations or set_context pin with another value is an error (22023). Any role may call it, as protect()s row policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_id(text, text, text, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id bigint, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_int8';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, bigint, jsonb) IS
  'check_new_id() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s write policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_id(text, text, bigint, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id integer, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_int4';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, integer, jsonb) IS
  'check_new_id() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s write policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_id(text, text, integer, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id uuid, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_uuid';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, uuid, jsonb) IS
  'check_new_id() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s write policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_id(text, text, uuid, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_id(relation text, object_type text, id text, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_id_text';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, text, jsonb) IS
  'check_new_id() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s write policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_id(text, text, text, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id bigint, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_int8';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, bigint, jsonb) IS
  'check_new_object() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s insert policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_object(text, text, bigint, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id integer, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_int4';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, integer, jsonb) IS
  'check_new_object() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s insert policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_object(text, text, integer, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id uuid, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_uuid';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, uuid, jsonb) IS
  'check_new_object() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s insert policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_object(text, text, uuid, jsonb) TO PUBLIC;

CREATE FUNCTION agentauthz.check_new_object(relation text, object_type text, id text, context jsonb) RETURNS boolean
    LANGUAGE c STRICT STABLE PARALLEL RESTRICTED AS 'MODULE_PATHNAME', 'agentauthz_check_new_object_text';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, text, jsonb) IS
  'check_new_object() with the new rows values as condition parameters (protect()s context_columns). Any role may call it, as protect()s insert policies do.';
GRANT EXECUTE ON FUNCTION agentauthz.check_new_object(text, text, text, jsonb) TO PUBLIC;

-- protect() gains context_columns: the policy expressions pass the named
-- columns of the row (the new row in WITH CHECK) as condition parameters.
DROP FUNCTION agentauthz._row_check(text, text, name, regtype, text);
-- Returns the expression a policy uses to ask `relation` on the row's
-- object: a typed check per row (`row`), the same for a row being written
-- (`write`: a key that cannot name an object is an error), or an
-- index-friendly membership test in the allowed set computed once per
-- query (`set`); context_expr, when given, builds the row's condition
-- parameters.
CREATE FUNCTION agentauthz._row_check(relation text, object_type text, key_column name,
                                      key_type regtype, strategy text,
                                      context_expr text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
  set_function text;
  array_type text;
  key text := agentauthz._key(key_column, key_type);
BEGIN
  IF strategy = 'row' THEN
    RETURN format('agentauthz.check_id(%L, %L, %s%s)', relation, object_type, key,
                  coalesce(', ' || context_expr, ''));
  ELSIF strategy = 'write' THEN
    RETURN format('agentauthz.check_new_id(%L, %L, %s%s)', relation, object_type, key,
                  coalesce(', ' || context_expr, ''));
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
COMMENT ON FUNCTION agentauthz._row_check(text, text, name, regtype, text, text) IS
  'Internal to protect(): the policy expression asking relation on a row''s object, a typed check_id per row (row), check_new_id (write) or a test against the allowed ids listed once per query (set), passing the row''s context columns when given. EXECUTE for agentauthz_admin, as protect() runs as its caller.';
REVOKE ALL ON FUNCTION agentauthz._row_check(text, text, name, regtype, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz._row_check(text, text, name, regtype, text, text) TO agentauthz_admin;

DROP FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean);
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
    force boolean DEFAULT false,
    context_columns name[] DEFAULT NULL) RETURNS void
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
  context_expr text;
  context_column name;
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
  -- Row columns passed as condition parameters: a check per row, on the
  -- row's own values (the new row's in WITH CHECK).
  IF context_columns IS NOT NULL AND cardinality(context_columns) > 0 THEN
    IF strategy = 'set' THEN
      RAISE EXCEPTION 'strategy "set" cannot pass context_columns'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'A set is listed once per query; conditions on a row''s columns need strategy ''row''.';
    END IF;
    IF array_position(context_columns, NULL) IS NOT NULL THEN
      RAISE EXCEPTION 'context_columns must not contain NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOREACH context_column IN ARRAY context_columns LOOP
      IF NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) tbl
                        AND a.attname OPERATOR(pg_catalog.=) context_column
                        AND NOT a.attisdropped AND a.attnum OPERATOR(pg_catalog.>) 0) THEN
        RAISE EXCEPTION 'column "%" of % does not exist', context_column, tbl USING ERRCODE = 'undefined_column';
      END IF;
    END LOOP;
    SELECT 'pg_catalog.jsonb_build_object(' || string_agg(format('%L, %I', c, c), ', ' ORDER BY o) || ')'
      INTO context_expr FROM unnest(context_columns) WITH ORDINALITY AS u(c, o);
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
  row_check := agentauthz._row_check(select_relation, object_type, id_column, key_type, strategy, context_expr);
  EXECUTE format('CREATE POLICY agentauthz_select ON %s AS RESTRICTIVE FOR SELECT USING (%s)', tbl, row_check);
  IF parent_column IS NOT NULL THEN
    -- The parent decides for a new object; one that stored tuples already
    -- name is being moved into the parent, which takes the update relation
    -- on it as well (and a key that cannot name an object is refused).
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), parent_type,
                                          parent_column, parent_key_type, 'write', context_expr)
                    || format(' AND agentauthz.check_new_object(%L, %L, %s%s)', update_relation, object_type,
                              agentauthz._key(id_column, key_type),
                              coalesce(', ' || context_expr, ''));
  ELSE
    insert_check := agentauthz._row_check(coalesce(insert_relation, update_relation), object_type,
                                          id_column, key_type, 'write', context_expr);
  END IF;
  EXECUTE format('CREATE POLICY agentauthz_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (%s)', tbl, insert_check);
  update_check := agentauthz._row_check(update_relation, object_type, id_column, key_type, 'write', context_expr);
  EXECUTE format('CREATE POLICY agentauthz_update ON %s AS RESTRICTIVE FOR UPDATE USING (%s) WITH CHECK (%s)',
                 tbl, agentauthz._row_check(update_relation, object_type, id_column, key_type, strategy, context_expr),
                 CASE WHEN parent_column IS NULL THEN update_check ELSE update_check || ' AND ' || insert_check END);
  EXECUTE format('CREATE POLICY agentauthz_delete ON %s AS RESTRICTIVE FOR DELETE USING (%s)', tbl,
                 agentauthz._row_check(delete_relation, object_type, id_column, key_type, strategy, context_expr));
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
COMMENT ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean, name[]) IS
  'Enables row-level security on a table with restrictive policies that call the actor-context check (select, update and delete relations on the row''s object; inserts and moves checked on a parent column when given; context_columns passed as condition parameters) and a guard that keeps the table closed to agents if the extension is dropped; idempotent. For agentauthz_admin on a table it owns whose owner rights no agent role holds.';
REVOKE ALL ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean, name[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean, name[])
    TO agentauthz_admin;
