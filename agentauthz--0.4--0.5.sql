-- agentauthz 0.4 -> 0.5: conditions (OpenFGA's ABAC). There is no
-- agentauthz--0.5.sql: CREATE EXTENSION installs 0.3 and applies the
-- updates, so a fresh install and an updated one run the same statements.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.5'" to load this file. \quit

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
  'Hands part of the current delegation on to another agent: the new link''s scopes hold only together with every ancestor''s, its expiry is capped by its parent''s, its context may add condition values but not change one an ancestor pins (22023), and it returns the new token. Any role acting under a valid delegation (act_for) may call it, within agentauthz.max_delegation_depth and agentauthz.max_delegation_tree_links.';
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
