-- The dataset of bench/conditions.sh: documents sue may view directly or
-- through a conditional tuple, and two refund tables of :rows rows under
-- one queue, one protected with the row's amount as a condition parameter.
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type document
  relations
    define plain_viewer: [user]
    define limited_viewer: [user with within_limit]
type queue
  relations
    define refunder: [user, user with within_limit]
    define limited_refunder: [user with within_limit]
type refund
  relations
    define queue: [queue]
    define viewer: refunder from queue
    define limited_viewer: limited_refunder from queue
    define editor: viewer
    define owner: viewer

condition within_limit(amount: double, limit: double) {
  amount <= limit
}
$dsl$);
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'document:' || i, 'plain_viewer', 'user:sue' FROM generate_series(1, 100000) i;
INSERT INTO agentauthz.tuples (object, relation, subject, condition_name, condition_context)
  SELECT 'document:' || i, 'limited_viewer', 'user:sue', 'within_limit', '{"limit": 100}'
  FROM generate_series(1, 100000) i;
SELECT agentauthz.write_tuple('queue:main', 'refunder', 'user:sue');
SELECT agentauthz.write_tuple('queue:main', 'limited_refunder', 'user:sue',
                              condition_name => 'within_limit', condition_context => '{"limit": 100}');
CREATE TABLE plain_refunds (id bigint PRIMARY KEY, queue text, amount numeric);
CREATE TABLE limited_refunds (id bigint PRIMARY KEY, queue text, amount numeric);
INSERT INTO plain_refunds SELECT i, 'main', i % 200 FROM generate_series(1, :rows) i;
INSERT INTO limited_refunds SELECT i, 'main', i % 200 FROM generate_series(1, :rows) i;
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'refund:' || i, 'queue', 'queue:main' FROM generate_series(1, :rows) i;
SELECT agentauthz.protect('plain_refunds', 'refund', 'id');
SELECT agentauthz.protect('limited_refunds', 'refund', 'id', select_relation => 'limited_viewer',
                          context_columns => '{amount}');
DO $$ BEGIN CREATE ROLE bench_app; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT agentauthz_app TO bench_app;
GRANT SELECT ON plain_refunds, limited_refunds TO bench_app;
VACUUM ANALYZE;
