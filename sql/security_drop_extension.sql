-- Whatever happens to the extension, what it protected stays closed to
-- agents. Under 0.1, DROP EXTENSION ... CASCADE took the restrictive
-- policies and left row-level security on with protect()'s permissive
-- `USING (true)` policies: every agent read, changed and deleted every row,
-- and CREATE EXTENSION again did not close the tables.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS sec_drop_docs, sec_drop_notes;
DROP ROLE IF EXISTS sec_drop_bot;
RESET client_min_messages;

CREATE FUNCTION pg_temp.model() RETURNS bigint LANGUAGE sql AS $$
  SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type document
  relations
    define owner: [user, agent]
    define editor: [user, agent] or owner
    define viewer: [user, agent] or editor
$dsl$) $$;
SELECT pg_temp.model() > 0 AS model_written;
CREATE TABLE sec_drop_docs (id bigint PRIMARY KEY, title text);
-- A table with a permissive policy of its own (a tenant filter): after
-- the drop, that policy alone would let the agent read the tenant's rows.
CREATE TABLE sec_drop_notes (id text PRIMARY KEY, tenant text, body text);
INSERT INTO sec_drop_docs VALUES (1, 'mine'), (2, 'not mine');
INSERT INTO sec_drop_notes VALUES ('a', 't1', 'mine'), ('b', 't1', 'not mine'), ('c', 't2', 'other tenant');
ALTER TABLE sec_drop_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_t1 ON sec_drop_notes USING (tenant = 't1') WITH CHECK (tenant = 't1');
SELECT agentauthz.protect('sec_drop_docs', 'document', 'id');
SELECT agentauthz.protect('sec_drop_notes', 'document', 'id');
SELECT agentauthz.create_agent_role('sec_drop_bot', 'agent:drop-bot',
                                    tables => ARRAY['sec_drop_docs', 'sec_drop_notes']::regclass[]);
SELECT agentauthz.write_tuple('document:1', 'owner', 'agent:drop-bot');
SELECT agentauthz.write_tuple('document:a', 'owner', 'agent:drop-bot');

-- What the agent does, as one line: rows it reads, and rows its update,
-- delete and insert touch (each rolled back).
CREATE FUNCTION pg_temp.agent_can() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  docs text;
  notes text;
  updated bigint;
  deleted bigint;
  inserted text;
BEGIN
  SET LOCAL ROLE sec_drop_bot;
  SELECT string_agg(id::text, ',' ORDER BY id) INTO docs FROM sec_drop_docs;
  SELECT string_agg(id, ',' ORDER BY id) INTO notes FROM sec_drop_notes;
  BEGIN
    UPDATE sec_drop_docs SET title = 'x';
    GET DIAGNOSTICS updated = ROW_COUNT;
    DELETE FROM sec_drop_notes;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RAISE EXCEPTION 'undo';
  EXCEPTION WHEN raise_exception THEN NULL;
  END;
  BEGIN
    INSERT INTO sec_drop_notes VALUES ('d', 't1', 'planted');
    inserted := 'inserted';
    RAISE EXCEPTION 'undo';
  EXCEPTION
    WHEN raise_exception THEN NULL;
    WHEN OTHERS THEN inserted := 'insert ' || SQLSTATE;
  END;
  RETURN format('docs=%s notes=%s updated=%s deleted=%s %s', coalesce(docs, '-'), coalesce(notes, '-'),
                updated, deleted, inserted);
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.agent_can() TO sec_drop_bot;

SELECT pg_temp.agent_can() AS protected;

SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
RESET client_min_messages;
-- Left: row-level security, the guard (it names only the system catalog)
-- and the application's own policy; nothing permissive of agentauthz's.
SELECT polrelid::regclass AS tbl, polname, polpermissive FROM pg_policy
 WHERE polrelid IN ('sec_drop_docs'::regclass, 'sec_drop_notes'::regclass) ORDER BY 1, 2;
SELECT relname, relrowsecurity FROM pg_class WHERE relname LIKE 'sec_drop_%' AND relkind = 'r' ORDER BY 1;
SELECT pg_temp.agent_can() AS dropped;

-- Installed again, with its model and tuples back: still closed, until
-- protect() is called again.
CREATE EXTENSION agentauthz;
SELECT pg_temp.model() > 0 AS model_written;
SELECT agentauthz.register_agent('agent:drop-bot', 'sec_drop_bot');
SELECT agentauthz.write_tuple('document:1', 'owner', 'agent:drop-bot');
SELECT agentauthz.write_tuple('document:a', 'owner', 'agent:drop-bot');
SELECT pg_temp.agent_can() AS installed_again;
SELECT agentauthz.protect('sec_drop_docs', 'document', 'id');
SELECT agentauthz.protect('sec_drop_notes', 'document', 'id');
SELECT pg_temp.agent_can() AS protected_again;
SELECT polrelid::regclass AS tbl, polname FROM pg_policy
 WHERE polrelid IN ('sec_drop_docs'::regclass, 'sec_drop_notes'::regclass) ORDER BY 1, 2;
-- unprotect() after such a drop removes the guard too; row-level security
-- stays on (protect() found it on).
SELECT agentauthz.unprotect('sec_drop_docs');
SELECT polname FROM pg_policy WHERE polrelid = 'sec_drop_docs'::regclass;
SELECT relrowsecurity FROM pg_class WHERE oid = 'sec_drop_docs'::regclass;
-- The same without a record of protect() (dropped and created again):
-- its policies, the guard among them, go all the same.
SELECT agentauthz.protect('sec_drop_docs', 'document', 'id');
SET client_min_messages = warning;
DROP EXTENSION agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;
SELECT polname FROM pg_policy WHERE polrelid = 'sec_drop_docs'::regclass;
SELECT agentauthz.unprotect('sec_drop_docs') AS unprotected, agentauthz.unprotect('sec_drop_docs') AS again;
SELECT polname FROM pg_policy WHERE polrelid = 'sec_drop_docs'::regclass;
SELECT pg_temp.model() > 0 AS model_written;

-- Dropping the extension's schema takes the extension with it: closed too.
SELECT agentauthz.protect('sec_drop_docs', 'document', 'id');
SET client_min_messages = warning;
SELECT regress.try('DROP SCHEMA agentauthz CASCADE') AS drop_schema;
RESET client_min_messages;
SELECT pg_temp.agent_can() AS schema_dropped;

-- The owner of a table is not filtered (without FORCE): it can always
-- open it again by hand.
SELECT count(*) AS owner_reads FROM sec_drop_docs;

SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
RESET client_min_messages;
DROP TABLE sec_drop_docs, sec_drop_notes;
DROP OWNED BY sec_drop_bot;
DROP ROLE sec_drop_bot;
