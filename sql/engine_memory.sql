-- The engine's memory is bounded: one statement checking millions of
-- distinct objects grew a backend past 500 MB until the kernel killed it
-- (and the postmaster restarted every session). Its caches now start over
-- at agentauthz.engine_cache_size, also in the middle of a statement
-- (test/shell/memory_ceiling.sh measures the backend). Starting over must
-- not change a single answer -- a delegation's scope names objects by
-- interned ids, which are all renumbered -- and an agent cannot raise the
-- bound for itself.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
DROP ROLE IF EXISTS engine_memory_bot;
CREATE EXTENSION agentauthz;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define viewer: [user]
type account
  relations
    define parent: [folder]
    define viewer: [user] or viewer from parent
$dsl$) > 0 AS model_written;
-- 20,000 accounts in 100 folders; anne views every folder.
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'account:' || g, 'parent', 'folder:' || g % 100 FROM generate_series(1, 20000) g;
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'folder:' || g, 'viewer', 'user:anne' FROM generate_series(0, 99) g;
SELECT agentauthz.create_agent_role('engine_memory_bot', 'agent:memory');
-- The agent's task covers one folder: 200 accounts.
SELECT agentauthz.delegate('user:anne', 'agent:memory', ARRAY['viewer@folder:7'],
                           now() + interval '1 hour', 'one folder') AS token \gset
SELECT set_config('engine_memory.token', :'token', false) IS NOT NULL AS token_passed;

-- The bound is the superuser's: an agent can neither raise it nor lower it.
SET ROLE engine_memory_bot;
SET agentauthz.engine_cache_size = '4GB';
SELECT set_config('agentauthz.engine_cache_size', '1MB', false);
RESET ROLE;
SHOW agentauthz.engine_cache_size;

-- With 1 MB, anne's accounts are too many to list once (the statement's
-- allowed set), so every row is checked, and the interned ids of 20,000
-- accounts and more fill the caches many times over within each statement.
SET agentauthz.engine_cache_size = '1MB';
SET ROLE engine_memory_bot;
SELECT agentauthz.act_for(current_setting('engine_memory.token'), false) ->> 'purpose' AS acting;
SELECT count(*) AS text_keys FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'account', g::text);
SELECT count(*) AS integer_keys FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'account', g);
SELECT count(*) AS objects FROM generate_series(1, 40000) g
 WHERE agentauthz.check('viewer', 'account:' || g);
-- Exactly the accounts of folder 7, whatever the order of the checks.
SELECT count(*) FILTER (WHERE allowed <> (id % 100 = 7)) AS wrong_answers, count(*) AS checked
  FROM (SELECT id, agentauthz.check_id('viewer', 'account', id::text) AS allowed
          FROM generate_series(20000, 1, -1) id) checks;
SELECT cardinality(agentauthz.allowed_ids('viewer', 'account')) AS listed;
RESET ROLE;

-- The same answers with the default bound, where the allowed set is listed.
RESET agentauthz.engine_cache_size;
SET ROLE engine_memory_bot;
SELECT count(*) AS text_keys FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'account', g::text);
SELECT count(*) AS integer_keys FROM generate_series(1, 40000) g
 WHERE agentauthz.check_id('viewer', 'account', g);
SELECT count(*) AS objects FROM generate_series(1, 40000) g
 WHERE agentauthz.check('viewer', 'account:' || g);
SELECT agentauthz.end_task();
RESET ROLE;

SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
DROP ROLE engine_memory_bot;
