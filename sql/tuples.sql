-- Tuples: write_tuple, delete_tuple, INSERT and COPY, all validated the same
-- way; strict parsing of objects and subjects; expiry.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;


-- Without a model nothing can be stored.
SELECT regress.try($$SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:1', 'viewer', 'user:anne')$$);

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [folder]
    define owner: [user]
    define viewer: [user, user:*, group#member] or owner or viewer from parent
    define can_share: owner
$dsl$) > 0 AS model_written;

-- Idempotent writes.
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'group:eng#member');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:*');
SELECT agentauthz.write_tuple('document:1', 'parent', 'folder:a');
SELECT object, relation, subject, expires_at FROM agentauthz.tuples ORDER BY 1, 2, 3;

-- Malformed objects, relations and subjects: a clear error, nothing stored.
SELECT regress.try(format('SELECT agentauthz.write_tuple(%L, %L, %L)', o, r, s)) AS result, o, r, s
FROM (VALUES
  ('document', 'viewer', 'user:anne'),
  (':1', 'viewer', 'user:anne'),
  ('document:', 'viewer', 'user:anne'),
  ('document:1:2', 'viewer', 'user:anne'),
  ('document:a b', 'viewer', 'user:anne'),
  ('document:a#b', 'viewer', 'user:anne'),
  ('document:*', 'viewer', 'user:anne'),
  (' document:1', 'viewer', 'user:anne'),
  ('document:1', '', 'user:anne'),
  ('document:1', 'vie wer', 'user:anne'),
  ('document:1', 'viewer#x', 'user:anne'),
  ('document:1', 'viewer', 'user'),
  ('document:1', 'viewer', 'user:'),
  ('document:1', 'viewer', ':anne'),
  ('document:1', 'viewer', 'user:an ne'),
  ('document:1', 'viewer', 'user:anne#'),
  ('document:1', 'viewer', 'user:*#member'),
  ('document:1', 'viewer', 'group:eng#mem ber'),
  ('document:1', 'viewer', 'group:eng#member#x'),
  ('document:1', 'viewer', E'user:an\tne'),
  ('document:1', 'viewer', E'user:anne\n')
) AS bad(o, r, s);
SELECT regress.try($$SELECT agentauthz.write_tuple('document:' || repeat('x', 300), 'viewer', 'user:anne')$$);
SELECT regress.try($$SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:' || repeat('x', 600))$$);
SELECT regress.try($$SELECT agentauthz.write_tuple('document:1', repeat('r', 51), 'user:anne')$$);
SELECT regress.try($$SELECT agentauthz.write_tuple(NULL, 'viewer', 'user:anne')$$);
-- Control characters and non-ASCII whitespace or invisible characters.
SELECT regress.try(format('SELECT agentauthz.write_tuple(%L, %L, %L)', 'document:a' || chr(c), 'viewer', 'user:anne')) AS result, c
FROM unnest(ARRAY[1, 8, 27, 127, 133, 160, 8203, 8238, 8288, 12288, 65279]) AS c;
-- Other non-ASCII characters are fine in ids.
SELECT agentauthz.write_tuple('document:café-ü-日本', 'viewer', 'user:zoë');
SELECT agentauthz.check('user:zoë', 'viewer', 'document:café-ü-日本');

-- Well-formed but not allowed by the model.
SELECT regress.try(format('SELECT agentauthz.write_tuple(%L, %L, %L)', o, r, s)) AS result, o, r, s
FROM (VALUES
  ('report:1', 'viewer', 'user:anne'),
  ('document:1', 'editor', 'user:anne'),
  ('document:1', 'viewer', 'employee:anne'),
  ('document:1', 'viewer', 'group:eng'),
  ('document:1', 'viewer', 'group:eng#owner'),
  ('document:1', 'viewer', 'group:*'),
  ('document:1', 'owner', 'user:*'),
  ('document:1', 'parent', 'folder:*'),
  ('document:1', 'parent', 'user:anne'),
  ('document:1', 'can_share', 'user:anne')
) AS bad(o, r, s);

-- INSERT and COPY go through the same validation.
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:2', 'viewer', 'user:bob')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:2', 'viewer', 'employee:bob')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:2', 'viewer', 'user:b b')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES (NULL, 'viewer', 'user:bob')$$);
SELECT regress.try($$UPDATE agentauthz.tuples SET subject = 'employee:bob' WHERE object = 'document:2'$$);
COPY agentauthz.tuples (object, relation, subject) FROM stdin;
document:3	viewer	user:carol
document:3	owner	user:dave
\.
SELECT regress.try($$COPY agentauthz.tuples (object, relation, subject) FROM PROGRAM 'printf ''document:4\tviewer\tuser:erin\ndocument:4\tviewer\tuser:x y\n'''$$);
SELECT object, relation, subject FROM agentauthz.tuples WHERE object IN ('document:2', 'document:3', 'document:4') ORDER BY 1, 2, 3;
-- A duplicate INSERT is a unique violation; write_tuple is the idempotent path.
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:2', 'viewer', 'user:bob')$$);

-- Deleting.
SELECT agentauthz.delete_tuple('document:2', 'viewer', 'user:bob') AS deleted;
SELECT agentauthz.delete_tuple('document:2', 'viewer', 'user:bob') AS deleted_again;
SELECT regress.try($$SELECT agentauthz.delete_tuple('document:2', 'viewer', 'user bob')$$);
SELECT agentauthz.check('user:bob', 'viewer', 'document:2') AS bob_after_delete;

-- Expiry: a tuple stops granting once expires_at <= now().
SELECT agentauthz.write_tuple('document:5', 'viewer', 'user:frank', now() + interval '1 hour');
SELECT agentauthz.write_tuple('document:5', 'viewer', 'user:gina', now() - interval '1 second');
SELECT agentauthz.check('user:frank', 'viewer', 'document:5') AS frank_unexpired,
       agentauthz.check('user:gina', 'viewer', 'document:5') AS gina_expired;
-- Rewriting updates the expiry of the existing tuple.
SELECT agentauthz.write_tuple('document:5', 'viewer', 'user:gina', NULL);
SELECT agentauthz.check('user:gina', 'viewer', 'document:5') AS gina_renewed;
SELECT count(*) FROM agentauthz.tuples WHERE object = 'document:5';
SELECT agentauthz.write_tuple('document:5', 'viewer', 'user:frank', now());
SELECT agentauthz.check('user:frank', 'viewer', 'document:5') AS frank_expired_now;
SELECT * FROM agentauthz.list_subjects('document:5', 'viewer', 'user');

-- Roles: the app role writes tuples, anyone else is refused (42501).
CREATE ROLE tuple_app IN ROLE agentauthz_app;
CREATE ROLE tuple_outsider;
SET ROLE tuple_app;
SELECT agentauthz.write_tuple('document:6', 'viewer', 'user:hank');
SELECT agentauthz.check('user:hank', 'viewer', 'document:6');
RESET ROLE;
SET ROLE tuple_outsider;
SELECT regress.try($$SELECT agentauthz.write_tuple('document:6', 'viewer', 'user:ivan')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:6', 'viewer', 'user:ivan')$$);
SELECT regress.try($$SELECT count(*) FROM agentauthz.tuples$$);
SELECT regress.try($$SELECT agentauthz.check('user:hank', 'viewer', 'document:6')$$);
RESET ROLE;
DROP ROLE tuple_app;
DROP ROLE tuple_outsider;
