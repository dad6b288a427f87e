-- check(): OpenFGA semantics for every rewrite and their combinations,
-- usersets and wildcards as subjects, type-restriction filtering, cycles,
-- the depth limit, contextual tuples, and request errors.
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
    define member: [user, user:*, group#member]
type folder
  relations
    define parent: [folder]
    define owner: [user]
    define viewer: [user, group#member] or owner or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: [user]
    define writer: [user, group#member]
    define editor: writer or owner
    define reviewer: [user]
    define approver: writer and reviewer
    define blocked: [user, group#member]
    define viewer: ([user, user:*, group#member] or editor or viewer from parent) but not blocked
$dsl$) > 0 AS model_written;

SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('group:eng', 'member', 'user:anne'),
  ('group:staff', 'member', 'group:eng#member'),
  ('group:staff', 'member', 'user:bob'),
  ('folder:root', 'viewer', 'group:staff#member'),
  ('folder:q1', 'parent', 'folder:root'),
  ('folder:q2', 'parent', 'folder:root'),
  ('folder:q1', 'owner', 'user:carol'),
  ('document:plan', 'parent', 'folder:q1'),
  ('document:plan', 'writer', 'user:dave'),
  ('document:plan', 'reviewer', 'user:dave'),
  ('document:plan', 'reviewer', 'user:erin'),
  ('document:plan', 'owner', 'user:erin'),
  ('document:memo', 'parent', 'folder:q2'),
  ('document:memo', 'blocked', 'user:bob'),
  ('document:public', 'viewer', 'user:*'),
  ('document:public', 'blocked', 'group:eng#member')
) AS t(o, r, s);

-- Direct, computed, tuple-to-userset (two levels), nested usersets.
SELECT s, r, o, agentauthz.check(s, r, o) AS allowed FROM (VALUES
  ('user:dave', 'writer', 'document:plan'),
  ('user:dave', 'editor', 'document:plan'),
  ('user:erin', 'editor', 'document:plan'),
  ('user:erin', 'writer', 'document:plan'),
  ('user:dave', 'approver', 'document:plan'),
  ('user:erin', 'approver', 'document:plan'),
  ('user:carol', 'viewer', 'folder:q1'),
  ('user:carol', 'viewer', 'document:plan'),
  ('user:carol', 'viewer', 'document:memo'),
  ('user:anne', 'member', 'group:staff'),
  ('user:anne', 'viewer', 'folder:q2'),
  ('user:anne', 'viewer', 'document:plan'),
  ('user:anne', 'viewer', 'document:memo'),
  ('user:bob', 'viewer', 'document:plan'),
  ('user:bob', 'viewer', 'document:memo'),
  ('user:zoe', 'viewer', 'document:plan'),
  ('user:zoe', 'viewer', 'document:nothing')
) AS q(s, r, o);

-- Wildcards: a user:* tuple grants every user, exclusions still apply.
SELECT s, agentauthz.check(s, 'viewer', 'document:public') AS allowed FROM (VALUES
  ('user:zoe'), ('user:bob'), ('user:anne'), ('user:*')
) AS q(s);
-- Wildcard membership reaches through usersets.
SELECT agentauthz.write_tuple('group:everyone', 'member', 'user:*');
SELECT agentauthz.write_tuple('folder:open', 'viewer', 'group:everyone#member');
SELECT agentauthz.check('user:zoe', 'viewer', 'folder:open') AS via_wildcard_group,
       agentauthz.check('user:*', 'viewer', 'folder:open') AS wildcard_subject;

-- Usersets as subjects, and a userset always has itself.
SELECT s, r, o, agentauthz.check(s, r, o) AS allowed FROM (VALUES
  ('group:eng#member', 'member', 'group:staff'),
  ('group:eng#member', 'member', 'group:eng'),
  ('group:staff#member', 'viewer', 'folder:root'),
  ('group:staff#member', 'viewer', 'document:plan'),
  ('group:staff#member', 'member', 'group:eng'),
  ('group:eng#member', 'viewer', 'folder:q1')
) AS q(s, r, o);

-- A subject type the relation cannot reach is simply not allowed.
SELECT agentauthz.check('folder:q1', 'viewer', 'document:plan') AS folder_as_viewer;

-- Cycles terminate: false unless another path grants.
SELECT agentauthz.write_tuple('group:a', 'member', 'group:b#member');
SELECT agentauthz.write_tuple('group:b', 'member', 'group:a#member');
SELECT agentauthz.write_tuple('group:b', 'member', 'user:yuri');
SELECT agentauthz.check('user:yuri', 'member', 'group:a') AS cycle_with_path,
       agentauthz.check('user:zoe', 'member', 'group:a') AS cycle_without_path;
SELECT agentauthz.write_tuple('folder:loop1', 'parent', 'folder:loop2');
SELECT agentauthz.write_tuple('folder:loop2', 'parent', 'folder:loop1');
SELECT agentauthz.check('user:zoe', 'viewer', 'folder:loop1') AS parent_cycle;

-- Depth: a chain longer than agentauthz.max_depth is an ERROR (54001).
SELECT agentauthz.write_tuple('group:g' || i, 'member', 'group:g' || (i + 1) || '#member')
FROM generate_series(1, 30) AS i;
SELECT agentauthz.write_tuple('group:g31', 'member', 'user:deep');
SELECT regress.try($$SELECT agentauthz.check('user:deep', 'member', 'group:g20')::text$$) AS shallow;
SELECT regress.try($$SELECT agentauthz.check('user:deep', 'member', 'group:g1')::text$$) AS too_deep;
SET agentauthz.max_depth = 40;
SELECT regress.try($$SELECT agentauthz.check('user:deep', 'member', 'group:g1')::text$$) AS raised_limit;
RESET agentauthz.max_depth;
SELECT regress.try($$SET agentauthz.max_depth = 0$$);
SELECT regress.try($$SET agentauthz.max_depth = 100000$$);

-- Contextual tuples hold for one call only and are validated.
SELECT agentauthz.check('user:zoe', 'writer', 'document:plan',
  '[{"object": "document:plan", "relation": "writer", "subject": "user:zoe"}]') AS contextual,
       agentauthz.check('user:zoe', 'writer', 'document:plan') AS not_stored;
SELECT agentauthz.check('user:zoe', 'viewer', 'document:plan',
  '[{"object": "group:eng", "relation": "member", "user": "user:zoe"}]') AS contextual_membership;
SELECT regress.try(format($$SELECT agentauthz.check('user:zoe', 'viewer', 'document:plan', %L)::text$$, j)) AS result
FROM (VALUES
  ('{}'),
  ('[1]'),
  ('[{"object": "document:plan", "relation": "writer"}]'),
  ('[{"object": "document:plan", "relation": "writer", "subject": 7}]'),
  ('[{"object": "document:plan", "relation": "writer", "subject": "employee:zoe"}]'),
  ('[{"object": "document:plan", "relation": "writer", "subject": "user:*"}]'),
  ('[{"object": "document:plan", "relation": "parent", "subject": "folder:*"}]'),
  ('[{"object": "document:plan", "relation": "nope", "subject": "user:zoe"}]'),
  ('[{"object": "document:plan", "relation": "writer", "subject": "group:eng#nope"}]'),
  ('[{"object": "document plan", "relation": "writer", "subject": "user:zoe"}]')
) AS bad(j);

-- Request errors: unknown types and relations, malformed strings.
SELECT regress.try(format('SELECT agentauthz.check(%L, %L, %L)::text', s, r, o)) AS result, s, r, o
FROM (VALUES
  ('user:anne', 'viewer', 'report:1'),
  ('user:anne', 'nope', 'document:plan'),
  ('employee:anne', 'viewer', 'document:plan'),
  ('group:eng#nope', 'viewer', 'document:plan'),
  ('user:a:b', 'viewer', 'document:plan'),
  ('user:anne', 'viewer', 'document:a b'),
  ('user:anne', 'viewer', 'document:*'),
  ('user:anne', 'viewer', 'document'),
  ('user anne', 'viewer', 'document:plan'),
  ('', 'viewer', 'document:plan'),
  ('user:anne', '', 'document:plan')
) AS q(s, r, o);
SELECT agentauthz.check(NULL, 'viewer', 'document:plan') IS NULL AS null_in_null_out;
