-- Conditions under row-level security: a row's columns (protect's
-- context_columns), a delegation's pinned values, set_context and
-- current_time supply parameters; two sources disagreeing is an error; an
-- agent supplies nothing itself.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS agentauthz;
TRUNCATE agentauthz.tuples;
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type agent
type queue
  relations
    define refunder: [user with within_limit]
    define reviewer: [user with before_deadline]
type refund
  relations
    define queue: [queue]
    define viewer: refunder from queue
    define editor: refunder from queue
    define owner: refunder from queue
    define reviewer: reviewer from queue

condition within_limit(amount: double, limit: double) {
  amount <= limit
}

condition before_deadline(current_time: timestamp, deadline: timestamp) {
  current_time < deadline
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('queue:main', 'refunder', 'user:sue',
                              condition_name => 'within_limit', condition_context => '{"limit": 100}');
SELECT agentauthz.write_tuple('queue:main', 'refunder', 'user:pat',
                              condition_name => 'within_limit', condition_context => '{}');
SELECT agentauthz.write_tuple('queue:main', 'reviewer', 'user:sue',
                              condition_name => 'before_deadline',
                              condition_context => '{"deadline": "2999-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('queue:main', 'reviewer', 'user:pat',
                              condition_name => 'before_deadline',
                              condition_context => '{"deadline": "2000-01-01T00:00:00Z"}');
CREATE TABLE refunds (id int PRIMARY KEY, queue text NOT NULL, amount numeric NOT NULL);
INSERT INTO refunds VALUES (1, 'main', 40), (2, 'main', 250), (3, 'main', 99.5);
SELECT agentauthz.sync_tuples('refunds', 'refund', 'id', 'queue', 'queue', 'queue');
SELECT agentauthz.protect('refunds', 'refund', 'id', insert_relation => 'refunder',
                          parent_column => 'queue', parent_type => 'queue',
                          context_columns => '{amount}');
-- Explicit checks: the request's context, bad ones, a missing parameter.
SELECT agentauthz.check('user:sue', 'editor', 'refund:1', context => '{"amount": 5}') AS under,
       agentauthz.check('user:sue', 'editor', 'refund:1', context => '{"amount": 500}') AS over;
SELECT regress.try($$SELECT agentauthz.check('user:sue', 'editor', 'refund:1', context => '[1]')$$);
SELECT regress.try($$SELECT agentauthz.check('user:sue', 'editor', 'refund:1', context => '7')$$);
SELECT regress.try($$SELECT agentauthz.check('user:sue', 'editor', 'refund:1', context => '{"amount": "x"}')$$);
SELECT regress.try($$SELECT agentauthz.check('user:sue', 'editor', 'refund:1')$$);
SELECT regress.try($$SELECT * FROM agentauthz.list_objects('user:sue', 'editor', 'refund')$$);
SELECT regress.try($$SELECT * FROM agentauthz.list_subjects('refund:1', 'editor', 'user')$$);
SELECT agentauthz.explain('user:sue', 'editor', 'refund:1', context => '{"amount": 5}')
         #> '{path}' IS NOT NULL AS explained;
-- Bad context_columns.
SELECT agentauthz.protect('refunds', 'refund', 'id', context_columns => '{nope}');
SELECT agentauthz.protect('refunds', 'refund', 'id', strategy => 'set', context_columns => '{amount}');

DROP ROLE IF EXISTS cond_app;
CREATE ROLE cond_app IN ROLE agentauthz_app;
GRANT SELECT, INSERT ON refunds TO cond_app;
SET ROLE cond_app;
BEGIN;
SELECT agentauthz.set_subject('user:sue') IS NOT NULL AS acting;
-- The row's amount against sue's limit pinned by the tuple.
SELECT id, amount FROM refunds ORDER BY id;
-- WITH CHECK uses the new row's amount.
SAVEPOINT s;
INSERT INTO refunds VALUES (4, 'main', 60);
RELEASE s;
SAVEPOINT s;
INSERT INTO refunds VALUES (5, 'main', 600);
ROLLBACK TO s;
-- set_context giving the row's parameter another value: an error naming both.
SELECT agentauthz.set_context('{"amount": 1}');
SAVEPOINT s;
SELECT id FROM refunds ORDER BY id;
ROLLBACK TO s;
-- A number is one value however written: 40.0 agrees with the row's 40.
SELECT agentauthz.set_context('{"amount": 40.0}');
SELECT agentauthz.check_id('viewer', 'refund', 1, '{"amount": 40}') AS same_number;
-- A value nobody pins comes from set_context: pat's limit.
SELECT agentauthz.set_context('{"limit": 50}');
SELECT agentauthz.set_subject('user:pat') IS NOT NULL AS acting;
SELECT id, amount FROM refunds ORDER BY id;
SELECT agentauthz.set_context(NULL);
-- Without it, pat's tuple misses a parameter: every row is refused (on record).
SAVEPOINT s;
SELECT id FROM refunds ORDER BY id;
ROLLBACK TO s;
-- current_time is the statement's start where no source gives it.
SELECT agentauthz.check('reviewer', 'refund:1') AS pat_past_deadline;
SELECT agentauthz.set_subject('user:sue') IS NOT NULL AS acting;
SELECT agentauthz.check('reviewer', 'refund:1') AS sue_before_deadline;
ROLLBACK;
RESET ROLE;

-- An agent: the delegation pins the limit; the agent cannot call set_context.
DROP ROLE IF EXISTS cond_agent;
CREATE ROLE cond_agent;
SELECT agentauthz.register_agent('agent:refunds', 'cond_agent');
GRANT SELECT, INSERT ON refunds TO cond_agent;
SELECT agentauthz.delegate('user:pat', 'agent:refunds', '{refunder@queue:main,viewer@refund:*}',
                           now() + interval '1 hour', 'small refunds',
                           context => '{"limit": 45}') AS token \gset
SET ROLE cond_agent;
BEGIN;
SELECT agentauthz.act_for(:'token') IS NOT NULL AS acting;
SELECT id, amount FROM refunds ORDER BY id;
SAVEPOINT s;
SELECT agentauthz.set_context('{"limit": 1000}');
ROLLBACK TO s;
SAVEPOINT s;
INSERT INTO refunds VALUES (6, 'main', 44);
RELEASE s;
SAVEPOINT s;
INSERT INTO refunds VALUES (7, 'main', 46);
ROLLBACK TO s;
ROLLBACK;
RESET ROLE;
SELECT agentauthz.unprotect('refunds');
DROP TABLE refunds;
