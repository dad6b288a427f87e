-- What protect() and sync_tuples() record (agentauthz.protected_tables,
-- agentauthz.synced_columns) decides what unprotect(), protect() again and
-- unsync_tuples() remove. Under 0.1 any admin could rewrite those rows for
-- a table it had no rights on: a tenant policy's name added to `policies`
-- made the owner's next protect() replace it, `enabled_rls` made
-- unprotect() turn row-level security off, a `trigger_name` made
-- unsync_tuples() drop the application's own trigger. Only the extension's
-- functions, acting for the table's owner, write these rows; the helpers
-- that drop policies and triggers drop only what the extension makes.
-- Attacks: (a) an admin who does not own the table, (b) the owner itself,
-- writing the rows directly; (c) the _record_/_forget_ functions for a
-- table the caller does not own; (d) forged calls of _drop_policies and
-- _drop_sync_triggers.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS agentauthz CASCADE;
CREATE EXTENSION agentauthz;
DROP TABLE IF EXISTS bk_docs;
DROP FUNCTION IF EXISTS bk_audit();
DROP ROLE IF EXISTS bk_owner, bk_other, bk_bot;
RESET client_min_messages;

SELECT agentauthz.write_model($dsl$
model
  schema 1.1
type user
type agent
type folder
  relations
    define editor: [user]
    define viewer: [user, agent] or editor
type document
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner or editor from parent
    define viewer: [user, agent] or editor or viewer from parent
$dsl$) > 0 AS model_written;
CREATE ROLE bk_owner IN ROLE agentauthz_admin;
CREATE ROLE bk_other IN ROLE agentauthz_admin;
CREATE ROLE bk_bot;
SELECT agentauthz.register_agent('agent:bk', 'bk_bot');

-- The application: a tenant filter, row-level security it turned on
-- itself, and a trigger of its own.
CREATE TABLE bk_docs (id bigint PRIMARY KEY, folder_id bigint, tenant text, changes integer DEFAULT 0);
CREATE FUNCTION bk_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changes := NEW.changes + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER bk_audit BEFORE UPDATE ON bk_docs FOR EACH ROW EXECUTE FUNCTION bk_audit();
CREATE POLICY bk_tenant ON bk_docs FOR ALL USING (tenant = 'a');
ALTER TABLE bk_docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE bk_docs OWNER TO bk_owner;
GRANT SELECT, UPDATE ON bk_docs TO bk_bot;
INSERT INTO bk_docs VALUES (1, 10, 'a'), (2, 10, 'b');
SET ROLE bk_owner;
SELECT agentauthz.protect('bk_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.sync_tuples('bk_docs', 'document', 'id', 'parent', 'folder', 'folder_id') AS written;
RESET ROLE;
CREATE TEMP TABLE bk_before AS
  SELECT (SELECT array_agg(p ORDER BY p) FROM unnest(policies) p)::text AS policies, enabled_rls, forced_rls,
         (SELECT string_agg(s.relation || ' ' || s.subject_column || ' ' || s.trigger_name, ', ')
            FROM agentauthz.synced_columns s WHERE s.tbl = 'bk_docs'::regclass) AS synced
    FROM agentauthz.protected_tables WHERE tbl = 'bk_docs'::regclass;
SELECT * FROM bk_before;

-- (a) An admin who does not own the table writes the records directly.
SET ROLE bk_other;
SELECT regress.try($$UPDATE agentauthz.protected_tables SET policies = policies || 'bk_tenant'::name$$)
  AS add_tenant_policy;
SELECT regress.try($$UPDATE agentauthz.protected_tables SET enabled_rls = true$$) AS claim_rls;
SELECT regress.try($$DELETE FROM agentauthz.protected_tables$$) AS forget_protection;
SELECT regress.try($$UPDATE agentauthz.synced_columns SET trigger_name = 'bk_audit'$$) AS retarget_trigger;
SELECT regress.try($$INSERT INTO agentauthz.synced_columns VALUES ('bk_docs', 'document', 'id', 'viewer', 'agent',
                                                                  'tenant', NULL, 'bk_audit')$$) AS add_registration;
SELECT regress.try($$DELETE FROM agentauthz.synced_columns$$) AS forget_registration;
RESET ROLE;
-- (b) The owner writes them directly: refused too.
SET ROLE bk_owner;
SELECT regress.try($$UPDATE agentauthz.protected_tables SET policies = policies || 'bk_tenant'::name$$)
  AS owner_adds_tenant_policy;
SELECT regress.try($$UPDATE agentauthz.protected_tables SET enabled_rls = true$$) AS owner_claims_rls;
SELECT regress.try($$UPDATE agentauthz.synced_columns SET trigger_name = 'bk_audit'$$) AS owner_retargets_trigger;
SELECT regress.try($$INSERT INTO agentauthz.protected_tables (tbl, object_type, id_column, strategy, policies,
                                                               enabled_rls, forced_rls)
                     VALUES ('bk_docs', 'document', 'id', 'row', '{}', true, true)$$) AS owner_inserts_record;
RESET ROLE;
-- (c) The _record_/_forget_ functions, for a table the caller does not own.
SET ROLE bk_other;
SELECT regress.try($$SELECT agentauthz._record_protection('bk_docs', 'document', 'id', 'row',
                       ARRAY['agentauthz_select', 'bk_tenant']::name[], true, false, NULL)$$) AS record_protection;
SELECT regress.try($$SELECT agentauthz._forget_protection('bk_docs')$$) AS forget_protection;
SELECT regress.try($$SELECT agentauthz._record_sync('bk_docs', 'document', 'id', 'parent', 'folder', 'folder_id',
                                                    NULL, 'bk_audit')$$) AS record_sync;
SELECT regress.try($$SELECT agentauthz._forget_sync('bk_docs', 'parent', 'folder_id')$$) AS forget_sync;
-- ... and the functions built on them.
SELECT regress.try($$SELECT agentauthz.protect('bk_docs', 'document', 'id')$$) AS protect;
SELECT regress.try($$SELECT agentauthz.unprotect('bk_docs')$$) AS unprotect;
SELECT regress.try($$SELECT agentauthz.sync_tuples('bk_docs', 'document', 'id', 'viewer', 'agent', 'tenant')$$)
  AS sync_tuples;
SELECT regress.try($$SELECT agentauthz.unsync_tuples('bk_docs', 'parent', 'folder_id')$$) AS unsync_tuples;
-- (d) The drop helpers, called directly on someone else's table.
SELECT regress.try($$SELECT agentauthz._drop_policies('bk_docs', ARRAY['bk_tenant', 'agentauthz_guard']::name[])$$)
  AS drop_policies;
SELECT regress.try($$SELECT agentauthz._drop_sync_triggers('bk_docs', 'parent', 'folder_id')$$)
  AS drop_sync_triggers;
RESET ROLE;
-- An agent may call none of them.
SET ROLE bk_bot;
SELECT regress.try($$SELECT agentauthz._drop_policies('bk_docs', ARRAY['bk_tenant']::name[])$$) AS agent_drops_policy;
SELECT regress.try($$SELECT agentauthz._forget_sync('bk_docs', 'parent', 'folder_id')$$) AS agent_forgets_sync;
RESET ROLE;
-- (d) On its own table, the owner's forged calls drop nothing the
-- extension did not make: not its tenant policy, not its own trigger.
SET ROLE bk_owner;
SELECT agentauthz._drop_policies('bk_docs', ARRAY['bk_tenant']::name[]);
SELECT agentauthz._drop_sync_triggers('bk_docs', 'bk', 'audit');
RESET ROLE;
SELECT polname FROM pg_policy WHERE polrelid = 'bk_docs'::regclass ORDER BY 1;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'bk_docs'::regclass ORDER BY 1;

-- Nothing was changed, and the owner's own calls do what they say: the
-- tenant policy, row-level security and the application's trigger stay.
SELECT (SELECT array_agg(p ORDER BY p) FROM unnest(policies) p)::text AS policies, enabled_rls, forced_rls,
       (SELECT string_agg(s.relation || ' ' || s.subject_column || ' ' || s.trigger_name, ', ')
          FROM agentauthz.synced_columns s WHERE s.tbl = 'bk_docs'::regclass) AS synced
  FROM agentauthz.protected_tables WHERE tbl = 'bk_docs'::regclass
EXCEPT SELECT * FROM bk_before;
SET ROLE bk_owner;
SELECT agentauthz.protect('bk_docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.unprotect('bk_docs') AS unprotected;
SELECT agentauthz.unsync_tuples('bk_docs', 'parent', 'folder_id') AS unsynced;
RESET ROLE;
SELECT relrowsecurity AS rls_on FROM pg_class WHERE oid = 'bk_docs'::regclass;
SELECT polname, pg_get_expr(polqual, polrelid) AS qual FROM pg_policy WHERE polrelid = 'bk_docs'::regclass;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'bk_docs'::regclass ORDER BY 1;
SELECT count(*) AS records_left
  FROM (SELECT tbl FROM agentauthz.protected_tables UNION ALL SELECT tbl FROM agentauthz.synced_columns) r;
-- The application's trigger still fires; its tenant filter still filters.
UPDATE bk_docs SET folder_id = 11;
SET ROLE bk_bot;
SELECT id, changes FROM bk_docs ORDER BY id;
RESET ROLE;

DROP TABLE bk_docs, bk_before;
DROP FUNCTION bk_audit();
DROP OWNED BY bk_owner, bk_other, bk_bot;
DROP ROLE bk_owner, bk_other, bk_bot;
