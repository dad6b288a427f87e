-- Condition values from trusted sources: the context a delegation's issuer
-- pins (delegate, subdelegate: a child adds parameters, never repeats its
-- ancestors'), and the request attributes a trusted application supplies
-- with set_context(), which live as the actor context does (local or for
-- the session, undone by a rollback, ended by end_task() and DISCARD ALL,
-- seen by the role that set them only). current_actor() shows them: the
-- values to an application, only their names to an agent.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP ROLE IF EXISTS cc_bot, cc_helper, cc_app, cc_other_app, cc_plain;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type ticket
  relations
    define editor: [user]
$dsl$) > 0 AS model_written;
CREATE ROLE cc_bot;
CREATE ROLE cc_helper;
CREATE ROLE cc_app IN ROLE agentauthz_app;
CREATE ROLE cc_other_app IN ROLE agentauthz_app;
CREATE ROLE cc_plain;
SELECT agentauthz.register_agent('agent:support', 'cc_bot');
SELECT agentauthz.register_agent('agent:helper', 'cc_helper');

-- What the current role's actor shows of its condition values.
CREATE FUNCTION pg_temp.values_shown() RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(a->'context', a->'context_parameters', a->'context_error', 'null')::text
    FROM agentauthz.current_actor() a
$$;
GRANT EXECUTE ON FUNCTION pg_temp.values_shown() TO PUBLIC;

-- delegate(): the context is stored with the link; NULL (the default) and
-- an empty object pin nothing.
SET ROLE cc_app;
SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                           now() + interval '1 hour', 'refunds',
                           context => '{"max_amount": 100, "region": "eu"}') AS refunds \gset
SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                           now() + interval '1 hour', 'no context') AS plain \gset
SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                           now() + interval '1 hour', 'empty context', '{}') AS empty \gset
SELECT purpose, context FROM agentauthz.delegations ORDER BY id;
-- Anything but a JSON object is refused, and so is more than 8192 bytes.
SELECT regress.try($$SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x', '[1, 2]')$$) AS an_array,
       regress.try($$SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x', '"eu"')$$) AS a_string,
       regress.try($$SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x', 'null')$$) AS json_null;
SELECT regress.try($$SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x', jsonb_build_object('note', repeat('x', 8200)))$$) AS too_large,
       regress.try($$SELECT length(agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x', jsonb_build_object('note', repeat('x', 8000)))) > 0$$)
         AS just_under;
SELECT regress.try($$SELECT agentauthz.delegate('user:sue', 'agent:support', ARRAY['editor@ticket:*'],
                     now() + interval '1 hour', 'x',
                     (SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 100000) g))$$) AS far_too_large;
RESET ROLE;
-- The table itself refuses a context that is not an object.
SELECT regress.try($$UPDATE agentauthz.delegations SET context = '[1]' WHERE purpose = 'no context'$$)
  AS not_an_object_in_the_table;

-- The agent sees which parameters its delegation pins, not their values.
SET ROLE cc_bot;
BEGIN;
SELECT agentauthz.act_for(:'refunds') ->> 'valid' AS acting;
SELECT pg_temp.values_shown() AS agent_sees;
-- A sub-delegation may add a parameter; it may not repeat one an ancestor
-- pins, with another value or the same (accepting the same would let an
-- agent find the pinned value by guessing: both answers are alike).
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'],
                     now() + interval '10 minutes', 'guess', '{"max_amount": 100}')$$) AS same_value;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'],
                     now() + interval '10 minutes', 'raise', '{"max_amount": 500}')$$) AS changed_value;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'],
                     now() + interval '10 minutes', 'raise', '{"region": null}')$$) AS changed_to_null;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'],
                     now() + interval '10 minutes', 'bad', '[]')$$) AS not_an_object;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'],
                     now() + interval '10 minutes', 'bad', jsonb_build_object('n', repeat('x', 9000)))$$)
  AS too_large;
SELECT agentauthz.subdelegate('agent:helper', ARRAY['editor@ticket:1'], now() + interval '10 minutes',
                              'one ticket', '{"ticket_day": "monday"}') AS child \gset
COMMIT;
RESET ROLE;
SELECT purpose, context FROM agentauthz.delegations WHERE purpose = 'one ticket';

-- The sub-agent's chain pins both links' values; its own hand-off may not
-- change its grandparent's either.
SET ROLE cc_helper;
BEGIN;
SELECT agentauthz.act_for(:'child') ->> 'valid' AS acting;
SELECT pg_temp.values_shown() AS sub_agent_sees;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:support', ARRAY['editor@ticket:1'],
                     now() + interval '5 minutes', 'back', '{"region": "us"}')$$) AS grandparent_changed;
SELECT regress.try($$SELECT agentauthz.subdelegate('agent:support', ARRAY['editor@ticket:1'],
                     now() + interval '5 minutes', 'back', '{"ticket_day": "friday"}')$$) AS parent_changed;
SELECT length(agentauthz.subdelegate('agent:support', ARRAY['editor@ticket:1'], now() + interval '5 minutes',
                                     'back', '{"shift": "late"}')) > 0 AS added;
-- An agent cannot supply values itself.
SELECT regress.try($$SELECT agentauthz.set_context('{"max_amount": 1000000}')$$) AS agent_set_context;
COMMIT;
-- Without a context, nothing is shown.
BEGIN;
SELECT agentauthz.end_task();
RESET ROLE;
SET ROLE cc_bot;
SELECT agentauthz.act_for(:'plain') ->> 'valid' AS acting;
SELECT pg_temp.values_shown() AS without_context;
COMMIT;
RESET ROLE;

-- A link whose stored values contradict an ancestor's (only a superuser
-- can write the table) is an error where the values are used, never
-- resolved quietly.
UPDATE agentauthz.delegations SET context = '{"max_amount": 999}' WHERE purpose = 'one ticket';
SET ROLE cc_helper;
BEGIN;
SELECT agentauthz.act_for(:'child') ->> 'valid' AS acting;
SELECT pg_temp.values_shown() AS contradiction;
COMMIT;
RESET ROLE;

-- set_context(): for trusted application roles only. An agent's role and a
-- plain role lack EXECUTE, and the function refuses them even with it.
SET ROLE cc_plain;
SELECT regress.try($$SELECT agentauthz.set_context('{"ip": "10.0.0.1"}')$$) AS plain_role;
RESET ROLE;
GRANT EXECUTE ON FUNCTION agentauthz.set_context(jsonb, boolean) TO cc_plain, cc_bot;
SET ROLE cc_plain;
SELECT regress.try($$SELECT agentauthz.set_context('{"ip": "10.0.0.1"}')$$) AS plain_role_with_execute;
RESET ROLE;
SET ROLE cc_bot;
SELECT regress.try($$SELECT agentauthz.set_context('{"ip": "10.0.0.1"}')$$) AS agent_with_execute;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION agentauthz.set_context(jsonb, boolean) FROM cc_plain, cc_bot;

SET ROLE cc_app;
-- Bad input: not an object, too large, a NULL local.
SELECT regress.try($$SELECT agentauthz.set_context('[1]')$$) AS an_array,
       regress.try($$SELECT agentauthz.set_context('42')$$) AS a_number,
       regress.try($$SELECT agentauthz.set_context(jsonb_build_object('k', repeat('x', 9000)))$$) AS too_large,
       regress.try($$SELECT agentauthz.set_context('{}', NULL)$$) AS null_local;

-- Local (the default): for this transaction only.
BEGIN;
SELECT agentauthz.set_context('{"ip": "10.0.0.1"}');
SELECT pg_temp.values_shown() AS inside;
SELECT agentauthz.set_subject('user:sue') -> 'context' AS with_the_subject;
COMMIT;
SELECT pg_temp.values_shown() AS after_commit;

-- For the session: it holds across transactions; a local one holds over it
-- for its transaction, and the session's resumes after.
SELECT agentauthz.set_context('{"ip": "10.0.0.2"}', local => false);
SELECT pg_temp.values_shown() AS session;
BEGIN;
SELECT agentauthz.set_context('{"ip": "10.0.0.3", "device": "kiosk"}');
SELECT pg_temp.values_shown() AS local_over_session;
COMMIT;
SELECT pg_temp.values_shown() AS session_again;
-- NULL clears: for the transaction (local), or for the session.
BEGIN;
SELECT agentauthz.set_context(NULL);
SELECT pg_temp.values_shown() AS cleared_locally;
COMMIT;
SELECT pg_temp.values_shown() AS session_after_local_clear;

-- A rolled back transaction takes what it set with it, session-wide too.
BEGIN;
SELECT agentauthz.set_context('{"ip": "10.9.9.9"}', local => false);
SELECT pg_temp.values_shown() AS before_rollback;
ROLLBACK;
SELECT pg_temp.values_shown() AS after_rollback;
-- So does a savepoint rolled back to; one released keeps it.
BEGIN;
SAVEPOINT s1;
SELECT agentauthz.set_context('{"ip": "10.8.8.8"}', local => false);
ROLLBACK TO SAVEPOINT s1;
SELECT pg_temp.values_shown() AS after_rollback_to;
SAVEPOINT s2;
SELECT agentauthz.set_context('{"ip": "10.7.7.7"}', local => false);
RELEASE SAVEPOINT s2;
COMMIT;
SELECT pg_temp.values_shown() AS after_release;

-- Never seen by another role: not after SET ROLE (even one as trusted),
-- nor inside another role's SECURITY DEFINER function; seen again back in
-- the role that set them.
RESET ROLE;
CREATE FUNCTION pg_temp.as_owner() RETURNS text LANGUAGE sql SECURITY DEFINER AS
  $$ SELECT pg_temp.values_shown() $$;
GRANT EXECUTE ON FUNCTION pg_temp.as_owner() TO PUBLIC;
SET ROLE cc_app;
SELECT pg_temp.as_owner() AS in_a_security_definer_function;
SET ROLE cc_other_app;
SELECT pg_temp.values_shown() AS other_role;
SET ROLE cc_app;
SELECT pg_temp.values_shown() AS own_role_again;

-- end_task() ends the values, the session's and a local one.
BEGIN;
SELECT agentauthz.set_context('{"ip": "10.6.6.6"}');
SELECT agentauthz.end_task();
SELECT pg_temp.values_shown() AS after_end_task_inside;
COMMIT;
SELECT pg_temp.values_shown() AS after_end_task;

-- A session-wide set_context is refused where contexts last one
-- transaction (agentauthz.session_contexts off); a local one works.
RESET ROLE;
SET agentauthz.session_contexts = off;
SET ROLE cc_app;
SELECT regress.try($$SELECT agentauthz.set_context('{"ip": "10.4.4.4"}', local => false)$$) AS session_refused;
SELECT regress.try($$SELECT agentauthz.set_context('{"ip": "10.4.4.4"}')$$) AS local_ok;
RESET ROLE;
RESET agentauthz.session_contexts;

-- A transaction that changed the session's values cannot be prepared.
SET ROLE cc_app;
BEGIN;
SELECT agentauthz.set_context('{"ip": "10.3.3.3"}', local => false);
PREPARE TRANSACTION 'cc_session_values';
SELECT pg_temp.values_shown() AS after_refused_prepare;
RESET ROLE;

-- DISCARD ALL ends them at once: a pooled connection's next client starts
-- without them.
SET ROLE cc_app;
SELECT agentauthz.set_context('{"ip": "10.5.5.5"}', local => false);
SELECT pg_temp.values_shown() AS before_discard;
RESET ROLE;
DISCARD ALL;
SET ROLE cc_app;
SELECT coalesce((agentauthz.current_actor() -> 'context')::text, 'null') AS after_discard;
RESET ROLE;

SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
RESET client_min_messages;
DROP OWNED BY cc_bot, cc_helper, cc_app, cc_other_app, cc_plain;
DROP ROLE cc_bot, cc_helper, cc_app, cc_other_app, cc_plain;
