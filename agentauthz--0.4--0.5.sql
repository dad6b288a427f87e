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
