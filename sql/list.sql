-- list_objects and list_subjects: agree with check, no duplicates, wildcards,
-- usersets, exclusions and intersections, contextual tuples, errors.
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
    define parent: [folder]
    define viewer: [user, user:*, group#member] or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: [user]
    define reviewer: [user]
    define blocked: [user]
    define viewer: ([user, group#member] or owner or viewer from parent) but not blocked
    define approver: owner and reviewer
$dsl$) > 0 AS model_written;

SELECT count(*) FROM (SELECT agentauthz.write_tuple(o, r, s) FROM (VALUES
  ('group:eng', 'member', 'user:anne'),
  ('group:all', 'member', 'group:eng#member'),
  ('folder:root', 'viewer', 'group:all#member'),
  ('folder:q1', 'parent', 'folder:root'),
  ('folder:public', 'viewer', 'user:*'),
  ('document:a', 'parent', 'folder:q1'),
  ('document:b', 'parent', 'folder:q1'),
  ('document:b', 'viewer', 'user:anne'),
  ('document:c', 'parent', 'folder:public'),
  ('document:d', 'owner', 'user:bob'),
  ('document:d', 'reviewer', 'user:bob'),
  ('document:e', 'owner', 'user:bob'),
  ('document:e', 'parent', 'folder:q1'),
  ('document:e', 'blocked', 'user:anne')
) AS t(o, r, s)) AS written;

SELECT * FROM agentauthz.list_objects('user:anne', 'viewer', 'document');
SELECT * FROM agentauthz.list_objects('user:bob', 'viewer', 'document');
SELECT * FROM agentauthz.list_objects('user:bob', 'approver', 'document');
SELECT * FROM agentauthz.list_objects('user:anne', 'viewer', 'folder');
SELECT * FROM agentauthz.list_objects('group:eng#member', 'viewer', 'folder');
SELECT * FROM agentauthz.list_objects('user:*', 'viewer', 'folder');
SELECT * FROM agentauthz.list_objects('user:nobody', 'viewer', 'document');

-- list_objects agrees with check for every user and document.
WITH users(s) AS (VALUES ('user:anne'), ('user:bob'), ('user:carl')),
     docs(o) AS (VALUES ('document:a'), ('document:b'), ('document:c'), ('document:d'), ('document:e'), ('document:z')),
     by_check AS (SELECT s, o FROM users, docs WHERE agentauthz.check(s, 'viewer', o)),
     by_list AS (SELECT s, l AS o FROM users, agentauthz.list_objects(s, 'viewer', 'document') AS l)
SELECT (SELECT count(*) FROM by_check) AS checked,
       (SELECT count(*) FROM (SELECT * FROM by_check EXCEPT SELECT * FROM by_list) x) AS missing_from_list,
       (SELECT count(*) FROM (SELECT * FROM by_list EXCEPT SELECT * FROM by_check) x) AS extra_in_list;

-- No duplicates even when several paths grant.
SELECT agentauthz.write_tuple('document:a', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('document:a', 'viewer', 'group:eng#member');
SELECT l, count(*) FROM agentauthz.list_objects('user:anne', 'viewer', 'document') AS l GROUP BY l ORDER BY l;

-- list_subjects: plain types, wildcards, usersets.
SELECT * FROM agentauthz.list_subjects('document:a', 'viewer', 'user');
SELECT * FROM agentauthz.list_subjects('document:c', 'viewer', 'user');
SELECT * FROM agentauthz.list_subjects('document:e', 'viewer', 'user');
SELECT * FROM agentauthz.list_subjects('document:d', 'approver', 'user');
SELECT * FROM agentauthz.list_subjects('folder:root', 'viewer', 'group#member');
SELECT * FROM agentauthz.list_subjects('group:all', 'member', 'group#member');
SELECT * FROM agentauthz.list_subjects('document:a', 'parent', 'folder');

-- Contextual tuples.
SELECT * FROM agentauthz.list_objects('user:carl', 'viewer', 'document',
  '[{"object": "group:eng", "relation": "member", "subject": "user:carl"}]');
SELECT * FROM agentauthz.list_subjects('document:z', 'viewer', 'user',
  '[{"object": "document:z", "relation": "viewer", "subject": "user:carl"},
    {"object": "document:z", "relation": "viewer", "subject": "user:carl"}]');

-- Errors are the same as check's.
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_objects('user:anne', 'viewer', 'report')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_objects('user:anne', 'nope', 'document')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_objects('employee:anne', 'viewer', 'document')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_objects('user:a b', 'viewer', 'document')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_subjects('document:a', 'viewer', 'employee')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_subjects('document:a', 'viewer', 'group#nope')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_subjects('document', 'viewer', 'user')$$);

-- Deep chains raise the depth error in lists too.
SELECT count(*) FROM (SELECT agentauthz.write_tuple('group:g' || i, 'member', 'group:g' || (i + 1) || '#member')
                      FROM generate_series(1, 30) AS i) AS chain;
SELECT agentauthz.write_tuple('group:g31', 'member', 'user:deep');
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_objects('user:deep', 'member', 'group')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_subjects('group:g1', 'member', 'user')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.list_subjects('group:g20', 'member', 'user')$$);
