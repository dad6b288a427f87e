-- agentauthz 0.3 -> 0.4: every function says what it does and who may call
-- it (COMMENT ON FUNCTION, shown by \df+ and obj_description). Nothing
-- else changes: no table, function body, grant or policy. There is no
-- agentauthz--0.4.sql: CREATE EXTENSION installs 0.3 and applies this
-- script, so a fresh install and an updated one run the same statements.
\echo Use "ALTER EXTENSION agentauthz UPDATE TO '0.4'" to load this file. \quit

-- Triggers on the extension's own tables ---------------------------------------

COMMENT ON FUNCTION agentauthz.tuples_validate() IS
  'Trigger function, BEFORE INSERT OR UPDATE of each row of agentauthz.tuples: refuses a tuple the active model does not allow, however it arrives (write_tuple, INSERT, COPY). Nobody calls it; it fires on that table only.';
COMMENT ON FUNCTION agentauthz.tuples_changed() IS
  'Trigger function, AFTER each statement that changes or truncates agentauthz.tuples: tells every backend that its cached tuples are stale. Nobody calls it; it fires on that table only.';
COMMENT ON FUNCTION agentauthz.actors_changed() IS
  'Trigger function, AFTER each statement that changes or truncates agentauthz.agents or agentauthz.delegations: every backend decides its actor afresh at its next statement after the commit. Nobody calls it; it fires on those tables only.';

-- Models and tuples ---------------------------------------------------------------

COMMENT ON FUNCTION agentauthz.write_model(text) IS
  'Parses, validates and stores an OpenFGA DSL model (schema 1.1), which becomes the active model, and returns its id; invalid DSL is a 42601 error naming the line and column. For agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.read_model(bigint) IS
  'Returns the DSL of a model (default: the active one), or NULL when there is none. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.write_tuple(text, text, text, timestamptz) IS
  'Stores a tuple, or updates the expires_at of the one stored (idempotent); an error when the active model does not allow it. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.delete_tuple(text, text, text) IS
  'Deletes a tuple, also one the active model no longer allows (only its format is checked), and returns whether it existed. For agentauthz_admin and agentauthz_app.';

-- Queries for a given subject -----------------------------------------------------

COMMENT ON FUNCTION agentauthz.check(text, text, text) IS
  'Whether subject has relation on object under the active model, with OpenFGA''s semantics; an unknown type or relation is an error. For agentauthz_admin and agentauthz_app (agents call check(relation, object)).';
COMMENT ON FUNCTION agentauthz.check(text, text, text, jsonb) IS
  'check(subject, relation, object) with extra tuples (a jsonb array of {object, relation, subject}) that hold for this call only. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.list_objects(text, text, text) IS
  'The objects of object_type (type:id, sorted) on which subject has relation under the active model. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.list_objects(text, text, text, jsonb) IS
  'list_objects(subject, relation, object_type) with extra tuples (a jsonb array of {object, relation, subject}) that hold for this call only. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.list_subjects(text, text, text) IS
  'The subjects of subject_type (a type, or type#relation for usersets; type:* where a wildcard grants it) that have relation on object, sorted. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.list_subjects(text, text, text, jsonb) IS
  'list_subjects(object, relation, subject_type) with extra tuples (a jsonb array of {object, relation, subject}) that hold for this call only. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.explain(text, text, text) IS
  'The decision of check(subject, relation, object) as jsonb, with the path of tuples that grants it or the branches that did not. For agentauthz_admin and agentauthz_app.';

-- Agents and delegations ----------------------------------------------------------

COMMENT ON FUNCTION agentauthz.register_agent(text, regrole) IS
  'Maps a PostgreSQL role to an agent subject (agent:name), which the role then acts as; refuses a privileged role (or one holding a protected table''s owner rights) and a role mapped to another agent, and the same mapping again changes nothing. For agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.unregister_agent(regrole) IS
  'Removes a role''s agent mapping (its sessions act for the agent no more) and returns whether there was one. For agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.delegate(text, text, text[], timestamptz, text) IS
  'Lets an agent act for a principal (one subject, type:id) within scopes (relation@object, relation@type:*), for a purpose, until expires_at; returns the bearer token, shown only once (only a hash of its secret is stored). For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.subdelegate(text, text[], timestamptz, text) IS
  'Hands part of the current delegation on to another agent: the new link''s scopes hold only together with every ancestor''s, its expiry is capped by its parent''s, and it returns the new token. Any role acting under a valid delegation (act_for) may call it, within agentauthz.max_delegation_depth and agentauthz.max_delegation_tree_links.';
COMMENT ON FUNCTION agentauthz.revoke_delegation(bigint) IS
  'Revokes a delegation link and every link below it (sessions using them are denied from their next statement after the commit) and returns how many links it revoked. For agentauthz_admin and agentauthz_app.';
COMMENT ON FUNCTION agentauthz.purge_delegations(timestamptz) IS
  'Removes the delegation links that expired or were revoked before ended_before (default: now less agentauthz.delegation_retention; a future cut-off is refused), whole subtrees only, and returns how many went (a purged audit row says so when any did). For agentauthz_admin.';

-- The actor context ---------------------------------------------------------------

COMMENT ON FUNCTION agentauthz.act_for(text, boolean) IS
  'Validates a delegation token issued to the current role''s agent and acts under it, for the transaction (local) or the session; returns the context as current_actor() does. Any role may call it: an invalid token is refused with 28000, another agent''s token or a privileged role with 42501.';
COMMENT ON FUNCTION agentauthz.set_subject(text, boolean) IS
  'Acts as a subject (not a wildcard) without a delegation, for the transaction (local) or the session; returns the context as current_actor() does. For members of agentauthz_app or agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.end_task() IS
  'Ends the actor context act_for() or set_subject() set (a registered agent''s role then acts as its own agent). Any role may call it.';
COMMENT ON FUNCTION agentauthz.current_actor() IS
  'Who this session acts as, as jsonb: nobody, a subject, an agent on its own, or an agent under a delegation chain, with whether that holds now and where audit records go. Any role may call it.';
COMMENT ON FUNCTION agentauthz.check(text, text) IS
  'Whether the current actor has relation on object: the subject''s (or the agent''s own) rights, or the principal''s within every scope of the delegation chain; false without a valid actor context, for an object that names nothing the model defines, and beyond agentauthz.max_depth. Any role may call it, as row-level security policies do; the decision is audited.';
COMMENT ON FUNCTION agentauthz.explain(text, text) IS
  'explain() for the current actor: the context and the decision, with the subject''s proof for a subject an application set and the decision only for an agent. Any role may call it; the decision is audited as check()''s is.';

-- Row-level security: the checks protect()'s policies call ------------------------

COMMENT ON FUNCTION agentauthz.check_id(text, text, bigint) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id. Any role may call it, as protect()''s row policies do.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, integer) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id. Any role may call it, as protect()''s row policies do.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, uuid) IS
  'check(relation, object_type || '':'' || id) for the current actor, with a typed id. Any role may call it, as protect()''s row policies do.';
COMMENT ON FUNCTION agentauthz.check_id(text, text, text) IS
  'check(relation, object_type || '':'' || id) for the current actor; an id that cannot name an object is not allowed. Any role may call it, as protect()''s row policies do.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, bigint) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error (22023). Any role may call it, as protect()''s write policies do.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, integer) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error (22023). Any role may call it, as protect()''s write policies do.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, uuid) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error (22023). Any role may call it, as protect()''s write policies do.';
COMMENT ON FUNCTION agentauthz.check_new_id(text, text, text) IS
  'check_id() for a row being written (WITH CHECK): a key that cannot name an object is an error (22023). Any role may call it, as protect()''s write policies do.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, bigint) IS
  'For a row inserted under a parent: true for a new object, and check_new_id(relation, ...) for one the latest committed tuples already name (taking it in is a move). Any role may call it, as protect()''s insert policies with a parent_column do.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, integer) IS
  'For a row inserted under a parent: true for a new object, and check_new_id(relation, ...) for one the latest committed tuples already name (taking it in is a move). Any role may call it, as protect()''s insert policies with a parent_column do.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, uuid) IS
  'For a row inserted under a parent: true for a new object, and check_new_id(relation, ...) for one the latest committed tuples already name (taking it in is a move). Any role may call it, as protect()''s insert policies with a parent_column do.';
COMMENT ON FUNCTION agentauthz.check_new_object(text, text, text) IS
  'For a row inserted under a parent: true for a new object, and check_new_id(relation, ...) for one the latest committed tuples already name (taking it in is a move). Any role may call it, as protect()''s insert policies with a parent_column do.';
COMMENT ON FUNCTION agentauthz.actor_valid() IS
  'Whether the current actor context holds now: the current role''s own (set by it, or the agent it is registered as), the role not privileged, and any delegation chain unrevoked and unexpired. Any role may call it, as protect()''s set policies do for every row.';
COMMENT ON FUNCTION agentauthz.allowed_ids(text, text) IS
  'The ids of the objects of object_type on which the current actor has relation, sorted; the listing is audited. Any role may call it, as protect()''s set policies on text keys do.';
COMMENT ON FUNCTION agentauthz.allowed_bigint_ids(text, text) IS
  'allowed_ids() as bigint[], leaving out ids that are not integers in canonical form. Any role may call it, as protect()''s set policies on integer keys do.';
COMMENT ON FUNCTION agentauthz.allowed_uuid_ids(text, text) IS
  'allowed_ids() as uuid[], leaving out ids that are not uuids in canonical lower-case form. Any role may call it, as protect()''s set policies on uuid keys do.';

-- Row-level security: protect() and its helpers -----------------------------------

COMMENT ON FUNCTION agentauthz.protect(regclass, text, name, text, text, text, text, name, text, text, boolean) IS
  'Enables row-level security on a table with restrictive policies that call the actor-context check (select, update and delete relations on the row''s object; inserts and moves checked on a parent column when given) and a guard that keeps the table closed to agents if the extension is dropped; idempotent. For agentauthz_admin on a table it owns whose owner rights no agent role holds.';
COMMENT ON FUNCTION agentauthz.unprotect(regclass) IS
  'Removes exactly what protect() made: its policies, and row-level security if protect() turned it on; returns false when the table had none of it. For agentauthz_admin on a table it owns.';
COMMENT ON FUNCTION agentauthz.create_agent_role(text, text, text, regclass[]) IS
  'Creates a NOINHERIT login role for an agent without superuser, CREATEDB, CREATEROLE, replication or BYPASSRLS, registers it as the agent, grants it DML on the listed tables (rows stay filtered by their policies) and returns it. For agentauthz_admin with CREATEROLE.';
COMMENT ON FUNCTION agentauthz._row_check(text, text, name, regtype, text) IS
  'Internal to protect(): the policy expression asking relation on a row''s object, a typed check_id per row (row), check_new_id (write) or a test against the allowed ids listed once per query (set). EXECUTE for agentauthz_admin, as protect() runs as its caller.';
COMMENT ON FUNCTION agentauthz._key(name, regtype) IS
  'Internal to protect(): a key column, quoted, as the typed checks take it (smallint as integer). EXECUTE for agentauthz_admin, as protect() runs as its caller.';
COMMENT ON FUNCTION agentauthz._drop_policies(regclass, name[]) IS
  'Internal to protect() and unprotect(): drops those of the named policies of a table that exist and bear a name protect() gives, never another policy. EXECUTE for agentauthz_admin, as they run as their caller (the table''s owner).';
COMMENT ON FUNCTION agentauthz._policy_names() IS
  'Internal to protect() and unprotect(): every policy name protect() may make, so that both remove what a dropped installation left. EXECUTE for agentauthz_admin, as they run as their caller.';
COMMENT ON FUNCTION agentauthz._require(text[], boolean[]) IS
  'Internal to protect(), unprotect(), create_agent_role(), sync_tuples() and unsync_tuples(): raises 22004 naming the first argument whose present flag is false. EXECUTE for agentauthz_admin, as those run as their caller.';
COMMENT ON FUNCTION agentauthz._record_protection(regclass, text, name, text, name[], boolean, boolean, name) IS
  'Internal to protect(): records in agentauthz.protected_tables what it made, with the extension owner''s rights. Refused unless the caller is an agentauthz_admin owning the table, and for a table whose owner rights an agent role holds.';
COMMENT ON FUNCTION agentauthz._forget_protection(regclass) IS
  'Internal to unprotect(): deletes the table''s record in agentauthz.protected_tables, with the extension owner''s rights. Refused unless the caller is an agentauthz_admin owning the table.';

-- Tuples derived from application rows --------------------------------------------

COMMENT ON FUNCTION agentauthz.sync_tuples(regclass, text, name, text, text, name, text) IS
  'Keeps the tuples object_type:<id_column> relation subject_type:<subject_column>[#subject_relation] in step with a table (insert, update, delete, truncate) and writes them for the rows already there; returns how many it wrote. For agentauthz_admin on a table it owns.';
COMMENT ON FUNCTION agentauthz.unsync_tuples(regclass, text, name) IS
  'Stops keeping a column''s tuples in step: removes the registration and its triggers (the tuples written stay) and returns whether there was one. For agentauthz_admin on a table it owns.';
COMMENT ON FUNCTION agentauthz._sync_row() IS
  'Trigger function sync_tuples() attaches AFTER INSERT, UPDATE or DELETE of each row: keeps the tuple the row implies with the extension owner''s rights, exactly as the registration says, and refuses an agent''s change of who relates to an existing object. Only agentauthz_admin may attach it; nobody calls it.';
COMMENT ON FUNCTION agentauthz._sync_truncate() IS
  'Trigger function sync_tuples() attaches AFTER TRUNCATE: deletes every tuple of the registration''s object type, relation and subject type, with the extension owner''s rights. Only agentauthz_admin may attach it; nobody calls it.';
COMMENT ON FUNCTION agentauthz._record_sync(regclass, text, name, text, text, name, text, name) IS
  'Internal to sync_tuples(): records a registration in agentauthz.synced_columns, with the extension owner''s rights, once both columns hold supported keys; its triggers check it at every firing. Refused unless the caller is an agentauthz_admin owning the table.';
COMMENT ON FUNCTION agentauthz._forget_sync(regclass, text, name) IS
  'Internal to unsync_tuples(): deletes a registration, with the extension owner''s rights, and returns its trigger name (NULL when there was none). Refused unless the caller is an agentauthz_admin owning the table.';
COMMENT ON FUNCTION agentauthz._sync_trigger_name(text, name) IS
  'Internal to sync_tuples(): the name of a registration''s row trigger, agentauthz_sync_<relation>_<column> where that cannot be read two ways and agentauthz_sync_<md5 of the key> otherwise. EXECUTE for agentauthz_admin, as sync_tuples() runs as its caller.';
COMMENT ON FUNCTION agentauthz._trigger_args(bytea) IS
  'Internal to the sync functions: splits pg_trigger.tgargs into a trigger''s arguments. EXECUTE for agentauthz_admin, as sync_tuples() and unsync_tuples() run as their caller.';
COMMENT ON FUNCTION agentauthz._sync_triggers(regclass, text, name) IS
  'Internal to sync_tuples() and unsync_tuples(): the triggers on a table that call the sync functions for one registration (relation, subject_column), whatever their names. EXECUTE for agentauthz_admin, as both run as their caller.';
COMMENT ON FUNCTION agentauthz._drop_sync_triggers(regclass, text, name) IS
  'Internal to sync_tuples() and unsync_tuples(): drops a registration''s triggers where they exist, found by its key and never by name alone. EXECUTE for agentauthz_admin, as both run as their caller (the table''s owner).';

-- Audit -----------------------------------------------------------------------------

COMMENT ON FUNCTION agentauthz.verify_audit() IS
  'Recomputes the audit log''s hash chain from its anchor to its head and reports the first edited, inserted or deleted row. For agentauthz_auditor (admins are auditors).';
COMMENT ON FUNCTION agentauthz.purge_audit(timestamptz) IS
  'Removes the audit rows logged before a time once they verify (XX001 otherwise, nothing removed), anchors the chain at the cut and returns how many rows went (a purged audit row says so when any did). For agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.audit_flush(integer) IS
  'Hands over this session''s audit records and waits until everything queued for this database so far is written (at once without the preloaded library, whose records are written at commit); false after timeout_ms. Any role may call it.';
COMMENT ON FUNCTION agentauthz.audit_stats() IS
  'The shared audit queues since the server started, per database: the writer''s pid, bytes queued and capacity, records enqueued, written and dropped. For agentauthz_auditor (admins are auditors).';
COMMENT ON FUNCTION agentauthz.set_audit_level(text, regrole) IS
  'Sets agentauthz.audit (off, denied, summary or all; default removes the setting) for this database, or for one role in it; sessions that start afterwards use it. For agentauthz_admin.';
COMMENT ON FUNCTION agentauthz.set_session_contexts(boolean, regrole) IS
  'Sets agentauthz.session_contexts for this database, or for one role in it (NULL removes the setting): off for roles that connect through a transaction pool, whose contexts must last one transaction. For agentauthz_admin.';
