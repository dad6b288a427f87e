-- Attacks on conditions (0.5) that succeed today. Each block marked
-- Each case was once a hole; "KEPT:" marks behaviour kept on purpose.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS scond_refunds, scond_claims, scond_docs;
DROP ROLE IF EXISTS scond_bot, scond_helper, scond_intake, scond_app, scond_lent, scond_plain;
RESET client_min_messages;

CREATE ROLE scond_bot;
CREATE ROLE scond_helper;
CREATE ROLE scond_intake;
CREATE ROLE scond_lent;
CREATE ROLE scond_app IN ROLE agentauthz_app;
SELECT agentauthz.register_agent('agent:bot', 'scond_bot');
SELECT agentauthz.register_agent('agent:helper', 'scond_helper');
SELECT agentauthz.register_agent('agent:intake', 'scond_intake');

--------------------------------------------------------------------------------
-- 1. An agent supplies condition parameters itself, through its own
--    sub-delegation's context (to itself or to another agent it hands on
--    to). The README promises the actor's checks take values only from
--    trusted sources, and pg/actor/actor_condition_values.h that "an agent
--    can never supply or override one itself"; but a child link's context
--    is the agent's own words and is then used like the issuer's.
--------------------------------------------------------------------------------
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
    define viewer: reviewer from queue
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
-- pat's review window closed in 2000; pat's refund limit is left to whoever
-- delegates (the tuple pins none).
SELECT agentauthz.write_tuple('queue:main', 'reviewer', 'user:pat',
                              condition_name => 'before_deadline',
                              condition_context => '{"deadline": "2000-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('queue:main', 'refunder', 'user:pat',
                              condition_name => 'within_limit', condition_context => '{}');
CREATE TABLE scond_refunds (id int PRIMARY KEY, queue text NOT NULL, amount numeric NOT NULL);
INSERT INTO scond_refunds VALUES (1, 'main', 40), (2, 'main', 250), (3, 'main', 99.5);
SELECT agentauthz.sync_tuples('scond_refunds', 'refund', 'id', 'queue', 'queue', 'queue');
SELECT agentauthz.protect('scond_refunds', 'refund', 'id');
GRANT SELECT ON scond_refunds TO scond_bot, scond_helper;

-- 1a. current_time. The application delegates reviewing to the bot; pat's
-- window is closed, so the bot sees nothing.
SELECT agentauthz.delegate('user:pat', 'agent:bot', '{viewer@refund:*,reviewer@refund:*}',
                           now() + interval '1 hour', 'review') AS review_token \gset
SET ROLE scond_bot;
SELECT agentauthz.act_for(:'review_token', local => false) ->> 'valid' AS acting;
SELECT agentauthz.check('reviewer', 'refund:1') AS reviewer_now;
SELECT count(*) AS rows_seen FROM scond_refunds;
-- The bot hands the task on to itself, with current_time in 1999 ...
SELECT agentauthz.subdelegate('agent:bot', '{viewer@refund:*,reviewer@refund:*}',
                              now() + interval '1 hour', 'me again',
                              context => '{"current_time": "1999-01-01T00:00:00Z"}') AS own_child \gset
SELECT agentauthz.act_for(:'own_child', local => false) ->> 'valid' AS acting_under_own_child;
-- Values a sub-delegation's agent pins only narrow: the window stays
-- closed (false, 0 rows).
SELECT agentauthz.check('reviewer', 'refund:1') AS reviewer_time_travel;
SELECT count(*) AS rows_seen FROM scond_refunds;
SELECT agentauthz.end_task();
-- ... and another agent it hands on to gets more than the bot had.
SELECT agentauthz.act_for(:'review_token', local => false) ->> 'valid' AS acting;
SELECT agentauthz.subdelegate('agent:helper', '{viewer@refund:*}', now() + interval '1 hour',
                              'helper', context => '{"current_time": "1999-01-01T00:00:00Z"}')
  AS helper_token \gset
SELECT agentauthz.end_task();
RESET ROLE;
SET ROLE scond_helper;
SELECT agentauthz.act_for(:'helper_token', local => false) ->> 'valid' AS acting;
-- Nor does the helper read refunds its parent could not (0).
SELECT count(*) AS helper_rows_seen FROM scond_refunds;
SELECT agentauthz.end_task();
RESET ROLE;

-- 1b. A parameter the issuer left open. The application delegates refunds
-- without pinning pat's limit: every check through pat's tuple misses it
-- (22023), so the bot is refused.
SELECT agentauthz.delegate('user:pat', 'agent:bot', '{editor@refund:*}',
                           now() + interval '1 hour', 'refunds') AS refund_token \gset
SET ROLE scond_bot;
SELECT agentauthz.act_for(:'refund_token', local => false) ->> 'valid' AS acting;
SELECT regress.try($$SELECT agentauthz.check('editor', 'refund:2')$$) AS editor_without_limit;
-- The bot pins its own limit and acts under it.
SELECT agentauthz.subdelegate('agent:bot', '{editor@refund:*}', now() + interval '1 hour',
                              'my own limit', context => '{"limit": 1000000, "amount": 1}')
  AS own_limit \gset
SELECT agentauthz.act_for(:'own_limit', local => false) ->> 'valid' AS acting_under_own_child;
-- The bot's own limit does not fill the one the issuers left open: false.
SELECT regress.try($$SELECT agentauthz.check('editor', 'refund:2')$$) AS editor_with_own_limit;
SELECT agentauthz.end_task();
RESET ROLE;
SELECT agentauthz.unprotect('scond_refunds');
SELECT agentauthz.unsync_tuples('scond_refunds', 'queue', 'queue');
DROP TABLE scond_refunds;
TRUNCATE agentauthz.tuples;

--------------------------------------------------------------------------------
-- 2. Conditional tuples grant unconditionally once write_model makes their
--    relation unconditional. check() of the direct tuple ignores it (the
--    model no longer allows its shape), but every path that searches
--    monotone relations as plain reachability -- a userset's membership,
--    list_objects, list_subjects, the actor's allowed set -- counts it as
--    if it had no condition.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type group
  relations
    define member: [user with never]
type doc
  relations
    define viewer: [user with never, group#member]
    define other: [user with never]
condition never(x: int) {
  x > 100
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('doc:1', 'viewer', 'user:eve', condition_name => 'never',
                              condition_context => '{"x": 1}');
SELECT agentauthz.write_tuple('group:g', 'member', 'user:eve', condition_name => 'never',
                              condition_context => '{"x": 1}');
SELECT agentauthz.write_tuple('doc:2', 'viewer', 'group:g#member');
SELECT agentauthz.check('user:eve', 'viewer', 'doc:1') AS doc1, agentauthz.check('user:eve', 'viewer', 'doc:2') AS doc2;
-- The relations become unconditional; the condition stays in the model
-- (used by `other`). The stored tuples keep their condition.
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type group
  relations
    define member: [user]
type doc
  relations
    define viewer: [user, group#member]
    define other: [user with never]
condition never(x: int) {
  x > 100
}
$$) > 0 AS model_written;
-- A tuple whose condition the relation no longer allows never counts, on
-- any path: false and empty everywhere.
SELECT agentauthz.check('user:eve', 'viewer', 'doc:1') AS doc1,
       agentauthz.check('user:eve', 'viewer', 'doc:2') AS doc2,
       agentauthz.check('user:eve', 'member', 'group:g') AS member;
SELECT agentauthz.list_objects('user:eve', 'viewer', 'doc');
SELECT agentauthz.list_subjects('doc:1', 'viewer', 'user');
-- The same under row-level security: an application acting as eve.
SET ROLE scond_app;
BEGIN;
SELECT agentauthz.set_subject('user:eve') IS NOT NULL AS acting;
-- The same for the actor: false, and no allowed ids.
SELECT agentauthz.check('viewer', 'doc:2') AS actor_doc2;
SELECT agentauthz.allowed_ids('viewer', 'doc');
COMMIT;
RESET ROLE;
TRUNCATE agentauthz.tuples;

--------------------------------------------------------------------------------
-- 3. One agent's rows break every other reader's scan. A row value the
--    condition cannot take (NULL, a number beyond a double) is an error
--    (22023) for the whole statement of every actor whose check reaches the
--    condition, not a refusal of that row. Writing it needs no condition:
--    here inserts are checked on the queue's `member`. The README promises
--    that one agent cannot make other readers' scans fail, and that a row
--    whose key names no object is denied, never an error.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type queue
  relations
    define member: [user]
    define refunder: [user with within_limit]
type refund
  relations
    define queue: [queue]
    define viewer: refunder from queue
    define editor: refunder from queue
    define owner: refunder from queue
condition within_limit(amount: double, limit: double) {
  amount <= limit
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('queue:main', 'member', 'user:ann');
SELECT agentauthz.write_tuple('queue:main', 'refunder', 'user:sue',
                              condition_name => 'within_limit', condition_context => '{"limit": 100}');
CREATE TABLE scond_claims (id int PRIMARY KEY, queue text NOT NULL, amount numeric);
INSERT INTO scond_claims VALUES (1, 'main', 40), (2, 'main', 250);
SELECT agentauthz.sync_tuples('scond_claims', 'refund', 'id', 'queue', 'queue', 'queue');
SELECT agentauthz.protect('scond_claims', 'refund', 'id', insert_relation => 'member',
                          parent_column => 'queue', parent_type => 'queue',
                          context_columns => '{amount}');
GRANT SELECT, INSERT ON scond_claims TO scond_intake;
GRANT SELECT ON scond_claims TO scond_app;
SELECT agentauthz.delegate('user:ann', 'agent:intake', '{member@queue:main}',
                           now() + interval '1 hour', 'intake') AS intake_token \gset
SET ROLE scond_app;
BEGIN;
SELECT agentauthz.set_subject('user:sue') IS NOT NULL AS acting;
SELECT id FROM scond_claims ORDER BY id;
COMMIT;
RESET ROLE;
-- The intake agent files two claims whose amounts no condition can take.
SET ROLE scond_intake;
BEGIN;
SELECT agentauthz.act_for(:'intake_token') ->> 'valid' AS acting;
INSERT INTO scond_claims VALUES (3, 'main', NULL);
INSERT INTO scond_claims VALUES (4, 'main', 1e309);
COMMIT;
RESET ROLE;
SET ROLE scond_app;
BEGIN;
SELECT agentauthz.set_subject('user:sue') IS NOT NULL AS acting;
-- Rows whose values a condition cannot take are refused (and on record),
-- never the reader's whole scan: claim 1.
SELECT regress.try($$SELECT string_agg(id::text, ',' ORDER BY id) FROM scond_claims$$) AS sue_scan;
COMMIT;
RESET ROLE;
DELETE FROM scond_claims WHERE id = 3;
SET ROLE scond_app;
BEGIN;
SELECT agentauthz.set_subject('user:sue') IS NOT NULL AS acting;
SELECT left(regress.try($$SELECT string_agg(id::text, ',' ORDER BY id) FROM scond_claims$$), 150)
  AS sue_scan;
COMMIT;
RESET ROLE;
SELECT agentauthz.unprotect('scond_claims');
SELECT agentauthz.unsync_tuples('scond_claims', 'queue', 'queue');
DROP TABLE scond_claims;
TRUNCATE agentauthz.tuples;

-- 3b. The same through a conflict: delegations pin the region, rows carry
-- theirs (context_columns). A row of another region is an error for the
-- whole scan rather than a refused row, and its DETAIL shows the agent the
-- value its delegation pins (current_actor() shows agents the names only).
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type ticket
  relations
    define viewer: [user with in_region]
    define editor: [user]
    define owner: [user]
condition in_region(region: string, budget: int) {
  budget > 0
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('ticket:' || g, 'viewer', 'user:sue', condition_name => 'in_region')
  FROM generate_series(1, 3) g;
CREATE TABLE scond_claims (id int PRIMARY KEY, region text NOT NULL);
INSERT INTO scond_claims VALUES (1, 'eu'), (2, 'eu'), (3, 'us');
SELECT agentauthz.protect('scond_claims', 'ticket', 'id', context_columns => '{region}');
GRANT SELECT ON scond_claims TO scond_bot;
SELECT agentauthz.delegate('user:sue', 'agent:bot', '{viewer@ticket:*}', now() + interval '1 hour',
                           'eu tickets', context => '{"region": "eu", "budget": 4242}') AS eu_token \gset
SET ROLE scond_bot;
BEGIN;
SELECT agentauthz.act_for(:'eu_token') ->> 'valid' AS acting;
SELECT agentauthz.current_actor() -> 'context_parameters' AS agent_sees;
SELECT id FROM scond_claims WHERE id = 1;
-- KEPT: a row giving a pinned parameter another value is an error (22023,
-- as the sources must never be silently overridden); it names the
-- sources, never the values.
SELECT id FROM scond_claims ORDER BY id;
ROLLBACK;
RESET ROLE;
SELECT agentauthz.unprotect('scond_claims');
DROP TABLE scond_claims;
TRUNCATE agentauthz.tuples;

--------------------------------------------------------------------------------
-- 4. A scan fails once it lists the actor's allowed set (after 512 row
--    checks) if any object the principal may reach -- in no row of the
--    table, outside the agent's scope -- has a condition that cannot be
--    evaluated: the same rows checked one by one are fine. The error also
--    names that tuple to an agent that may not know of it.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type folder
  relations
    define viewer: [user]
type doc
  relations
    define parent: [folder]
    define viewer: [user with gate] or viewer from parent
    define editor: [user]
    define owner: [user]
condition gate(flag: bool) {
  flag
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('folder:shared', 'viewer', 'user:ann');
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'doc:' || g, 'parent', 'folder:shared' FROM generate_series(1, 600) g;
-- Outside the folder: a document of ann's, its condition missing its value.
SELECT agentauthz.write_tuple('doc:secret-merger', 'viewer', 'user:ann', condition_name => 'gate');
CREATE TABLE scond_docs (id int PRIMARY KEY);
INSERT INTO scond_docs SELECT generate_series(1, 600);
SELECT agentauthz.protect('scond_docs', 'doc', 'id');
GRANT SELECT ON scond_docs TO scond_bot;
SELECT agentauthz.delegate('user:ann', 'agent:bot', '{viewer@folder:shared}',
                           now() + interval '1 hour', 'the shared folder') AS folder_token \gset
SET ROLE scond_bot;
BEGIN;
SELECT agentauthz.act_for(:'folder_token') ->> 'valid' AS acting;
SELECT count(*) AS first_500 FROM scond_docs WHERE id <= 500;
-- An object outside the scope whose condition cannot be evaluated is left
-- out of the allowed set: all 600 counted, nothing named.
SELECT regress.try($$SELECT count(*) FROM scond_docs$$) AS all_600;
COMMIT;
RESET ROLE;
SELECT agentauthz.unprotect('scond_docs');
DROP TABLE scond_docs;
TRUNCATE agentauthz.tuples;

--------------------------------------------------------------------------------
-- 5. Delegation scopes ignore conditions. A scope `viewer@folder:q1`
--    covers what the model reaches through q1; a document whose link to q1
--    holds only under a condition that is not met is not reached through
--    q1, yet the scope lets the agent see it (through q2, out of scope).
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type folder
  relations
    define viewer: [user]
type doc
  relations
    define parent: [folder, folder with filed]
    define viewer: viewer from parent
condition filed(current_time: timestamp, until: timestamp) {
  current_time < until
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('folder:q1', 'viewer', 'user:anne');
SELECT agentauthz.write_tuple('folder:q2', 'viewer', 'user:anne');
-- doc:d was filed in q1 until 2001; it is in q2 now.
SELECT agentauthz.write_tuple('doc:d', 'parent', 'folder:q1', condition_name => 'filed',
                              condition_context => '{"until": "2001-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('doc:d', 'parent', 'folder:q2');
SELECT agentauthz.delegate('user:anne', 'agent:bot', '{viewer@folder:q1}',
                           now() + interval '1 hour', 'q1 only') AS q1_token \gset
SET ROLE scond_bot;
BEGIN;
SELECT agentauthz.act_for(:'q1_token') ->> 'valid' AS acting;
-- Scopes follow parent tuples only while their condition holds: refused.
SELECT agentauthz.check('viewer', 'doc:d') AS out_of_scope_doc;
COMMIT;
RESET ROLE;
TRUNCATE agentauthz.tuples;

--------------------------------------------------------------------------------
-- 6. current_time stands still for a whole top-level statement: a function
--    (or DO block) that runs past a deadline keeps reading what the
--    deadline closed, for as long as it runs. A delegation's expiry, by
--    contrast, is judged at each query a function runs (and by a timer
--    within one).
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type doc
  relations
    define viewer: [user with before_deadline]
    define editor: [user]
    define owner: [user]
condition before_deadline(current_time: timestamp, deadline: timestamp) {
  current_time < deadline
}
$$) > 0 AS model_written;
CREATE TABLE scond_docs (id int PRIMARY KEY);
INSERT INTO scond_docs VALUES (1);
SELECT agentauthz.protect('scond_docs', 'doc', 'id');
GRANT SELECT ON scond_docs TO scond_bot;
-- kim may view doc:1 for 3 more seconds.
SELECT agentauthz.write_tuple('doc:1', 'viewer', 'user:kim', condition_name => 'before_deadline',
         condition_context => jsonb_build_object('deadline',
           to_char((clock_timestamp() + interval '3 seconds') AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')));
SELECT (condition_context ->> 'deadline')::timestamptz AS deadline
  FROM agentauthz.tuples WHERE object = 'doc:1' \gset
SELECT agentauthz.delegate('user:kim', 'agent:bot', '{viewer@doc:1}',
                           now() + interval '1 hour', 'until the deadline') AS kim_token \gset
CREATE FUNCTION pg_temp.reads_past(deadline timestamptz)
  RETURNS TABLE (before_deadline bigint, after_deadline bigint, past_deadline boolean)
  LANGUAGE plpgsql AS $f$
BEGIN
  before_deadline := (SELECT count(*) FROM scond_docs);
  PERFORM pg_sleep_until(deadline + interval '0.5 seconds');
  after_deadline := (SELECT count(*) FROM scond_docs);
  past_deadline := clock_timestamp() > deadline;
  RETURN NEXT;
END
$f$;
GRANT EXECUTE ON FUNCTION pg_temp.reads_past(timestamptz) TO scond_bot;
SET ROLE scond_bot;
SELECT agentauthz.act_for(:'kim_token', local => false) ->> 'valid' AS acting;
-- KEPT: current_time is the top-level statement's start (README), so a
-- function's later queries still see 1 row; the next statement sees 0.
SELECT * FROM pg_temp.reads_past(:'deadline');
SELECT count(*) AS next_statement FROM scond_docs;
SELECT agentauthz.end_task();
RESET ROLE;
SELECT agentauthz.unprotect('scond_docs');
DROP TABLE scond_docs;

--------------------------------------------------------------------------------
-- 7. A scope followed a userset tuple whatever its condition said: a
--    delegation for `member@group:eng` reached doc:d through eng's share of
--    it, which ended in 2001 (and through a conditional share the model no
--    longer allows). Scopes follow usersets, like parents, only while their
--    tuple's condition holds.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type group
  relations
    define member: [user]
type doc
  relations
    define viewer: [user, group#member, group#member with shared_until]
    define editor: [user]
    define owner: [user]
condition shared_until(current_time: timestamp, until: timestamp) {
  current_time < until
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('group:eng', 'member', 'user:anne');
SELECT agentauthz.write_tuple('doc:d', 'viewer', 'group:eng#member', condition_name => 'shared_until',
                              condition_context => '{"until": "2001-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('doc:s', 'viewer', 'group:eng#member', condition_name => 'shared_until',
                              condition_context => '{"until": "2999-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('doc:' || d, 'viewer', 'user:anne') FROM unnest('{d,s}'::text[]) d;
CREATE TABLE scond_shared (id text PRIMARY KEY, body text);
INSERT INTO scond_shared VALUES ('d', 'secret d'), ('s', 'shared s');
SELECT agentauthz.protect('scond_shared', 'doc', 'id');
GRANT SELECT ON scond_shared TO scond_bot;
SELECT agentauthz.delegate('user:anne', 'agent:bot', '{member@group:eng}',
                           now() + interval '1 hour', 'eng only') AS eng_token \gset
SET ROLE scond_bot;
SELECT agentauthz.act_for(:'eng_token', local => false) ->> 'valid' AS acting;
-- d's share ended: doc:d is outside the scope (false); s's holds (true).
SELECT agentauthz.check('viewer', 'doc:d') AS ended_share,
       agentauthz.check('viewer', 'doc:s') AS current_share;
SELECT id AS rows_in_scope FROM scond_shared;
RESET ROLE;
-- The model now allows eng's share only without a condition: the stored
-- conditional share of s no longer counts at all.
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type group
  relations
    define member: [user]
type doc
  relations
    define viewer: [user, user with shared_until, group#member]
    define editor: [user]
    define owner: [user]
condition shared_until(current_time: timestamp, until: timestamp) {
  current_time < until
}
$$) > 0 AS model_written;
SET ROLE scond_bot;
SELECT agentauthz.check('viewer', 'doc:s') AS stale_share;
SELECT count(*) AS stale_share_rows FROM scond_shared;
RESET ROLE;
-- Control: a share that holds opens doc:d to the scope.
SELECT agentauthz.write_tuple('doc:d', 'viewer', 'group:eng#member');
SET ROLE scond_bot;
SELECT agentauthz.check('viewer', 'doc:d') AS open_share;
SELECT agentauthz.end_task();
RESET ROLE;
SELECT agentauthz.unprotect('scond_shared');
DROP TABLE scond_shared;

--------------------------------------------------------------------------------
-- 8. The error for a row value contradicting a pinned one told an agent
--    about rows outside its scopes (the error or not: whether a hidden row
--    exists and what its value is not) and left no record of the probe.
--    Outside the scopes such a row is denied like any other; within them
--    the statement fails (22023, the sources named, never the values) and
--    the refusal is on record. A row whose values nest too deep to parse
--    is refused, not every reader's statement.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type claim
  relations
    define viewer: [user with in_region]
    define editor: [user]
    define owner: [user]
condition in_region(region: string, allowed: string, tags: map<any>) {
  region == allowed
}
$$) > 0 AS model_written;
SELECT agentauthz.write_tuple('claim:' || i, 'viewer', 'user:pat', condition_name => 'in_region',
                              condition_context => '{"allowed": "eu"}')
  FROM generate_series(5, 7) i;
CREATE TABLE scond_claims (id int PRIMARY KEY, region text, tags jsonb);
INSERT INTO scond_claims VALUES (5, 'eu', '{}'), (6, 'apac', '{}'),
  (7, 'eu', (repeat('{"a":', 70) || '1' || repeat('}', 70))::jsonb);
SELECT agentauthz.protect('scond_claims', 'claim', 'id', context_columns => '{region,tags}');
GRANT SELECT ON scond_claims TO scond_bot;
SELECT agentauthz.delegate('user:pat', 'agent:bot', '{viewer@claim:5,viewer@claim:7}',
                           now() + interval '1 hour', 'eu claims',
                           context => '{"region": "eu"}') AS eu_token \gset
SET ROLE scond_bot;
SELECT agentauthz.act_for(:'eu_token', local => false) ->> 'valid' AS acting;
-- Row 6 is outside the scopes: denied, whatever its region (no error).
SELECT id FROM scond_claims WHERE id = 6;
SELECT id FROM scond_claims WHERE id = 77;
-- Row 7's tags nest beyond the parser's depth: refused, the rest is read.
SELECT id FROM scond_claims ORDER BY id;
-- Within the scopes, a value contradicting the pinned one fails the
-- statement, naming the sources only.
SELECT regress.try($q$SELECT agentauthz.check_id('viewer', 'claim', 5, '{"region": "apac"}')$q$)
  AS contradicted;
SELECT agentauthz.end_task();
RESET ROLE;
SELECT agentauthz.audit_flush() AS flushed;
-- Every probe is on record: row 6 and the unreadable row 7 denied, and the
-- contradicted check of claim:5 refused.
SELECT kind, relation, allowed_sample, denied_sample
  FROM agentauthz.audit_log
 WHERE actor = 'agent:bot' AND object_type = 'claim'
 ORDER BY id;
SELECT agentauthz.unprotect('scond_claims');
DROP TABLE scond_claims;

--------------------------------------------------------------------------------
-- 9. An agent's role lent agentauthz_app for a moment kept what it set
--    with it: session values (set_context) supplied the agent's own
--    condition parameters after the revoke, and a subject (set_subject)
--    kept acting as that person. Both count only while the role that set
--    them is still a trusted application.
--------------------------------------------------------------------------------
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type claim
  relations
    define viewer: [user with in_region]
    define editor: [user]
    define owner: [user]
condition in_region(region: string, allowed: string) {
  region == allowed
}
$$) > 0 AS model_written;
-- pat's tuples leave the allowed region to whoever supplies it.
SELECT agentauthz.write_tuple('claim:' || i, 'viewer', 'user:pat', condition_name => 'in_region',
                              condition_context => '{}')
  FROM generate_series(1, 2) i;
SELECT agentauthz.write_tuple('claim:1', 'editor', 'user:pat');
CREATE TABLE scond_claims (id int PRIMARY KEY, region text);
INSERT INTO scond_claims VALUES (1, 'eu'), (2, 'apac');
SELECT agentauthz.protect('scond_claims', 'claim', 'id', context_columns => '{region}');
GRANT SELECT ON scond_claims TO scond_app;
-- 9a. Session values: a role lent agentauthz_app sets them, is revoked and
-- registered as an agent.
GRANT agentauthz_app TO scond_lent;
SET ROLE scond_lent;
SELECT agentauthz.set_context('{"allowed": "eu"}', local => false);
RESET ROLE;
REVOKE agentauthz_app FROM scond_lent;
SELECT agentauthz.register_agent('agent:lent', 'scond_lent');
GRANT SELECT ON scond_claims TO scond_lent;
SELECT agentauthz.delegate('user:pat', 'agent:lent', '{viewer@claim:1,viewer@claim:2}',
                           now() + interval '1 hour', 'claims') AS claims_token \gset
SET ROLE scond_lent;
SELECT agentauthz.act_for(:'claims_token', local => false) ->> 'valid' AS acting;
-- The region stays unsupplied: no row (the values would open claim 1).
SELECT id FROM scond_claims ORDER BY id;
SELECT agentauthz.end_task();
RESET ROLE;
-- Control: the same values from the application itself open claim 1.
SET ROLE scond_app;
SELECT agentauthz.set_subject('user:pat', local => false) ->> 'valid' AS as_pat;
SELECT agentauthz.set_context('{"allowed": "eu"}', local => false);
SELECT id FROM scond_claims ORDER BY id;
SELECT agentauthz.end_task();
RESET ROLE;
-- 9b. A subject, set while lent, holds no longer after the revoke.
CREATE ROLE scond_plain;
GRANT agentauthz_app TO scond_plain;
SET ROLE scond_plain;
SELECT agentauthz.set_subject('user:pat', local => false) ->> 'valid' AS as_pat;
SELECT agentauthz.check('editor', 'claim:1') AS while_lent;
RESET ROLE;
REVOKE agentauthz_app FROM scond_plain;
SET ROLE scond_plain;
SELECT agentauthz.current_actor() ->> 'valid' AS still_pat;
SELECT agentauthz.check('editor', 'claim:1') AS lent_subject;
SELECT regress.try($q$SELECT agentauthz.explain('editor', 'claim:1')$q$) AS explained;
SELECT agentauthz.end_task();
RESET ROLE;
DROP ROLE scond_plain;
-- 9c. What PostgreSQL keeps past a revoke: SET ROLE agentauthz_app, and a
-- SECURITY DEFINER function the lent role made agentauthz_app own. A
-- session logged in as an agent's role acts as no trusted application,
-- whatever role it sets.
GRANT agentauthz_app TO scond_bot;
SET SESSION AUTHORIZATION scond_bot;
SET ROLE agentauthz_app;
SELECT regress.try($q$SELECT agentauthz.set_subject('user:pat', local => false)$q$) AS set_role_subject;
SELECT regress.try($q$SELECT agentauthz.set_context('{"allowed": "eu"}', local => false)$q$)
  AS set_role_context;
RESET ROLE;
CREATE FUNCTION pg_temp.scond_door(s text) RETURNS boolean LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog
  AS $f$ SELECT agentauthz.set_subject(s, true) IS NOT NULL AND agentauthz.check('editor', 'claim:1') $f$;
ALTER FUNCTION pg_temp.scond_door(text) OWNER TO agentauthz_app;
SELECT regress.try($q$SELECT pg_temp.scond_door('user:pat')$q$) AS definer_subject;
DROP FUNCTION pg_temp.scond_door(text);
RESET SESSION AUTHORIZATION;
REVOKE agentauthz_app FROM scond_bot;
SELECT agentauthz.unprotect('scond_claims');
DROP TABLE scond_claims;

SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
RESET client_min_messages;
DROP OWNED BY scond_bot, scond_helper, scond_intake, scond_app, scond_lent;
DROP ROLE scond_bot, scond_helper, scond_intake, scond_app, scond_lent;
