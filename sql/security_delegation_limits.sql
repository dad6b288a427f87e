-- What one token lets its holder store is bounded, and links that ended are
-- purged. Found by review: 20 subdelegate() calls of 100,000 scopes each
-- grew agentauthz.delegations by 9 MB in under a second; scopes and
-- purposes had no limit (or a fixed one) and links were never deleted.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS sec_lim_bot, sec_lim_app;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define viewer: [user, agent]
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 3) g;
CREATE ROLE sec_lim_bot;
CREATE ROLE sec_lim_app IN ROLE agentauthz_app;
SELECT agentauthz.register_agent('agent:limits', 'sec_lim_bot');
CREATE FUNCTION pg_temp.links() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM agentauthz.delegations $$;

-- The limits and who may change them: superusers only (ALTER SYSTEM,
-- ALTER DATABASE, ALTER ROLE by a superuser).
SELECT name, setting, unit, context FROM pg_settings
 WHERE name IN ('agentauthz.max_delegation_scopes', 'agentauthz.max_delegation_purpose_bytes',
                'agentauthz.max_delegation_tree_links', 'agentauthz.max_delegation_depth',
                'agentauthz.delegation_retention')
 ORDER BY name;

SET ROLE sec_lim_app;
SELECT agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'limits') AS token \gset

-- Too many scopes: from the application, and from the agent handing its
-- task on (the attack: 100,000 per call).
SELECT regress.try(format('SELECT agentauthz.delegate(%L, %L, %L, now() + interval ''1 hour'', %L) IS NOT NULL',
                          'user:anne', 'agent:limits', s, 'task')) AS app_scopes, cardinality(s) AS entries
  FROM (VALUES (100), (101), (100000)) AS v(n),
       LATERAL (SELECT array_agg('viewer@document:' || g) AS s FROM generate_series(1, v.n) g) AS a
 ORDER BY v.n;
RESET ROLE;
SET ROLE sec_lim_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT regress.try(format('SELECT agentauthz.subdelegate(%L, %L, now() + interval ''1 hour'', %L) IS NOT NULL',
                          'agent:helper', (SELECT array_agg('viewer@document:' || g) FROM generate_series(1, 100000) g),
                          'task')) AS agent_100000_scopes;
-- Huge scope entries: an entry is a relation name (50 bytes at most) and an
-- object (256 bytes at most), whatever the limits.
SELECT regress.try(format('SELECT agentauthz.subdelegate(%L, %L, now() + interval ''1 hour'', %L) IS NOT NULL',
                          'agent:helper', ARRAY[e], 'task')) AS agent_huge_entry, left(e, 20) AS entry, length(e)
  FROM (VALUES ('viewer@document:' || repeat('x', 100000)), (repeat('v', 100000) || '@document:1'),
               ('viewer@' || repeat('d', 100000) || ':*')) AS e(e);
-- A huge purpose (the limit is in bytes, not characters).
SELECT regress.try(format('SELECT agentauthz.subdelegate(%L, %L, now() + interval ''1 hour'', %L) IS NOT NULL',
                          'agent:helper', ARRAY['viewer@document:1'], p)) AS agent_purpose, length(p) AS characters,
       octet_length(p) AS bytes
  FROM (VALUES (repeat('x', 1000)), (repeat('x', 1001)), (repeat('é', 600)), (repeat('x', 1000000))) AS p(p);
COMMIT;
RESET ROLE;
SELECT regress.try($$SELECT agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:1'],
                                                now() + interval '1 hour', repeat('x', 1001)) IS NOT NULL$$)
  AS app_purpose;
-- Nothing of the refused calls was stored: the root, the app's 100 scopes
-- and the agent's one purpose of 1000 bytes.
SELECT pg_temp.links() AS links;

-- The agent cannot raise a limit for itself, in any way a session sets a
-- parameter.
SET ROLE sec_lim_bot;
SELECT regress.try(s) AS agent_raises, s
  FROM (VALUES ('SET agentauthz.max_delegation_scopes = 100000'),
               ('SET LOCAL agentauthz.max_delegation_purpose_bytes = ''1MB'''),
               ('SELECT set_config(''agentauthz.max_delegation_tree_links'', ''1000000'', false)'),
               ('SET agentauthz.delegation_retention = ''36500d'''),
               ('ALTER ROLE sec_lim_bot SET agentauthz.max_delegation_scopes = 100000')) AS s(s);
RESET ROLE;
SET ROLE sec_lim_app;
SELECT regress.try('SET agentauthz.max_delegation_scopes = 100000') AS app_raises;
RESET ROLE;

-- Too many links below one delegation (a superuser lowers the limit for
-- this session: 4 instead of 1000). The agent may not reset it either.
SET agentauthz.max_delegation_tree_links = 4;
SET ROLE sec_lim_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT count(agentauthz.subdelegate('agent:helper', ARRAY['viewer@document:1'], now() + interval '1 hour',
                                    'part ' || g)) AS handed_on
  FROM generate_series(1, 3) g;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['viewer@document:1'],
                                                   now() + interval '1 hour', 'one more')$$) AS one_more;
SELECT regress.try('RESET agentauthz.max_delegation_tree_links') AS agent_resets;
COMMIT;
RESET ROLE;
SELECT pg_temp.links() AS links;
-- Links that ended count until they are purged: revoked and purged, they
-- make room again.
SELECT sum(agentauthz.revoke_delegation(id)) AS revoked FROM agentauthz.delegations WHERE parent_id IS NOT NULL;
SELECT agentauthz.purge_delegations(now()) AS purged;
SET ROLE sec_lim_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
SELECT agentauthz.subdelegate('agent:helper', ARRAY['viewer@document:1'], now() + interval '1 hour',
                              'after the purge') IS NOT NULL AS handed_on_again;
COMMIT;
RESET ROLE;
RESET agentauthz.max_delegation_tree_links;

-- Purge ---------------------------------------------------------------------

-- Fresh trees, aged by hand (as a superuser) since no link can be issued
-- already ended:
--   A: root live; A1 revoked 100 days ago with its child A1a; A2 live
--   B: root and child expired 100 days ago
--   C: root revoked 100 days ago, child revoked 10 days ago (a tree that
--      ended out of order: 0.1 data, or a revocation racing a hand-off)
--   D: root revoked 10 days ago, its child 100 days ago
TRUNCATE agentauthz.delegations;
SET ROLE sec_lim_app;
SELECT agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'tree A') AS token_a,
       agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'tree B') AS token_b,
       agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'tree C') AS token_c,
       agentauthz.delegate('user:anne', 'agent:limits', ARRAY['viewer@document:*'], now() + interval '1 hour',
                           'tree D') AS token_d \gset
RESET ROLE;
CREATE TEMP TABLE names (id bigint, name text);
GRANT SELECT, INSERT ON names TO sec_lim_bot;
INSERT INTO names SELECT split_part(tok, '.', 2)::bigint, n
  FROM (VALUES (:'token_a', 'A'), (:'token_b', 'B'), (:'token_c', 'C'), (:'token_d', 'D')) AS v(tok, n);
-- The agent hands a tree's task on: a child link, named in `names`.
CREATE FUNCTION pg_temp.hand_on(parent_token text, child text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  token text;
BEGIN
  PERFORM agentauthz.act_for(parent_token);
  token := agentauthz.subdelegate('agent:limits', ARRAY['viewer@document:1'], now() + interval '1 hour', child);
  INSERT INTO names VALUES (split_part(token, '.', 2)::bigint, child);
  PERFORM agentauthz.end_task();
  RETURN token;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.hand_on(text, text) TO PUBLIC;
SET ROLE sec_lim_bot;
SELECT pg_temp.hand_on(:'token_a', 'A1') AS token_a1 \gset
SELECT pg_temp.hand_on(:'token_a1', 'A1a') AS token_a1a \gset
SELECT pg_temp.hand_on(:'token_a', 'A2') AS token_a2 \gset
SELECT pg_temp.hand_on(:'token_b', 'B1') AS token_b1 \gset
SELECT pg_temp.hand_on(:'token_c', 'C1') AS token_c1 \gset
SELECT pg_temp.hand_on(:'token_d', 'D1') AS token_d1 \gset
-- A1's agent reads before A1 ends: on record in the audit log.
BEGIN;
SELECT agentauthz.act_for(:'token_a1') ? 'chain' AS acting;
SELECT agentauthz.check('viewer', 'document:1') AS a1_reads_1, agentauthz.check('viewer', 'document:2') AS a1_reads_2;
COMMIT;
RESET ROLE;
SELECT agentauthz.revoke_delegation((SELECT id FROM names WHERE name = 'A1')) AS revoked;
SELECT agentauthz.audit_flush();
UPDATE agentauthz.delegations d SET revoked_at = now() - interval '100 days' FROM names n
 WHERE n.id = d.id AND n.name IN ('A1', 'A1a', 'C', 'D1');
UPDATE agentauthz.delegations d SET revoked_at = now() - interval '10 days' FROM names n
 WHERE n.id = d.id AND n.name IN ('C1', 'D');
UPDATE agentauthz.delegations d SET expires_at = now() - interval '100 days', created_at = now() - interval '101 days'
  FROM names n WHERE n.id = d.id AND n.name IN ('B', 'B1');
CREATE FUNCTION pg_temp.tree() RETURNS TABLE (name text, parent text, ended text) LANGUAGE sql AS $$
  SELECT n.name, p.name,
         CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked ' || extract(day FROM now() - d.revoked_at) || ' days ago'
              WHEN d.expires_at <= now() THEN 'expired ' || extract(day FROM now() - d.expires_at) || ' days ago'
              ELSE 'live' END
    FROM agentauthz.delegations d JOIN names n ON n.id = d.id LEFT JOIN names p ON p.id = d.parent_id
   ORDER BY n.name
$$;
SELECT * FROM pg_temp.tree();

-- What the audit shows before the purge: kept by value, it must not change.
CREATE TEMP TABLE audit_before AS
  SELECT log_id, actor, principal, delegation_id, purpose, db_role, kind, relation, object_type, object_id, decision
    FROM agentauthz.audit_decisions;
SELECT actor, principal, n.name AS delegation, purpose, relation, object_id, decision
  FROM audit_before a LEFT JOIN names n ON n.id = a.delegation_id ORDER BY object_id;

-- Before the purge, A1's token is refused as revoked.
SET ROLE sec_lim_bot;
SELECT regress.try(format('SELECT agentauthz.act_for(%L) IS NOT NULL', :'token_a1')) AS a1_before_purge;
-- Neither the agent nor the application may purge.
SELECT regress.try('SELECT agentauthz.purge_delegations()') AS agent_purges;
RESET ROLE;
SET ROLE sec_lim_app;
SELECT regress.try('SELECT agentauthz.purge_delegations(now())') AS app_purges;
RESET ROLE;
-- A cut-off in the future would take links that have not ended.
SELECT regress.try($$SELECT agentauthz.purge_delegations(now() + interval '1 minute')$$) AS future;

-- The default cut-off (90 days ago): A1 and A1a go, B whole, and D1 (D
-- ended later and stays); C stays, the parent of C1, which ended later.
SELECT agentauthz.purge_delegations() AS purged;
SELECT * FROM pg_temp.tree();
-- A shorter retention, then: what ended 10 days ago goes too.
SET agentauthz.delegation_retention = '5d';
SELECT agentauthz.purge_delegations() AS purged;
SELECT * FROM pg_temp.tree();
RESET agentauthz.delegation_retention;
SELECT agentauthz.purge_delegations(now()) AS purged_again;

-- A purged token stays refused, as an unknown one; the live ones work.
SET ROLE sec_lim_bot;
SELECT regress.try(format('SELECT agentauthz.act_for(%L) IS NOT NULL', :'token_a1')) AS a1_after_purge;
SELECT regress.try(format('SELECT agentauthz.act_for(%L) IS NOT NULL', :'token_b1')) AS b1_after_purge;
BEGIN;
SELECT agentauthz.act_for(:'token_a2') ? 'chain' AS a2_acting;
SELECT agentauthz.check('viewer', 'document:1') AS a2_reads_1;
COMMIT;
RESET ROLE;

-- The audit shows the same as before, verifies, and records the purges.
SELECT agentauthz.audit_flush();
CREATE TEMP TABLE audit_after AS
  SELECT log_id, actor, principal, delegation_id, purpose, db_role, kind, relation, object_type, object_id, decision
    FROM agentauthz.audit_decisions WHERE log_id <= (SELECT max(log_id) FROM audit_before);
SELECT (SELECT count(*) FROM audit_before) AS rows_before, (SELECT count(*) FROM audit_after) AS rows_after,
       (SELECT count(*) FROM ((TABLE audit_before EXCEPT ALL TABLE audit_after)
                              UNION ALL (TABLE audit_after EXCEPT ALL TABLE audit_before)) c) AS differing;
SELECT actor, principal, n.name AS delegation, purpose, relation, object_id, decision
  FROM audit_after a LEFT JOIN names n ON n.id = a.delegation_id ORDER BY object_id;
SELECT ok, detail IS NOT NULL AS has_detail FROM agentauthz.verify_audit();
SELECT kind, db_role, object_type, allowed_count AS links, regexp_replace(detail, 'before .* were', 'before ... were') AS detail
  FROM agentauthz.audit_log WHERE kind = 'purged' ORDER BY id;

DROP EXTENSION agentauthz CASCADE;
DROP OWNED BY sec_lim_bot, sec_lim_app;
DROP ROLE sec_lim_bot, sec_lim_app;
