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
