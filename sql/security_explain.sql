-- Through the actor context, explain() discloses nothing that check()
-- could not. Under 0.1 an agent acting under viewer@folder:q1 asked about a
-- document outside its scope and got its principal's proof: tuples about
-- other folders, who may view HR records. An agent (delegated or on its
-- own) is now told the decision only; a subject an application set (a
-- trusted role) gets the proof, as explain(subject, ...) would give it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS sec_explain_bot, sec_explain_app;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, agent]
type folder
  relations
    define parent: [folder]
    define viewer: [user, agent, group#member] or viewer from parent
type document
  relations
    define parent: [folder]
    define blocked: [user, agent]
    define viewer: ([user, agent] or viewer from parent) but not blocked
$dsl$) > 0 AS model_written;
SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('group:hr', 'member', 'user:anne'),
  ('folder:root', 'viewer', 'group:hr#member'),
  ('folder:q1', 'parent', 'folder:root'),
  ('folder:hr', 'parent', 'folder:root'),
  ('document:q1-report', 'parent', 'folder:q1'),
  ('document:salaries', 'parent', 'folder:hr'),
  ('document:secret', 'parent', 'folder:q1'),
  ('document:secret', 'blocked', 'user:anne'),
  ('document:notes', 'viewer', 'agent:explain')
) AS t(o, r, s)) AS written;
CREATE ROLE sec_explain_bot;
CREATE ROLE sec_explain_app IN ROLE agentauthz_app;
SELECT agentauthz.register_agent('agent:explain', 'sec_explain_bot');
SELECT agentauthz.delegate('user:anne', 'agent:explain', ARRAY['viewer@folder:q1'], now() + interval '1 hour',
                           'summarize q1') AS token \gset

-- Every key an answer has, and whether it names tuples (a path or proof).
CREATE FUNCTION pg_temp.disclosed(e jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT format('allowed=%s keys=%s names_tuples=%s', e->>'allowed',
                (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(e) k),
                e::text ~ '(#|proof":\s*\{|path)')
$$;
GRANT EXECUTE ON FUNCTION pg_temp.disclosed(jsonb) TO PUBLIC;

SET ROLE sec_explain_bot;
BEGIN;
SELECT agentauthz.act_for(:'token') ? 'chain' AS acting;
-- Outside the scope (the principal may view salaries), inside it, inside
-- it but excluded: decision only, and the decision is check()'s.
SELECT d, agentauthz.check('viewer', d) AS check, pg_temp.disclosed(agentauthz.explain('viewer', d)) AS explained
  FROM unnest(ARRAY['document:salaries', 'document:q1-report', 'document:secret', 'folder:hr']) AS d;
SELECT agentauthz.explain('viewer', 'document:salaries') - 'actor' AS outside_scope;
COMMIT;
-- On its own (no delegation) the agent is told the decision only, too.
SELECT pg_temp.disclosed(agentauthz.explain('viewer', 'document:notes')) AS own_rights,
       pg_temp.disclosed(agentauthz.explain('viewer', 'document:secret')) AS not_its_own;
RESET ROLE;

-- An application acting as the person gets the person's proof.
SET ROLE sec_explain_app;
BEGIN;
SELECT agentauthz.set_subject('user:anne') ? 'subject' AS acting;
SELECT pg_temp.disclosed(agentauthz.explain('viewer', 'document:salaries')) AS subject_explained,
       agentauthz.explain('viewer', 'document:salaries')->'subject_check'->'path' AS path;
COMMIT;
RESET ROLE;

DROP OWNED BY sec_explain_bot, sec_explain_app;
DROP ROLE sec_explain_bot, sec_explain_app;
