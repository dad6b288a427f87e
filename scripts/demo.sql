-- A short tour of agentauthz: a model, tuples, checks, lists, explanations
-- and the errors bad input gets.
\pset footer off
\echo
\echo '== 1. An authorization model in the OpenFGA DSL =='
CREATE EXTENSION agentauthz;
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
    define owner: [user]
    define viewer: [user, agent, group#member] or owner or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user, group#member] or owner
    define blocked: [user, agent]
    define viewer: ([user, agent, user:*, group#member] or editor or viewer from parent) but not blocked
$dsl$) AS model_id;

\echo '== 2. Relationship tuples =='
SELECT count(*) AS tuples_written FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('group:finance', 'member', 'user:anne'),
  ('group:leadership', 'member', 'group:finance#member'),
  ('group:leadership', 'member', 'user:carl'),
  ('folder:finance', 'viewer', 'group:leadership#member'),
  ('folder:q1-financials', 'parent', 'folder:finance'),
  ('folder:m-and-a', 'parent', 'folder:finance'),
  ('document:q1-report', 'parent', 'folder:q1-financials'),
  ('document:target-list', 'parent', 'folder:m-and-a'),
  ('document:target-list', 'blocked', 'user:carl'),
  ('document:handbook', 'viewer', 'user:*'),
  ('document:roadmap', 'owner', 'user:bob')
) AS t(o, r, s)) AS w;
SELECT object, relation, subject FROM agentauthz.tuples ORDER BY object, relation, subject;

\echo '== 3. Checks =='
SELECT s AS subject, r AS relation, o AS object, agentauthz.check(s, r, o) AS allowed
FROM (VALUES
  ('user:anne', 'viewer', 'document:q1-report'),
  ('user:anne', 'viewer', 'document:target-list'),
  ('user:carl', 'viewer', 'document:target-list'),
  ('user:bob',  'viewer', 'document:q1-report'),
  ('user:bob',  'viewer', 'document:handbook'),
  ('user:bob',  'editor', 'document:roadmap'),
  ('user:anne', 'editor', 'document:roadmap')
) AS q(s, r, o);

\echo '== 4. What can anne see? Who can see the Q1 report? =='
SELECT * FROM agentauthz.list_objects('user:anne', 'viewer', 'document');
SELECT * FROM agentauthz.list_subjects('document:q1-report', 'viewer', 'user');

\echo '== 5. Why? The chain of tuples behind a decision =='
SELECT agentauthz.explain('user:anne', 'viewer', 'document:q1-report')->'path' AS path;

\echo '== 6. A tuple that holds for one request only (contextual tuple) =='
SELECT agentauthz.check('agent:research-bot', 'viewer', 'document:q1-report',
  '[{"object": "folder:q1-financials", "relation": "viewer", "subject": "agent:research-bot"}]') AS with_context,
       agentauthz.check('agent:research-bot', 'viewer', 'document:q1-report') AS without;

\echo '== 7. Bad input gets a clear error (and nothing is stored) =='
\set ON_ERROR_STOP 0
\set VERBOSITY default
SELECT agentauthz.write_tuple('document:q1 report', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('document:q1-report', 'viewer', 'group:finance');
SELECT agentauthz.check('user:anne', 'reader', 'document:q1-report');
SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user] or editor');
\set ON_ERROR_STOP 1
SELECT count(*) AS tuples_stored FROM agentauthz.tuples;
