-- Pre-generated check requests, :n per kind, derived from the request
-- number k with bench.h() and modular arithmetic (no random()). Within a
-- kind the documents are distinct or nearly so and the users vary, so the
-- engine's per-statement caches cannot answer one request from another
-- except where requests truly share data (a folder's parent, a group's
-- members), as they would in an RLS scan.
--
--   direct  k-th document with a direct viewer grant (i = 5 * ((k*7919+13) mod docs/5)),
--           asked for the user that grant names.
--   group   a document granted to a ROOT group (i % 100 = 2, i = 100 * ((k*7919+29) mod docs/100) + 2),
--           asked for a user whose leaf group sits 3 levels below that root:
--           user -> leaf -> level 2 -> level 1 -> root group -> document.
--   folder  document i = (k*7919+37) mod docs, asked for one of the 20 users
--           holding viewer on the root folder f0-r of its 5-deep chain:
--           document -> f4 -> f3 -> f2 -> f1 -> f0 (grant here).
--   group-1st, folder-1st  the first request of each user in group / folder
--   denied  a hashed regular user (u400..u9999) and a hashed document; the
--           candidates are filtered with the plain-SQL baseline to those it
--           denies, and the first :n are kept.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

BEGIN;
DROP TABLE IF EXISTS bench.requests;
CREATE TABLE bench.requests (
    kind     text NOT NULL,
    seq      int NOT NULL,
    subject  text COLLATE "C" NOT NULL,
    relation text COLLATE "C" NOT NULL,
    object   text COLLATE "C" NOT NULL,
    expected boolean NOT NULL,
    PRIMARY KEY (kind, seq)
);

INSERT INTO bench.requests
SELECT 'direct', k, 'user:u' || (bench.h(i, 3) % 10000), 'viewer', 'document:d' || i, true
  FROM generate_series(0, :n - 1) k,
       LATERAL (SELECT 5 * ((k::bigint * 7919 + 13) % (:docs / 5)) AS i) d;

INSERT INTO bench.requests
SELECT 'group', k, 'user:u' || (leaf - 200 + 800 * (bench.h(k, 31) % 12)), 'viewer', 'document:d' || i, true
  FROM generate_series(0, :n - 1) k,
       LATERAL (SELECT 100 * ((k::bigint * 7919 + 29) % (:docs / 100)) + 2 AS i) d,
       LATERAL (SELECT array_agg(leaf ORDER BY leaf) AS leaves
                  FROM bench.leaf_roots WHERE root = bench.h(d.i, 5) % 10) lr,
       LATERAL (SELECT lr.leaves[1 + bench.h(k, 37) % cardinality(lr.leaves)] AS leaf) l;

INSERT INTO bench.requests
SELECT 'folder', k, 'user:u' || (bench.h(i, 1) % 20000 % 10 + 10 * (bench.h(k, 41) % 20)), 'viewer',
       'document:d' || i, true
  FROM generate_series(0, :n - 1) k,
       LATERAL (SELECT (k::bigint * 7919 + 37) % :docs AS i) d;

-- Memo-cold variants: each user's first request of the group and folder
-- kinds only. The engine remembers (subject, object#relation) results for
-- the rest of a statement, so a user's later requests under the same root
-- group or root folder reuse what its first request resolved.
INSERT INTO bench.requests
SELECT kind || '-1st', (row_number() OVER (PARTITION BY kind ORDER BY seq) - 1)::int,
       subject, relation, object, expected
  FROM (SELECT DISTINCT ON (kind, subject) *
          FROM bench.requests WHERE kind IN ('group', 'folder')
         ORDER BY kind, subject, seq) f;

INSERT INTO bench.requests
SELECT 'denied', (row_number() OVER (ORDER BY k) - 1)::int, subject, 'viewer', object, false
  FROM (SELECT k, 'user:u' || (400 + bench.h(k, 43) % 9600) AS subject,
               'document:d' || (bench.h(k, 47) % :docs) AS object
          FROM generate_series(0, (:n * 11) / 10) k) c
 WHERE NOT bench.cte_check(subject, 'viewer', object)
 ORDER BY k
 LIMIT :n;

COMMIT;
ANALYZE bench.requests;
