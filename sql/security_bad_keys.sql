-- One row whose key cannot name an object must not break anybody's reads.
-- Under 0.1, an agent that could insert stored a row keyed 'x:y' in a
-- protected table with a text key, and from then on every agent's scan of
-- the table failed with 22023. Now such a row is simply not allowed (and
-- on record as refused), and writing one is refused with an error that
-- says why.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_key_docs, sec_key_refs;
DROP ROLE IF EXISTS sec_key_bot;
RESET client_min_messages;
SET agentauthz.audit = 'denied';

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define editor: [user, agent]
    define viewer: [user, agent] or editor
type doc
  relations
    define parent: [folder]
    define owner: [user, agent]
    define editor: [user, agent] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
$dsl$) > 0 AS model_written;
CREATE TABLE sec_key_docs (id text PRIMARY KEY, folder text, title text);
INSERT INTO sec_key_docs VALUES ('d1', 'f1', 'plan'), ('d2', 'f1', 'budget'), ('d3', 'f2', 'elsewhere');
SELECT agentauthz.protect('sec_key_docs', 'doc', 'id', parent_column => 'folder', parent_type => 'folder');
-- A hand-written policy over a column that holds whole object names.
CREATE TABLE sec_key_refs (ref text, note text);
INSERT INTO sec_key_refs VALUES ('doc:d1', 'fine'), ('doc:d3', 'not allowed');
ALTER TABLE sec_key_refs ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_refs ON sec_key_refs FOR SELECT USING (agentauthz.check('viewer', ref));
SELECT agentauthz.create_agent_role('sec_key_bot', 'agent:key-bot',
                                    tables => ARRAY['sec_key_docs', 'sec_key_refs']::regclass[]);
SELECT agentauthz.write_tuple('folder:f1', 'editor', 'agent:key-bot');
SELECT agentauthz.write_tuple('doc:' || id, 'parent', 'folder:' || folder) FROM sec_key_docs;

-- The agent may insert into folder f1, but not a key that names nothing:
-- refused with 22023 and the reason, whatever the shape.
SET ROLE sec_key_bot;
SELECT regress.try(format('INSERT INTO sec_key_docs VALUES (%L, %L, %L)', k, 'f1', 'planted')) AS insert_bad_key
  FROM unnest(ARRAY['x:y', 'x y', 'x#y', '', repeat('k', 300), E'tab\there']) AS k;
-- Moving a row to such a key, or to a parent that cannot be named: the same.
SELECT regress.try($$UPDATE sec_key_docs SET id = 'd1:evil' WHERE id = 'd1'$$) AS update_bad_key;
SELECT regress.try($$INSERT INTO sec_key_docs VALUES ('d9', 'f1:x', 'bad parent')$$) AS bad_parent;
SELECT regress.try($$INSERT INTO sec_key_docs VALUES ('d9', 'f1', 'good')$$) AS good_key;
RESET ROLE;

-- Rows with such keys written by the owner (or loaded before protect()):
-- invisible to agents, and nobody's scan fails.
INSERT INTO sec_key_docs VALUES ('o:y', 'f1', 'bad'), ('o y', 'f1', 'bad'), ('', 'f1', 'bad'),
                                (repeat('o', 300), 'f1', 'bad'), ('*', 'f1', 'bad');
INSERT INTO sec_key_refs VALUES ('doc:a:b', 'bad id'), ('nocolon', 'no type'), ('ghost:1', 'unknown type'),
                                ('doc: 1', 'space'), (repeat('z', 300), 'too long');
SET ROLE sec_key_bot;
SELECT id, title FROM sec_key_docs ORDER BY id;
SELECT ref FROM sec_key_refs ORDER BY ref;
SELECT agentauthz.check('viewer', 'doc:x:y') AS colon_id, agentauthz.check('viewer', 'ghost:1') AS unknown_type,
       agentauthz.check_id('viewer', 'doc', 'x y') AS space_id;
-- A relation the policy names wrongly is still an error: that is the
-- policy's bug, not a row's.
SELECT regress.try($$SELECT agentauthz.check('viewr', 'doc:d1')$$) AS policy_typo;
SELECT regress.try($$SELECT agentauthz.check_id('viewer', 'dok', 'd1')$$) AS type_typo;
RESET ROLE;

-- Each refusal is on record with the key as given.
SELECT agentauthz.audit_flush();
SELECT relation, left(object_type, 12) AS object_type, left(object_id, 12) AS object_id,
       octet_length(object_id) AS id_bytes, decision
  FROM agentauthz.audit_log WHERE kind = 'check' AND detail LIKE 'the key names no object%' ORDER BY id;

RESET agentauthz.audit;
DROP TABLE sec_key_docs, sec_key_refs;
DROP OWNED BY sec_key_bot;
DROP ROLE sec_key_bot;
