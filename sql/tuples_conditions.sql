-- Tuples with conditions: write_tuple, INSERT, UPDATE and COPY refuse a
-- condition the active model does not declare or the relation's type
-- restriction does not allow for that subject, a missing condition where
-- the restriction allows only `with`, and a context that does not fit the
-- condition's parameters; the same key holds one condition; stored and
-- contextual tuples' conditions are read back for evaluation.
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
    define member: [user]
type document
  relations
    define viewer: [user, user with in_region, user:* with in_region, group#member with in_region]
    define editor: [user with in_region, user with before]
    define owner: [user]
condition in_region(region: string, allowed: list<string>) {
  region in allowed
}
condition before(deadline: timestamp, current_time: timestamp) {
  current_time < deadline
}
$dsl$) > 0 AS model_written;

-- write_tuple stores a condition and its context (keys sorted, as jsonb
-- keeps them); a context may give some parameters, or none.
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["eu", "us"]}');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:bob', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["us"]}');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:carl');
SELECT agentauthz.write_tuple('document:1', 'viewer', 'group:eng#member', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["eu"]}');
SELECT agentauthz.write_tuple('group:eng', 'member', 'user:dave');
SELECT agentauthz.write_tuple('document:2', 'viewer', 'user:*', NULL, 'in_region');
SELECT agentauthz.write_tuple('document:2', 'editor', 'user:anne', NULL, 'before',
                              '{"deadline": "2030-01-01T00:00:00Z"}');
SELECT agentauthz.write_tuple('document:2', 'editor', 'user:bob', NULL, 'in_region', '{}');
SELECT object, relation, subject, condition_name, condition_context
  FROM agentauthz.tuples ORDER BY 1, 2, 3;

-- The same key holds one condition (as in OpenFGA): writing it again with
-- another condition, another context or none replaces what it held, and
-- the same again changes nothing (the row is not even rewritten).
SELECT agentauthz.write_tuple('document:r', 'editor', 'user:anne', NULL, 'before',
                              '{"deadline": "2030-01-01T00:00:00Z"}');
CREATE TEMP TABLE kept AS
  SELECT ctid AS tid FROM agentauthz.tuples WHERE object = 'document:r';
SELECT agentauthz.write_tuple('document:r', 'editor', 'user:anne', NULL, 'before',
                              '{"deadline": "2030-01-01T00:00:00Z"}');
SELECT ctid = (SELECT tid FROM kept) AS left_alone FROM agentauthz.tuples WHERE object = 'document:r';
SELECT agentauthz.write_tuple('document:r', 'editor', 'user:anne', NULL, 'before',
                              '{"deadline": "2031-01-01T00:00:00Z"}');
SELECT condition_name, condition_context FROM agentauthz.tuples WHERE object = 'document:r';
SELECT agentauthz.write_tuple('document:r', 'editor', 'user:anne', NULL, 'in_region');
SELECT condition_name, condition_context FROM agentauthz.tuples WHERE object = 'document:r';
SELECT agentauthz.write_tuple('document:r', 'viewer', 'user:anne', NULL, 'in_region', '{"region": "eu"}');
SELECT agentauthz.write_tuple('document:r', 'viewer', 'user:anne', '2999-01-01 00:00:00+00');
SELECT relation, expires_at, condition_name, condition_context
  FROM agentauthz.tuples WHERE object = 'document:r' ORDER BY 1;
-- A replacement the model refuses leaves the stored condition as it was.
SELECT regress.try($$SELECT agentauthz.write_tuple('document:r', 'editor', 'user:anne')$$);
SELECT condition_name FROM agentauthz.tuples WHERE object = 'document:r' AND relation = 'editor';

-- Every bad condition is refused with a clear error, and nothing is stored.
SELECT regress.try(format('SELECT agentauthz.write_tuple(%L, %L, %L, NULL, %L, %L)', o, r, s, n, c)) AS result,
       why
FROM (VALUES
  ('unknown condition', 'document:3', 'viewer', 'user:anne', 'in_regoin', NULL),
  ('condition not in the restriction', 'document:3', 'owner', 'user:anne', 'in_region', NULL),
  ('condition not for this shape', 'document:3', 'viewer', 'group:eng#member', 'before', NULL),
  ('condition not for this shape', 'document:3', 'editor', 'user:*', 'in_region', NULL),
  ('missing condition: only with', 'document:3', 'editor', 'user:anne', NULL, NULL),
  ('missing condition: only with', 'document:3', 'viewer', 'user:*', NULL, NULL),
  ('missing condition: only with', 'document:3', 'viewer', 'group:eng#member', NULL, NULL),
  ('undeclared context key', 'document:3', 'viewer', 'user:anne', 'in_region', '{"regoin": "eu"}'),
  ('wrong value type', 'document:3', 'viewer', 'user:anne', 'in_region', '{"region": 5}'),
  ('wrong value type', 'document:3', 'viewer', 'user:anne', 'in_region', '{"allowed": "eu"}'),
  ('wrong value type', 'document:3', 'viewer', 'user:anne', 'in_region', '{"allowed": ["eu", 1]}'),
  ('wrong value type', 'document:3', 'editor', 'user:anne', 'before', '{"deadline": "tomorrow"}'),
  ('context without name', 'document:3', 'viewer', 'user:anne', NULL, '{}'),
  ('context without name', 'document:3', 'viewer', 'user:anne', NULL, '{"region": "eu"}'),
  ('context not an object', 'document:3', 'viewer', 'user:anne', 'in_region', '[]'),
  ('context not an object', 'document:3', 'viewer', 'user:anne', 'in_region', '"eu"'),
  ('context not an object', 'document:3', 'viewer', 'user:anne', 'in_region', '3'),
  ('context not an object', 'document:3', 'viewer', 'user:anne', 'in_region', 'null'),
  ('empty name', 'document:3', 'viewer', 'user:anne', '', NULL)
) AS bad(why, o, r, s, n, c);
SELECT regress.try($$SELECT agentauthz.write_tuple('document:3', 'viewer', 'user:anne', NULL,
                                                    repeat('c', 257))$$);
-- A context is at most 32 kB of text (54000 beyond).
SELECT regress.try($$SELECT agentauthz.write_tuple('document:3', 'viewer', 'user:anne', NULL, 'in_region',
                                                    jsonb_build_object('region', repeat('x', 32754)))$$);
SELECT regress.try($$SELECT agentauthz.write_tuple('document:3', 'viewer', 'user:anne', NULL, 'in_region',
                                                    jsonb_build_object('region', repeat('x', 32755)))$$);
SELECT object, length(condition_context::text) AS context_length FROM agentauthz.tuples WHERE object = 'document:3';
SELECT agentauthz.delete_tuple('document:3', 'viewer', 'user:anne');

-- INSERT, UPDATE and COPY go through the same validation.
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_name, condition_context)
                     VALUES ('document:4', 'viewer', 'user:anne', 'in_region', '{"allowed": ["eu"]}')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_name, condition_context)
                     VALUES ('document:4', 'viewer', 'user:bob', 'in_region', '{"allowed": [1]}')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_name)
                     VALUES ('document:4', 'editor', 'user:bob', 'nowhere')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject)
                     VALUES ('document:4', 'editor', 'user:bob')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_context)
                     VALUES ('document:4', 'viewer', 'user:bob', '{}')$$);
SELECT regress.try($$UPDATE agentauthz.tuples SET condition_name = 'before'
                      WHERE object = 'document:4'$$);
SELECT regress.try($$UPDATE agentauthz.tuples SET condition_context = '{"region": ["eu"]}'
                      WHERE object = 'document:4'$$);
SELECT regress.try($$UPDATE agentauthz.tuples SET condition_context = '{"region": "us"}'
                      WHERE object = 'document:4'$$);
COPY agentauthz.tuples (object, relation, subject, condition_name, condition_context) FROM stdin;
document:5	viewer	user:anne	in_region	{"region": "eu"}
document:5	editor	user:anne	before	\N
document:5	viewer	user:bob	\N	\N
\.
SELECT regress.try($$COPY agentauthz.tuples (object, relation, subject, condition_name, condition_context) FROM PROGRAM 'printf ''document:6\tviewer\tuser:erin\tin_region\t\\N\ndocument:6\teditor\tuser:erin\t\\N\t\\N\n'''$$);
SELECT regress.try($$COPY agentauthz.tuples (object, relation, subject, condition_name, condition_context) FROM PROGRAM 'printf ''document:6\tviewer\tuser:erin\tin_region\t{"allowed": "eu"}\n'''$$);
SELECT object, relation, subject, condition_name, condition_context
  FROM agentauthz.tuples WHERE object IN ('document:4', 'document:5', 'document:6') ORDER BY 1, 2, 3;

-- Whatever skips the trigger, the table keeps the shape readers rely on: a
-- context only with a (non-empty) name, and a JSON object.
SET session_replication_role = replica;
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_context)
                     VALUES ('document:7', 'viewer', 'user:anne', '{}')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_name)
                     VALUES ('document:7', 'viewer', 'user:anne', '')$$);
SELECT regress.try($$INSERT INTO agentauthz.tuples (object, relation, subject, condition_name, condition_context)
                     VALUES ('document:7', 'viewer', 'user:anne', 'in_region', '[]')$$);
RESET session_replication_role;

-- Checks read each tuple's condition: the tuples' own contexts decide here
-- (every parameter is given). document:big has more tuples than are read
-- whole, so its subjects are probed one by one; after VACUUM the same
-- lookups read index tuples alone (the context still from the heap).
DELETE FROM agentauthz.tuples WHERE object = 'document:2';
SELECT count(agentauthz.write_tuple('document:big', 'viewer', 'user:u' || g)) FROM generate_series(1, 70) g;
SELECT agentauthz.write_tuple('document:big', 'viewer', 'user:anne', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["eu", "us"]}');
SELECT agentauthz.write_tuple('document:big', 'viewer', 'user:bob', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["us"]}');
CREATE TEMP TABLE asked AS
  SELECT o AS object, s AS subject
    FROM unnest(ARRAY['document:1', 'document:big']) o,
         unnest(ARRAY['user:anne', 'user:bob', 'user:carl', 'user:dave', 'user:erin', 'user:u7']) s;
SELECT object, subject, agentauthz.check(subject, 'viewer', object) FROM asked ORDER BY 1, 2;
VACUUM agentauthz.tuples;
SELECT object, subject, agentauthz.check(subject, 'viewer', object) FROM asked ORDER BY 1, 2;

-- Contextual tuples carry conditions, validated as stored ones are.
SELECT agentauthz.check('user:erin', 'viewer', 'document:1',
  '[{"object": "document:1", "relation": "viewer", "subject": "user:erin",
     "condition": {"name": "in_region", "context": {"region": "eu", "allowed": ["eu"]}}}]');
SELECT agentauthz.check('user:erin', 'viewer', 'document:1',
  '[{"object": "document:1", "relation": "viewer", "subject": "user:erin",
     "condition": {"name": "in_region", "context": {"region": "eu", "allowed": ["us"]}}}]');
SELECT agentauthz.check('user:erin', 'viewer', 'document:1',
  '[{"object": "document:1", "relation": "viewer", "subject": "user:erin", "condition": null}]');
SELECT regress.try(format($$SELECT agentauthz.check('user:erin', 'viewer', 'document:1', %L)$$,
                          jsonb_build_array(jsonb_build_object('object', 'document:1', 'relation', r,
                                                               'subject', 'user:erin') || c))) AS result, why
FROM (VALUES
  ('condition not an object', 'viewer', '{"condition": "in_region"}'::jsonb),
  ('condition without a name', 'viewer', '{"condition": {"context": {}}}'),
  ('condition name not a string', 'viewer', '{"condition": {"name": 3}}'),
  ('unknown condition', 'viewer', '{"condition": {"name": "in_regoin"}}'),
  ('condition not in the restriction', 'owner', '{"condition": {"name": "in_region"}}'),
  ('missing condition: only with', 'editor', '{}'),
  ('undeclared context key', 'viewer', '{"condition": {"name": "in_region", "context": {"regoin": "eu"}}}'),
  ('wrong value type', 'viewer', '{"condition": {"name": "in_region", "context": {"region": true}}}'),
  ('context not an object', 'viewer', '{"condition": {"name": "in_region", "context": ["eu"]}}'),
  ('context not an object', 'viewer', '{"condition": {"name": "in_region", "context": "eu"}}')
) AS bad(why, r, c);
SELECT regress.try($$SELECT agentauthz.check('user:erin', 'viewer', 'document:1',
  jsonb_build_array(jsonb_build_object('object', 'document:1', 'relation', 'viewer', 'subject', 'user:erin',
    'condition', jsonb_build_object('name', 'in_region',
                                    'context', jsonb_build_object('region', repeat('x', 32755))))))$$);

-- A contextual tuple with the key of a stored one hides it only when both
-- carry the same condition: bob's stored tuple is not met, his contextual
-- one is; carl's stored tuple is unconditional, his contextual one not met.
-- On document:1 the subjects are read as a list, on document:big probed.
SELECT o AS object,
       agentauthz.check('user:bob', 'viewer', o, jsonb_build_array(jsonb_build_object(
         'object', o, 'relation', 'viewer', 'subject', 'user:bob',
         'condition', '{"name": "in_region", "context": {"region": "eu", "allowed": ["eu"]}}'::jsonb))) AS bob,
       agentauthz.check('user:carl', 'viewer', o, jsonb_build_array(jsonb_build_object(
         'object', o, 'relation', 'viewer', 'subject', 'user:carl',
         'condition', '{"name": "in_region", "context": {"region": "eu", "allowed": ["us"]}}'::jsonb))) AS carl
  FROM unnest(ARRAY['document:1', 'document:big']) o;
SELECT agentauthz.write_tuple('document:big', 'viewer', 'user:carl');
SELECT agentauthz.check('user:carl', 'viewer', 'document:big', jsonb_build_array(jsonb_build_object(
         'object', 'document:big', 'relation', 'viewer', 'subject', 'user:carl',
         'condition', '{"name": "in_region", "context": {"region": "eu", "allowed": ["us"]}}'::jsonb)));

-- A conditional tuple is deleted by its key alone.
SELECT agentauthz.delete_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.check('user:anne', 'viewer', 'document:1');
