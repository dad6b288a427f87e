-- Deterministic enterprise dataset for the agentauthz benchmark.
--
-- Run by bench/run.sh (psql variables :docs and :'model'). Nothing here is
-- random: every id, membership and grant is derived from integer ids with
-- bench.h(), an integer hash, so two runs with the same :docs produce the
-- same tuples.
--
-- Shape (docs = 1,000,000 by default):
--   user:u0 .. user:u9999            10,000 users
--   agent:a0 .. agent:a99            100 agents
--   group:g0 .. group:g999           1,000 groups in a 4-level hierarchy:
--       g0..g9 roots, g10..g49 level 1, g50..g199 level 2, g200..g999 leaves;
--       each non-root group is a member (group:P member group:C#member) of
--       one parent group, and every 7th leaf also of a second level-2 group.
--       Every user is in 2 leaf groups (u % 800 and a hashed one), every agent
--       in 1: a user reaches a root group through leaf -> l2 -> l1 -> root.
--   folder:f0-<j> .. folder:f4-<j>   26,210 folders, 5 levels:
--       10 roots, 200, 1,000, 5,000 and 20,000 leaf folders; folder f<L>-<j>
--       has parent f<L-1>-<j mod size(L-1)>, so a level-1 folder holds 0.5%
--       of the documents, a level-2 folder 0.1%.
--   document:d0 .. document:d<docs-1>, each with parent = leaf folder
--       f4-<h(i,1) mod 20000>: a 5-deep chain doc -> f4 -> f3 -> f2 -> f1 -> f0.
--
-- Grants:
--   every document: owner user:u<h(i,2) mod 10000>
--   i % 5 = 0    viewer user (direct grant)                    20% of docs
--   i % 10 = 1   viewer group#member of a non-root group       10%
--   i % 100 = 2  viewer group#member of a root group            1%
--   i % 20 = 3   editor user                                    5%
--   i % 20 = 7   editor group#member                            5%
--   i % 100 = 9  viewer agent                                   1%
--   root folder f0-r:      viewer users u<r>, u<r+10>, ... u<r+190> (users 0..199)
--   level-1 folder f1-m:   viewer user u<200+m> (users 200..399; with what
--                          they get through groups they see ~1% of documents)
--   level-2 folder f2-k:   viewer group#member of one leaf group (a team folder)
--   level-3 folder f3-j:   owner user; every 25th also viewer agent
-- A typical user (u400 and up) sees ~0.5% of the documents.
\set ON_ERROR_STOP on

BEGIN;

SET LOCAL client_min_messages = warning;
DROP TABLE IF EXISTS bench.dataset, bench.requests, bench.leaf_roots;

-- The integer hash everything is derived from (no random()).
CREATE OR REPLACE FUNCTION bench.h(x bigint, salt bigint) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  v bigint;
BEGIN
  v := (x * 2654435761 + salt * 40503 + 12345) % 4294967296;
  v := ((v # (v >> 16)) * 73244475) % 4294967296;
  v := ((v # (v >> 16)) * 73244475) % 4294967296;
  RETURN v # (v >> 16);
END
$$;

-- Parent group of a non-root group (tree), see the header.
CREATE OR REPLACE FUNCTION bench.group_parent(g int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN g < 10 THEN NULL
              WHEN g < 50 THEN (g - 10) % 10
              WHEN g < 200 THEN 10 + (g - 50) % 40
              ELSE 50 + (g - 200) % 150 END
$$;

-- Marks the tuples as the benchmark's; run.sh sets the version when done.
CREATE TABLE bench.dataset (version text NOT NULL, generated_at timestamptz, load_seconds numeric,
                            request_seconds numeric);
INSERT INTO bench.dataset VALUES ('incomplete');

TRUNCATE agentauthz.tuples;
SELECT agentauthz.write_model(:'model') AS model_id
 WHERE agentauthz.read_model() IS DISTINCT FROM :'model';

-- Groups ---------------------------------------------------------------------
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'group:g' || bench.group_parent(g), 'member', 'group:g' || g || '#member'
  FROM generate_series(10, 999) g;
-- A DAG, not only a tree: every 7th leaf is also in a second level-2 group.
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'group:g' || (50 + (j * 3 + 17) % 150), 'member', 'group:g' || j || '#member'
  FROM generate_series(200, 999) j
 WHERE j % 7 = 0 AND 50 + (j * 3 + 17) % 150 <> bench.group_parent(j);
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT DISTINCT 'group:g' || g, 'member', 'user:u' || u
  FROM generate_series(0, 9999) u,
       LATERAL (VALUES (200 + u % 800), (200 + bench.h(u, 3) % 800)) v(g);
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'group:g' || (200 + bench.h(a, 29) % 800), 'member', 'agent:a' || a
  FROM generate_series(0, 99) a;

-- Folders --------------------------------------------------------------------
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f' || l.level || '-' || j, 'parent', 'folder:f' || (l.level - 1) || '-' || (j % l.up)
  FROM (VALUES (1, 200, 10), (2, 1000, 200), (3, 5000, 1000), (4, 20000, 5000)) l(level, size, up),
       LATERAL generate_series(0, l.size - 1) j;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f0-' || (u % 10), 'viewer', 'user:u' || u FROM generate_series(0, 199) u;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f1-' || m, 'viewer', 'user:u' || (200 + m) FROM generate_series(0, 199) m;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f2-' || k, 'viewer', 'group:g' || (200 + bench.h(k, 19) % 800) || '#member'
  FROM generate_series(0, 999) k;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f3-' || j, 'owner', 'user:u' || (bench.h(j, 23) % 10000)
  FROM generate_series(0, 4999) j;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:f3-' || j, 'viewer', 'agent:a' || (j / 25 % 100)
  FROM generate_series(0, 4999) j WHERE j % 25 = 0;

-- Documents ------------------------------------------------------------------
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'document:d' || i, v.relation, v.subject
  FROM generate_series(0, :docs - 1) i,
       LATERAL (VALUES
         ('parent', 'folder:f4-' || (bench.h(i, 1) % 20000)),
         ('owner',  'user:u' || (bench.h(i, 2) % 10000)),
         ('viewer', CASE WHEN i % 5 = 0 THEN 'user:u' || (bench.h(i, 3) % 10000) END),
         ('viewer', CASE WHEN i % 10 = 1 THEN 'group:g' || (10 + bench.h(i, 4) % 990) || '#member' END),
         ('viewer', CASE WHEN i % 100 = 2 THEN 'group:g' || (bench.h(i, 5) % 10) || '#member' END),
         ('editor', CASE WHEN i % 20 = 3 THEN 'user:u' || (bench.h(i, 6) % 10000) END),
         ('editor', CASE WHEN i % 20 = 7 THEN 'group:g' || (bench.h(i, 7) % 1000) || '#member' END),
         ('viewer', CASE WHEN i % 100 = 9 THEN 'agent:a' || (bench.h(i, 8) % 100) END)
       ) v(relation, subject)
 WHERE v.subject IS NOT NULL;

-- Leaf groups below each root group (for drawing group-nested requests).
CREATE TABLE bench.leaf_roots AS
SELECT j AS leaf, bench.group_parent(bench.group_parent(bench.group_parent(j))) AS root
  FROM generate_series(200, 999) j;

COMMIT;

VACUUM (ANALYZE) agentauthz.tuples;
