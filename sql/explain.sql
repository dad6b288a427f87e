-- explain(): the decision and the path that grants it, or why none does.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define viewer: [user, group#member]
type document
  relations
    define parent: [folder]
    define blocked: [user]
    define viewer: ([user] or viewer from parent) but not blocked
$dsl$) > 0 AS model_written;
SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('group:eng', 'member', 'user:anne'),
  ('folder:q1', 'viewer', 'group:eng#member'),
  ('document:plan', 'parent', 'folder:q1'),
  ('document:memo', 'parent', 'folder:q1'),
  ('document:memo', 'blocked', 'user:anne')
) AS t(o, r, s)) AS written;

-- Granted: the chain of tuples from the document to the user, and the full
-- proof tree.
SELECT e->'allowed' AS allowed, jsonb_pretty(e->'path') AS path
FROM agentauthz.explain('user:anne', 'viewer', 'document:plan') AS e;
SELECT jsonb_pretty(agentauthz.explain('user:anne', 'viewer', 'document:plan') - 'path');
-- Denied by an exclusion: the explanation shows what subtracted.
SELECT e->'allowed' AS allowed, e->'proof'->'children'->0->>'note' AS note
FROM agentauthz.explain('user:anne', 'viewer', 'document:memo') AS e;
-- Denied for lack of any path.
SELECT e->'allowed' AS allowed, jsonb_path_query_array(e, 'strict $.**.note') AS notes
FROM agentauthz.explain('user:bob', 'viewer', 'document:plan') AS e;
-- The decision always matches check().
SELECT s, (agentauthz.explain(s, 'viewer', o)->>'allowed')::boolean = agentauthz.check(s, 'viewer', o) AS agrees
FROM (VALUES ('user:anne', 'document:plan'), ('user:anne', 'document:memo'), ('user:bob', 'document:plan')) AS q(s, o);
