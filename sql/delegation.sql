-- Agents, delegations and the actor context: what an agent may do for its
-- person, for its task, and every way it might try to do more.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS regress_research_bot, regress_summary_bot, regress_other_bot,
  regress_app, regress_outsider;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, agent, group#member]
type folder
  relations
    define parent: [folder]
    define editor: [user, group#member]
    define viewer: [user, agent, group#member] or editor or viewer from parent
type document
  relations
    define parent: [folder]
    define viewer: [user, agent, group#member] or viewer from parent
$dsl$) > 0 AS model_written;
SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('folder:finance', 'viewer', 'user:anne'),
  ('folder:q1', 'parent', 'folder:finance'),
  ('folder:q2', 'parent', 'folder:finance'),
  ('folder:ma', 'parent', 'folder:finance'),
  ('document:q1-report', 'parent', 'folder:q1'),
  ('document:q2-report', 'parent', 'folder:q2'),
  ('document:ma-targets', 'parent', 'folder:ma'),
  ('folder:specs', 'editor', 'user:anne'),
  ('document:spec', 'parent', 'folder:specs'),
  ('group:eng', 'member', 'user:anne'),
  ('document:design', 'viewer', 'group:eng#member'),
  ('document:handbook', 'viewer', 'user:anne'),
  ('document:bot-notes', 'viewer', 'agent:research')
) AS t(o, r, s)) AS written;

CREATE ROLE regress_research_bot LOGIN;
CREATE ROLE regress_summary_bot LOGIN;
CREATE ROLE regress_other_bot LOGIN;
CREATE ROLE regress_app LOGIN IN ROLE agentauthz_app;
CREATE ROLE regress_outsider LOGIN;
SELECT agentauthz.register_agent('agent:research', 'regress_research_bot');
SELECT agentauthz.register_agent('agent:summary', 'regress_summary_bot');
SELECT agentauthz.register_agent('agent:other', 'regress_other_bot');
SELECT regress.try($$SELECT agentauthz.register_agent('agent:*', 'regress_other_bot')$$);
SELECT regress.try($$SELECT agentauthz.register_agent('agent research', 'regress_other_bot')$$);

-- The actor as tests show it: no timestamps.
CREATE FUNCTION regress.actor() RETURNS text LANGUAGE sql AS $$
  SELECT format('%s valid=%s agent=%s principal=%s subject=%s chain=%s local=%s%s',
                a->>'kind', a->>'valid', a->>'agent', a->>'principal', a->>'subject',
                jsonb_path_query_array(a, '$.chain[*].delegation_id'), a->>'local',
                coalesce(' reason=' || (a->>'reason'), ''))
  FROM agentauthz.current_actor() AS a
$$;
GRANT EXECUTE ON FUNCTION regress.actor() TO PUBLIC;

-- Issuing delegations: every argument is checked.
SELECT regress.try(format('SELECT agentauthz.delegate(%L, %L, %L, now() + interval ''1 hour'', %L)', p, a, s, u)) AS result, p, a, s, u
FROM (VALUES
  ('user:*', 'agent:research', '{viewer@folder:q1}', 'task'),
  ('group:eng#member', 'agent:research', '{viewer@folder:q1}', 'task'),
  ('user anne', 'agent:research', '{viewer@folder:q1}', 'task'),
  ('user:anne', 'agent:*', '{viewer@folder:q1}', 'task'),
  ('user:anne', 'agent:research', '{}', 'task'),
  ('user:anne', 'agent:research', '{viewer}', 'task'),
  ('user:anne', 'agent:research', '{viewer@folder}', 'task'),
  ('user:anne', 'agent:research', '{viewer@folder:q 1}', 'task'),
  ('user:anne', 'agent:research', '{owner@folder:q1}', 'task'),
  ('user:anne', 'agent:research', '{viewer@drive:q1}', 'task'),
  ('user:anne', 'agent:research', '{viewer@folder:q1,NULL}', 'task'),
  ('user:anne', 'agent:research', '{viewer@folder:q1}', '')
) AS bad(p, a, s, u);
SELECT regress.try($$SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:q1}', now() - interval '1 second', 'task')$$);
SELECT regress.try($$SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:q1}', NULL, 'task')$$);
SELECT regress.try($$SELECT agentauthz.act_for(NULL)$$);

SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:q1}',
                           now() + interval '1 hour', 'summarize Q1 results') AS q1_token \gset
SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@document:*}',
                           now() + interval '1 hour', 'index the documents') AS docs_token \gset
SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:specs, member@group:eng}',
                           now() + interval '1 hour', 'review specs') AS specs_token \gset
SELECT agentauthz.delegate('user:anne', 'agent:other', '{viewer@folder:finance}',
                           now() + interval '1 hour', 'someone else''s task') AS other_token \gset
SELECT :'q1_token' ~ '^aaz1\.[0-9]+\.[A-Za-z0-9_-]{43}$' AS token_format,
       (SELECT count(*) FROM agentauthz.delegations) AS delegations,
       (SELECT bool_and(octet_length(secret_hash) = 32) FROM agentauthz.delegations) AS only_hashes;

-- The research agent connects with its own role.
SET ROLE regress_research_bot;
-- With no delegation it acts as itself: its own tuples, nothing of anne's.
SELECT regress.actor();
SELECT agentauthz.check('viewer', 'document:bot-notes') AS own_tuple,
       agentauthz.check('viewer', 'document:q1-report') AS annes_document;

-- Tokens it must not be able to use.
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', t)) AS result, label
FROM (VALUES
  ('', 'empty'),
  ('garbage', 'garbage'),
  (:'q1_token' || 'A', 'one character more'),
  (left(:'q1_token', length(:'q1_token') - 1), 'truncated'),
  (regexp_replace(:'q1_token', '.$', CASE WHEN right(:'q1_token', 1) = 'A' THEN 'Q' ELSE 'A' END), 'last character altered'),
  (regexp_replace(:'q1_token', '^aaz1\.([0-9]+)\.', 'aaz1.' || '999' || '.'), 'another delegation id'),
  (replace(:'q1_token', 'aaz1.', 'aaz2.'), 'another version'),
  (upper(:'q1_token'), 'upper case'),
  (:'other_token', 'issued to another agent')
) AS bad(t, label);
SELECT regress.actor();

-- Under the Q1 delegation: anne's rights, within folder q1 only.
BEGIN;
SELECT agentauthz.act_for(:'q1_token') ? 'chain' AS acting;
SELECT regress.actor();
SELECT d, agentauthz.check('viewer', d) AS allowed
FROM unnest(ARRAY['document:q1-report', 'document:q2-report', 'document:ma-targets',
                  'document:handbook', 'document:bot-notes']) AS d;
-- An agent's explain() tells the decision only (security_explain.sql).
SELECT agentauthz.explain('viewer', 'document:q2-report') - 'actor' AS q2_explain,
       agentauthz.explain('viewer', 'document:q1-report')->>'allowed' AS q1_allowed;
COMMIT;
-- A local context ends with its transaction.
SELECT regress.actor();

-- Scopes follow the model: editor@ implies viewer where editors view, and
-- member@group:eng lets the agent use anne's membership.
BEGIN;
SELECT agentauthz.act_for(:'specs_token') IS NOT NULL AS acting;
SELECT d, agentauthz.check('viewer', d) AS allowed
FROM unnest(ARRAY['document:spec', 'document:design', 'document:handbook', 'document:q1-report']) AS d;
ROLLBACK;
SELECT regress.actor();

-- Context switching: a session context (local => false) lasts until another
-- one or end_task(); each switch is explicit.
SELECT agentauthz.act_for(:'q1_token', false) IS NOT NULL AS acting;
SELECT agentauthz.check('viewer', 'document:q1-report') AS q1, agentauthz.check('viewer', 'document:spec') AS spec;
SELECT agentauthz.act_for(:'docs_token', local => false) IS NOT NULL AS switched;
SELECT agentauthz.check('viewer', 'document:q1-report') AS q1, agentauthz.check('viewer', 'document:ma-targets') AS ma;
-- A local context set on top ends with its transaction; the session's resumes.
BEGIN;
SELECT agentauthz.act_for(:'specs_token') IS NOT NULL AS acting;
SELECT agentauthz.check('viewer', 'document:spec') AS spec, agentauthz.check('viewer', 'document:ma-targets') AS ma;
COMMIT;
SELECT agentauthz.check('viewer', 'document:spec') AS spec, agentauthz.check('viewer', 'document:ma-targets') AS ma;
-- A context set in a transaction that rolls back never takes effect...
BEGIN;
SELECT agentauthz.act_for(:'q1_token', false) IS NOT NULL AS acting;
ROLLBACK;
SELECT regress.actor();
-- ... nor one set in a savepoint rolled back to.
BEGIN;
SAVEPOINT s;
SELECT agentauthz.act_for(:'specs_token') IS NOT NULL AS acting;
ROLLBACK TO SAVEPOINT s;
SELECT regress.actor();
COMMIT;
SELECT agentauthz.end_task();
SELECT regress.actor();

-- Nothing but act_for sets the context.
SELECT agentauthz.act_for(:'q1_token', false) IS NOT NULL AS acting;
SELECT regress.try($$SET agentauthz.actor = 'user:ceo'$$);
SELECT regress.try($$SELECT set_config('agentauthz.principal', 'user:ceo', false)$$);
SELECT regress.try($$SET agentauthz.max_depth = 100$$);
RESET ALL;
SELECT regress.actor();
SELECT agentauthz.check('viewer', 'document:q1-report') AS still_q1_only,
       agentauthz.check('viewer', 'document:ma-targets') AS ma;
-- The context belongs to the role that set it: another role sees none.
RESET ROLE;
SELECT regress.actor();
SELECT agentauthz.check('viewer', 'document:q1-report') AS as_superuser;
SET ROLE regress_summary_bot;
SELECT regress.actor();
SELECT agentauthz.check('viewer', 'document:q1-report') AS as_other_agent;
RESET ROLE;
-- Nor inside a SECURITY DEFINER function owned by another role.
CREATE FUNCTION regress.definer_check(o text) RETURNS boolean
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$ SELECT agentauthz.check('viewer', o) $$;
ALTER FUNCTION regress.definer_check(text) OWNER TO regress_app;
GRANT EXECUTE ON FUNCTION regress.definer_check(text) TO PUBLIC;
SET ROLE regress_research_bot;
SELECT agentauthz.check('viewer', 'document:q1-report') AS directly,
       regress.definer_check('document:q1-report') AS through_definer;
-- DISCARD ALL (a pooler resetting the connection) ends it.
RESET ROLE;
DISCARD ALL;
SET ROLE regress_research_bot;
SELECT regress.actor();
RESET ROLE;

-- Sub-agents: a child link only narrows, and never outlives its parent.
SET ROLE regress_research_bot;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:summary', '{viewer@folder:finance}', now() + interval '1 hour', 'summarize')$$) AS without_delegation;
BEGIN;
SELECT agentauthz.act_for(:'q1_token') IS NOT NULL AS acting;
SELECT agentauthz.subdelegate('agent:summary', '{viewer@folder:finance}', now() + interval '10 years',
                              'summarize Q1 for the board') AS sub_token \gset
COMMIT;
RESET ROLE;
SELECT depth, parent_id IS NOT NULL AS has_parent, principal, agent, scopes,
       expires_at = (SELECT expires_at FROM agentauthz.delegations WHERE id = d.parent_id) AS capped,
       created_by
FROM agentauthz.delegations d WHERE agent = 'agent:summary';
SET ROLE regress_summary_bot;
BEGIN;
SELECT agentauthz.act_for(:'sub_token') IS NOT NULL AS acting;
SELECT regress.actor();
-- Its own scope names all of finance; its parent's only q1: q1 it is.
SELECT d, agentauthz.check('viewer', d) AS allowed
FROM unnest(ARRAY['document:q1-report', 'document:q2-report', 'document:ma-targets']) AS d;
-- The chain depth is bounded (agentauthz.max_delegation_depth = 3).
SELECT agentauthz.subdelegate('agent:other', '{viewer@folder:q1}', now() + interval '1 hour', 'third link') AS third_token \gset
COMMIT;
RESET ROLE;
SET ROLE regress_other_bot;
BEGIN;
SELECT agentauthz.act_for(:'third_token') IS NOT NULL AS acting;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:summary', '{viewer@folder:q1}', now() + interval '1 hour', 'fourth link')$$) AS too_deep;
COMMIT;
RESET ROLE;

-- Revoking a link revokes everything below it, from the next statement.
SET ROLE regress_summary_bot;
SELECT agentauthz.act_for(:'sub_token', false) IS NOT NULL AS acting;
SELECT agentauthz.check('viewer', 'document:q1-report') AS before_revoke;
RESET ROLE;
SELECT agentauthz.revoke_delegation(id) AS revoked FROM agentauthz.delegations
WHERE purpose = 'summarize Q1 results';
SET ROLE regress_summary_bot;
SELECT agentauthz.check('viewer', 'document:q1-report') AS after_revoke;
SELECT regress.actor();
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'sub_token')) AS reuse_revoked;
RESET ROLE;
SELECT purpose, revoked_at IS NOT NULL AS revoked FROM agentauthz.delegations ORDER BY id;

-- An expired delegation stops granting at the next statement.
SET ROLE regress_research_bot;
SELECT agentauthz.act_for(:'docs_token', false) IS NOT NULL AS acting;
SELECT agentauthz.check('viewer', 'document:handbook') AS before_expiry;
RESET ROLE;
UPDATE agentauthz.delegations SET expires_at = now() - interval '1 second' WHERE purpose = 'index the documents';
SET ROLE regress_research_bot;
SELECT agentauthz.check('viewer', 'document:handbook') AS after_expiry;
SELECT regress.actor();
SELECT regress.try(format('SELECT agentauthz.act_for(%L)', :'docs_token')) AS reuse_expired;
SELECT agentauthz.end_task();
RESET ROLE;

-- set_subject is for trusted application roles.
SET ROLE regress_app;
BEGIN;
SELECT agentauthz.set_subject('user:anne') ->> 'kind' AS kind;
SELECT agentauthz.check('viewer', 'document:ma-targets') AS anne_sees_ma;
COMMIT;
SELECT agentauthz.check('viewer', 'document:ma-targets') AS after_commit;
RESET ROLE;
SET ROLE regress_research_bot;
SELECT regress.try($$SELECT agentauthz.set_subject('user:anne')$$) AS agent_set_subject;
SELECT regress.try($$SELECT agentauthz.set_subject('user:*')$$) AS wildcard;
RESET ROLE;

-- What an agent role can and cannot touch.
SET ROLE regress_research_bot;
SELECT regress.try(q) AS result FROM (VALUES
  ('SELECT count(*) FROM agentauthz.delegations'),
  ('SELECT count(*) FROM agentauthz.tuples'),
  ('SELECT count(*) FROM agentauthz.agents'),
  ($$INSERT INTO agentauthz.delegations (principal, agent, scopes, purpose, expires_at, depth, secret_hash) VALUES ('user:anne', 'agent:research', '{viewer@folder:finance}', 'x', now() + interval '1 day', 1, '\x00')$$),
  ($$UPDATE agentauthz.delegations SET revoked_at = NULL$$),
  ($$SELECT agentauthz.write_tuple('document:q2-report', 'viewer', 'agent:research')$$),
  ($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:q2-report', 'viewer', 'agent:research')$$),
  ($$SELECT agentauthz.write_model('model\n  schema 1.1\ntype user')$$),
  ($$SELECT agentauthz.delegate('user:anne', 'agent:research', '{viewer@folder:finance}', now() + interval '1 hour', 'x')$$),
  ($$SELECT agentauthz.revoke_delegation(1)$$),
  ($$SELECT agentauthz.register_agent('agent:research', 'regress_outsider')$$),
  ($$SELECT agentauthz.check('user:anne', 'viewer', 'document:ma-targets')$$)
) AS q(q);
RESET ROLE;

-- A role that is no agent has no context at all: every check is false.
SET ROLE regress_outsider;
SELECT regress.actor();
SELECT agentauthz.check('viewer', 'document:handbook') AS outsider;
RESET ROLE;

-- Delegations survive pg_dump with their hashes; tokens are never stored.
SELECT count(*) FILTER (WHERE position(substr(:'q1_token', 8) IN encode(secret_hash, 'escape')) > 0) AS secrets_stored
FROM agentauthz.delegations;

DROP FUNCTION regress.definer_check(text);
DROP FUNCTION regress.actor();
SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
DROP ROLE regress_research_bot, regress_summary_bot, regress_other_bot, regress_app, regress_outsider;
