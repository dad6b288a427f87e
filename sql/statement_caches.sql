-- What the engine keeps from one statement to the next (tuples read, the
-- actor, allowed sets) while snapshots see the same data stays exact: it is
-- dropped when anything visible changes, when something it read expires,
-- and when this session's own writes are rolled back.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
DROP ROLE IF EXISTS cache_agent;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user, group#member]
$dsl$) > 0 AS model_written;
SELECT agentauthz.write_tuple('document:1', 'viewer', 'group:eng#member');
SELECT agentauthz.write_tuple('group:eng', 'member', 'user:anne');

-- Each statement below is its own transaction, over unchanged data.
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS first;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS again;

-- A tuple that expires between two statements stops granting.
SELECT agentauthz.write_tuple('document:2', 'viewer', 'user:anne', clock_timestamp() + interval '1 second');
SELECT agentauthz.check('user:anne', 'viewer', 'document:2') AS before_expiry;
SELECT pg_sleep(1.2);
SELECT agentauthz.check('user:anne', 'viewer', 'document:2') AS after_expiry;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS others_unaffected;

-- This session's writes rolled back: gone from the next statement on.
BEGIN;
SELECT agentauthz.write_tuple('document:3', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:3') AS own_write;
ROLLBACK;
SELECT agentauthz.check('user:anne', 'viewer', 'document:3') AS after_rollback;
BEGIN;
SELECT agentauthz.delete_tuple('group:eng', 'member', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS own_delete;
ROLLBACK;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS delete_rolled_back;
-- Written directly into the table, then rolled back.
BEGIN;
INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:4', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:4') AS own_insert;
ROLLBACK;
SELECT agentauthz.check('user:anne', 'viewer', 'document:4') AS insert_rolled_back;

-- A new model written by this session is used by the next statement.
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user]
$dsl$) > 0 AS model_written;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS usersets_no_longer_allowed;
SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user, group#member]
$dsl$) > 0 AS model_written;
SELECT agentauthz.check('user:anne', 'viewer', 'document:1') AS allowed_again;

-- An agent's delegation: the actor is kept between statements, and still
-- ends when the delegation expires or is revoked.
CREATE ROLE cache_agent;
SELECT agentauthz.register_agent('agent:cache', 'cache_agent');
CREATE TEMP TABLE delegation_tokens (name text, token text);
GRANT SELECT ON delegation_tokens TO cache_agent;
INSERT INTO delegation_tokens VALUES
  ('short', agentauthz.delegate('user:anne', 'agent:cache', '{viewer@document:*}',
                                clock_timestamp() + interval '1 second', 'expires soon')),
  ('long', agentauthz.delegate('user:anne', 'agent:cache', '{viewer@document:*}',
                               now() + interval '1 hour', 'revoked later'));
SET ROLE cache_agent;
SELECT agentauthz.act_for((SELECT token FROM delegation_tokens WHERE name = 'short'), false) ->> 'purpose';
SELECT agentauthz.check('viewer', 'document:1') AS within_delegation;
SELECT agentauthz.check('viewer', 'document:1') AS still_within;
SELECT pg_sleep(1.2);
SELECT agentauthz.check('viewer', 'document:1') AS delegation_expired;
SELECT agentauthz.act_for((SELECT token FROM delegation_tokens WHERE name = 'long'), false) ->> 'purpose';
SELECT agentauthz.check('viewer', 'document:1') AS new_delegation;
RESET ROLE;
-- Revoked in a transaction that rolls back: nothing changes.
BEGIN;
SELECT agentauthz.revoke_delegation(max(id)) FROM agentauthz.delegations;
ROLLBACK;
SET ROLE cache_agent;
SELECT agentauthz.check('viewer', 'document:1') AS revocation_rolled_back;
RESET ROLE;
SELECT agentauthz.revoke_delegation(max(id)) FROM agentauthz.delegations;
SET ROLE cache_agent;
SELECT agentauthz.check('viewer', 'document:1') AS revoked;
SELECT agentauthz.end_task();
RESET ROLE;

-- Within a transaction that wrote tuples, a statement's snapshot is taken
-- under its own command: one that began before the write (the outer query
-- around a function that writes, a cursor declared earlier) never hands
-- what it read to a later command, nor the other way round.
SELECT agentauthz.write_tuple('document:7', 'viewer', 'user:anne');
BEGIN;
SELECT agentauthz.delete_tuple('document:7', 'viewer', 'user:anne') AS deleted,
       agentauthz.check('user:anne', 'viewer', 'document:7') AS outer_snapshot;
SELECT agentauthz.check('user:anne', 'viewer', 'document:7') AS after_own_delete;
ROLLBACK;
BEGIN;
DECLARE earlier CURSOR FOR SELECT agentauthz.check('user:anne', 'viewer', 'document:8') AS cursor_snapshot;
SELECT agentauthz.write_tuple('document:8', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:8') AS after_own_write;
FETCH earlier;
CLOSE earlier;
ROLLBACK;

-- The shared cache's statistics: for agentauthz_admin; what was written
-- there comes from every database, so it is shown only to roles that may
-- read the server's statistics.
CREATE ROLE cache_admin IN ROLE agentauthz_admin;
SELECT size_bytes > 0 AS sized, entries_written IS NOT NULL AS server_wide
  FROM agentauthz.shared_cache_stats();
SET ROLE cache_admin;
SELECT size_bytes > 0 AS sized, entries_written IS NULL AS hidden, tuples_written IS NULL AS hidden,
       bytes_written IS NULL AS hidden, hits IS NOT NULL AS own_hits
  FROM agentauthz.shared_cache_stats();
RESET ROLE;
GRANT pg_read_all_stats TO cache_admin;
SET ROLE cache_admin;
SELECT entries_written IS NOT NULL AS server_wide FROM agentauthz.shared_cache_stats();
RESET ROLE;
SET ROLE cache_agent;
SELECT * FROM agentauthz.shared_cache_stats();
RESET ROLE;

SET client_min_messages = warning;
DROP TABLE delegation_tokens;
DROP EXTENSION agentauthz CASCADE;
DROP ROLE cache_agent;
DROP ROLE cache_admin;
