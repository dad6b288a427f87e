-- Caches and lifecycle: a write is seen by the next check in the same
-- transaction, savepoint rollbacks are honoured, the extension can be dropped
-- and created again in a running session, and a cancelled evaluation leaves
-- the session healthy.
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
type document
  relations
    define viewer: [user, group#member]
$dsl$) > 0 AS model_written;

-- Same transaction: write then check, delete then check.
BEGIN;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS before_write;
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS after_write;
SELECT agentauthz.delete_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS after_delete;
INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:1', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS after_insert;
-- A rolled back savepoint takes its tuples with it.
SAVEPOINT s1;
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:bob');
SELECT agentauthz.check('user:bob', 'viewer', 'document:1') AS inside_savepoint;
ROLLBACK TO SAVEPOINT s1;
SELECT agentauthz.check('user:bob', 'viewer', 'document:1') AS after_rollback_to;
-- TRUNCATE and DROP work in a transaction that has already checked.
TRUNCATE agentauthz.tuples;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS after_truncate;
ROLLBACK;

-- Within one statement, a PL/pgSQL function sees its own writes.
CREATE FUNCTION pg_temp.write_then_check() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM agentauthz.write_tuple('document:2', 'viewer', 'user:carol');
  RETURN agentauthz.check('user:carol', 'viewer', 'document:2');
END
$$;
SELECT pg_temp.write_then_check() AS sees_own_write;

-- A new model in the same transaction is used by the next statement.
BEGIN;
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type document
  relations
    define viewer: [user]
    define editor: [user]
$dsl$) > 0 AS second_model;
SELECT agentauthz.write_tuple('document:3', 'editor', 'user:dan');
SELECT agentauthz.check('user:dan', 'editor', 'document:3') AS new_relation;
ROLLBACK;
SELECT regress.try($$SELECT agentauthz.check('user:dan', 'editor', 'document:3')::text$$) AS after_rollback;

-- Drop and create the extension repeatedly in this session.
SELECT agentauthz.check('user:carol', 'viewer', 'document:2') AS before_drop;
DO $$
BEGIN
  FOR i IN 1..3 LOOP
    DROP EXTENSION agentauthz;
    CREATE EXTENSION agentauthz;
    PERFORM agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user]');
    PERFORM agentauthz.write_tuple('document:' || i, 'viewer', 'user:round' || i);
    IF NOT agentauthz.check('user:round' || i, 'viewer', 'document:' || i) THEN
      RAISE EXCEPTION 'round % does not see its tuple', i;
    END IF;
    IF agentauthz.check('user:carol', 'viewer', 'document:2') THEN
      RAISE EXCEPTION 'round % sees a tuple of a dropped extension', i;
    END IF;
  END LOOP;
END
$$;
SELECT count(*) AS tuples_after_recreate FROM agentauthz.tuples;
BEGIN;
SELECT agentauthz.check('user:round3', 'viewer', 'document:3') AS checked;
DROP EXTENSION agentauthz;
CREATE EXTENSION agentauthz;
SELECT regress.try($$SELECT agentauthz.check('user:round3', 'viewer', 'document:3')::text$$) AS no_model_yet;
COMMIT;

-- Groups that all contain each other: a union-only check is a graph search
-- and stays fast however the cycles run.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
$dsl$) > 0 AS model_written;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'group:g' || a, 'member', 'group:g' || b || '#member'
FROM generate_series(1, 40) a, generate_series(1, 40) b WHERE a <> b;
SET agentauthz.max_depth = 512;
SET statement_timeout = '5s';
SELECT agentauthz.check('user:nobody', 'member', 'group:g1') AS cyclic_union_search;
-- With an exclusion the search is no longer monotone and explores paths:
-- a cancelled evaluation (statement_timeout) leaves the session healthy.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type group
  relations
    define banned: [user]
    define member: [user, group#member] but not banned
$dsl$) > 0 AS model_written;
SET statement_timeout = '200ms';
\set VERBOSITY terse
SELECT agentauthz.check('user:nobody', 'member', 'group:g1');
\set VERBOSITY default
RESET statement_timeout;
RESET agentauthz.max_depth;
SELECT agentauthz.write_tuple('group:g7', 'member', 'user:somebody');
SELECT agentauthz.check('user:somebody', 'member', 'group:g1') AS healthy_after_cancel;
SELECT count(*) AS groups FROM agentauthz.list_objects('user:somebody', 'member', 'group');

-- After VACUUM the visibility map lets lookups read index tuples alone:
-- expiry, deletes and new writes must still be honoured on that path.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type document
  relations
    define viewer: [user]
$dsl$) > 0 AS model_written;
SELECT count(*) FROM (
  SELECT agentauthz.write_tuple('document:v' || g, 'viewer', 'user:u' || g,
                                CASE WHEN g % 2 = 0 THEN now() - interval '1 minute' END)
  FROM generate_series(1, 200) g) AS written;
VACUUM (ANALYZE) agentauthz.tuples;
SELECT count(*) FILTER (WHERE agentauthz.check('user:u' || g, 'viewer', 'document:v' || g)) AS allowed
FROM generate_series(1, 200) g;
SELECT agentauthz.delete_tuple('document:v1', 'viewer', 'user:u1');
SELECT agentauthz.write_tuple('document:v2', 'viewer', 'user:u2');
SELECT agentauthz.check('user:u1', 'viewer', 'document:v1') AS deleted_after_vacuum,
       agentauthz.check('user:u2', 'viewer', 'document:v2') AS renewed_after_vacuum,
       agentauthz.check('user:u3', 'viewer', 'document:v3') AS kept_after_vacuum;
SELECT count(*) AS visible FROM agentauthz.list_objects('user:u5', 'viewer', 'document');
