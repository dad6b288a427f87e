-- The RLS benchmark's dataset: :docs documents spread over 1,000 folders
-- (document i is in folder i % 1000), a person who may view 10 folders (1%
-- of the documents) and one who may view 500 (50%), an agent acting for
-- each, and the flattened ACL table a DBA would maintain by hand instead.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS rls CASCADE;
TRUNCATE agentauthz.tuples;
DELETE FROM agentauthz.delegations;
DELETE FROM agentauthz.agents;
SELECT agentauthz.write_model($$
model
  schema 1.1
type user
type agent
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor or viewer from parent
$$);

CREATE SCHEMA rls;
CREATE TABLE rls.documents (id bigint PRIMARY KEY, folder_id bigint NOT NULL, title text NOT NULL);
INSERT INTO rls.documents
SELECT i, i % 1000, 'document ' || i || ' of folder ' || i % 1000 FROM generate_series(0, :docs - 1) i;

-- The parent tuples follow the folder column (and its triggers keep them so).
SELECT agentauthz.sync_tuples('rls.documents', 'document', 'id', 'parent', 'folder', 'folder_id');
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:' || f, 'viewer', 'user:one' FROM generate_series(0, 9) f
UNION ALL
SELECT 'folder:' || f, 'viewer', 'user:half' FROM generate_series(0, 499) f;

-- What teams build today: every (principal, document) pair, kept up to date
-- by the application.
CREATE TABLE rls.acl (principal text NOT NULL, document_id bigint NOT NULL,
                      PRIMARY KEY (principal, document_id));
INSERT INTO rls.acl
SELECT 'one', id FROM rls.documents WHERE folder_id < 10
UNION ALL
SELECT 'half', id FROM rls.documents WHERE folder_id < 500;

-- The roles: two agents (row-level security applies), the reader of the
-- hand-written policy, and the owner's view without RLS.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['agent_one', 'agent_half', 'acl_reader'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('DROP OWNED BY %I', r);
      EXECUTE format('DROP ROLE %I', r);
    END IF;
  END LOOP;
END
$$;
GRANT USAGE ON SCHEMA rls TO PUBLIC;
SELECT agentauthz.create_agent_role('agent_one', 'agent:one', tables => '{rls.documents}'),
       agentauthz.create_agent_role('agent_half', 'agent:half', tables => '{rls.documents}');
CREATE ROLE acl_reader LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT SELECT ON rls.documents, rls.acl TO acl_reader;

CREATE TABLE rls.tokens (role name PRIMARY KEY, token text NOT NULL);
INSERT INTO rls.tokens VALUES
  ('agent_one', agentauthz.delegate('user:one', 'agent:one', '{viewer@document:*}', now() + interval '10 years',
                                    'benchmark')),
  ('agent_half', agentauthz.delegate('user:half', 'agent:half', '{viewer@document:*}', now() + interval '10 years',
                                     'benchmark'));
VACUUM ANALYZE rls.documents;
VACUUM ANALYZE rls.acl;
VACUUM ANALYZE agentauthz.tuples;
