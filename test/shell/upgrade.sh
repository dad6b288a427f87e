#!/usr/bin/env bash
# ALTER EXTENSION agentauthz UPDATE from each released version (0.1, 0.2,
# 0.3, 0.4, 0.5, 0.6): a database used under it (models, tuples, agents, delegations,
# protected and synced tables, audit rows) is updated in place. Afterwards
# it has exactly the functions (and their comments), grants, triggers and
# policies a fresh install of the current version has, nothing stored is
# lost or changed, the old token still works, and the 0.1 holes are closed.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
CHECKS=0
FAILS=0
expect() {  # expect NAME EXPECTED ACTUAL
  CHECKS=$((CHECKS + 1))
  if [[ "$2" != "$3" ]]; then
    FAILS=$((FAILS + 1))
    printf 'FAILED: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3" >&2
  fi
}

# sqlstate DB ROLE SQL: runs SQL as ROLE; prints "ok" or the error's SQLSTATE.
sqlstate() {
  q -d "$1" -U "$2" -c "DO \$\$ BEGIN $3; RAISE NOTICE 'ok'; EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 |
    sed -n 's/^NOTICE: *//p'
}

CURRENT=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$(dirname "$0")/../../agentauthz.control")

upgrade_from() {
FROM=$1
PGOPTIONS="-c client_min_messages=warning" q -d postgres \
  -c "DROP DATABASE IF EXISTS upgrade_old WITH (FORCE)" -c "DROP DATABASE IF EXISTS upgrade_new WITH (FORCE)" \
  -c "DROP ROLE IF EXISTS upgrade_bot" -c "DROP ROLE IF EXISTS upgrade_app"
q -d postgres -c "CREATE DATABASE upgrade_old" -c "CREATE DATABASE upgrade_new" -c "CREATE ROLE upgrade_bot LOGIN"

# The same application in both databases: $FROM then updated, and the current version fresh.
setup_app() {
  q -d "$1" >/dev/null <<'SQL'
SELECT agentauthz.write_model($$model
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
    define viewer: [user] or editor or viewer from parent
type note
  relations
    define owner: [user]
    define editor: owner
    define viewer: [user] or owner
type asset
  relations
    define owner: [user]
    define owner_user: [user]
    define editor: owner
    define viewer: [user] or owner$$);
CREATE TABLE docs (id bigint PRIMARY KEY, folder_id bigint, title text);
CREATE TABLE notes (id text PRIMARY KEY, body text, tenant text);
CREATE TABLE assets (id uuid PRIMARY KEY, label text, custodian text);
INSERT INTO assets VALUES ('0f5a1c2e-1111-4c3b-9a7e-000000000001', 'laptop', 'anne');
INSERT INTO docs VALUES (1, 10, 'plan'), (2, 10, 'budget'), (3, 20, 'diary');
INSERT INTO notes VALUES ('n-1', 'first', 'a'), ('n-2', 'second', 'a'), ('n-3', 'third', 'b');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON notes FOR SELECT USING (tenant = 'a');
SELECT agentauthz.sync_tuples('docs', 'document', 'id', 'parent', 'folder', 'folder_id');
-- A relation with '_': 0.1 and 0.2 named its triggers otherwise than 0.3.
SELECT agentauthz.sync_tuples('assets', 'asset', 'id', 'owner_user', 'user', 'custodian');
SELECT agentauthz.write_tuple('folder:10', 'editor', 'user:anne');
SELECT agentauthz.write_tuple('note:n-1', 'owner', 'user:anne');
SELECT agentauthz.write_tuple('note:n-3', 'owner', 'user:anne');
SELECT agentauthz.protect('docs', 'document', 'id', parent_column => 'folder_id', parent_type => 'folder');
SELECT agentauthz.protect('notes', 'note', 'id');
SELECT agentauthz.protect('assets', 'asset', 'id', strategy => 'set');
SELECT agentauthz.write_tuple('asset:0f5a1c2e-1111-4c3b-9a7e-000000000001', 'owner', 'user:anne');
SELECT agentauthz.register_agent('agent:upgrade', 'upgrade_bot');
GRANT SELECT, INSERT, UPDATE, DELETE ON docs, notes, assets TO upgrade_bot;
-- 0.1 let admins edit the records protect() keeps; the update must not rely
-- on them (the same record is gone from the fresh database, to compare).
DELETE FROM agentauthz.protected_tables WHERE tbl = 'notes'::regclass;
SQL
}
q -d upgrade_old -c "CREATE EXTENSION agentauthz VERSION '$FROM'"
q -d upgrade_new -c "CREATE EXTENSION agentauthz"
q -d postgres -c "CREATE ROLE upgrade_app LOGIN IN ROLE agentauthz_app"
setup_app upgrade_old
setup_app upgrade_new
# A registration 0.1 and 0.2 allowed and 0.3 refuses (written directly:
# this library refuses it): an application role as an agent.
q -d upgrade_old -c "INSERT INTO agentauthz.agents (agent, role_name) VALUES ('agent:app', 'upgrade_app')"
token=$(q -d upgrade_old -c "SELECT agentauthz.delegate('user:anne', 'agent:upgrade', '{viewer@folder:10,viewer@note:*,viewer@asset:*}',
                                                       now() + interval '1 day', 'survive the update')")
revoked=$(q -d upgrade_old -c "SELECT agentauthz.delegate('user:anne', 'agent:upgrade', '{viewer@folder:10}',
                                                         now() + interval '1 day', 'revoked before the update')")
q -d upgrade_old -c "SELECT agentauthz.revoke_delegation(split_part('$revoked', '.', 2)::bigint)" >/dev/null

agent_reads() {  # what the agent sees under the token, on record
  q -d upgrade_old -U upgrade_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$token') IS NOT NULL" \
    -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM docs" \
    -c "SELECT string_agg(id, ',' ORDER BY id) FROM notes" -c "SELECT count(*) FROM assets" -c "COMMIT" |
    tail -3 | paste -sd'|'
}
before_reads=$(agent_reads)
q -d upgrade_old -c "SELECT agentauthz.audit_flush()" >/dev/null
# Everything stored, as text: no row may be lost or changed by the update.
stored="SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
  SELECT 'model ' || id || ' ' || md5(dsl) || ' ' || created_by FROM agentauthz.models
  UNION ALL SELECT 'tuple ' || object || ' ' || relation || ' ' || subject || ' ' || coalesce(expires_at::text, '-')
            FROM agentauthz.tuples
  UNION ALL SELECT 'agent ' || agent || ' ' || role_name FROM agentauthz.agents
  UNION ALL SELECT 'delegation ' || (to_jsonb(d) - 'context')::text FROM agentauthz.delegations d
  UNION ALL SELECT 'protected ' || tbl || ' ' || object_type || ' ' || id_column || ' ' || strategy || ' ' ||
                   enabled_rls || forced_rls FROM agentauthz.protected_tables
  UNION ALL SELECT 'synced ' || s::text FROM agentauthz.synced_columns s
  UNION ALL SELECT 'audit ' || id || ' ' || encode(row_hash, 'hex') FROM agentauthz.audit_log
  UNION ALL SELECT 'chain ' || c::text FROM agentauthz.audit_chain c) s(x)"
before_stored=$(q -d upgrade_old -c "$stored")
audit_rows=$(q -d upgrade_old -c "SELECT count(*) FROM agentauthz.audit_log")

q -d upgrade_old -c "ALTER EXTENSION agentauthz UPDATE"
expect "version after the update" "$CURRENT" "$(q -d upgrade_old -c "SELECT extversion FROM pg_extension WHERE extname = 'agentauthz'")"
expect "nothing stored lost or changed" "$before_stored" "$(q -d upgrade_old -c "$stored")"
expect "the tuples kept are unconditional" "0" \
  "$(q -d upgrade_old -c "SELECT count(*) FROM agentauthz.tuples WHERE condition_name IS NOT NULL OR condition_context IS NOT NULL")"
expect "audit rows kept" "$audit_rows" "$(q -d upgrade_old -c "SELECT count(*) FROM agentauthz.audit_log")"
expect "audit chain verifies" "t" "$(q -d upgrade_old -c "SELECT ok FROM agentauthz.verify_audit()")"
expect "the agent reads what it read before" "$before_reads" "$(agent_reads)"
expect "a revoked token stays refused" "28000" \
  "$(sqlstate upgrade_old upgrade_bot "PERFORM agentauthz.act_for('$revoked')")"

# Sync registrations keep working under the names the old version gave
# them; syncing one again gives it this version's name.
expect "an old-named sync registration keeps its tuples in step" "user:bob" \
  "$(q -d upgrade_old -c "UPDATE assets SET custodian = 'bob'" \
      -c "SELECT string_agg(subject, ',') FROM agentauthz.tuples WHERE relation = 'owner_user'")"
q -d upgrade_old -c "SELECT agentauthz.sync_tuples('assets', 'asset', 'id', 'owner_user', 'user', 'custodian')" >/dev/null
# A registration 0.3 would refuse is kept, but the role does not act as an agent.
expect "a privileged role registered before does not act as its agent" "false" \
  "$(q -d upgrade_old -U upgrade_app -c "SELECT agentauthz.current_actor() ->> 'valid'")"

# The catalog of the updated extension is that of a fresh install.
shape="SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'function ' || p.oid::regprocedure || ' ' || p.prorettype::regtype || ' lang=' || l.lanname ||
         ' secdef=' || p.prosecdef || ' strict=' || p.proisstrict || ' vol=' || p.provolatile::text ||
         ' par=' || p.proparallel::text || ' config=' || coalesce(p.proconfig::text, '-') ||
         ' src=' || md5(p.prosrc) || ' acl=' || coalesce(p.proacl::text, '-') ||
         ' comment=' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-')
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
   WHERE p.pronamespace = 'agentauthz'::regnamespace
  UNION ALL
  SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '-') ||
         ' comment=' || coalesce(md5(obj_description(c.oid, 'pg_class')), '-')
    FROM pg_class c WHERE c.relnamespace = 'agentauthz'::regnamespace
  UNION ALL
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
         ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'agentauthz'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'agentauthz'::regnamespace
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'agentauthz'::regnamespace
  UNION ALL
  SELECT 'trigger ' || t.tgrelid::regclass || ' ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'type ' || t.typname || ' acl=' || coalesce(t.typacl::text, '-')
    FROM pg_type t WHERE t.typnamespace = 'agentauthz'::regnamespace AND t.typtype = 'd'
  UNION ALL
  SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' ' || polpermissive || ' ' || polcmd::text || ' ' ||
         coalesce(pg_get_expr(polqual, polrelid), '-') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-')
    FROM pg_policy
  UNION ALL
  SELECT 'protected ' || tbl || ' ' || coalesce(parent_column::text, '-') || ' '
         || (SELECT array_agg(n ORDER BY n) FROM unnest(policies) n)::text
    FROM agentauthz.protected_tables
  UNION ALL
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM pg_depend
   WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'agentauthz')) s(x)"
# Every function has the comment a fresh install gives it, none without.
comments="SELECT string_agg(p.oid::regprocedure || ': ' || coalesce(obj_description(p.oid, 'pg_proc'), '-'),
                     E'\n' ORDER BY p.oid::regprocedure::text)
            FROM pg_proc p WHERE p.pronamespace = 'agentauthz'::regnamespace"
expect "the updated functions' comments are a fresh install's" "$(q -d upgrade_new -c "$comments")" \
  "$(q -d upgrade_old -c "$comments")"
expect "no function without a comment" "0" \
  "$(q -d upgrade_old -c "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'agentauthz'::regnamespace
                            AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''")"
old_shape=$(q -d upgrade_old -c "$shape")
new_shape=$(q -d upgrade_new -c "$shape")
if [[ "$old_shape" != "$new_shape" ]]; then
  diff <(echo "$new_shape") <(echo "$old_shape") | head -40 >&2 || true
fi
expect "the updated catalog is a fresh install's" "$(echo "$new_shape" | md5sum)" "$(echo "$old_shape" | md5sum)"

# 0.5: a delegation pins condition values; the old links pin none.
expect "the old delegations pin no condition values" "0" \
  "$(q -d upgrade_old -c "SELECT count(*) FROM agentauthz.delegations WHERE context IS NOT NULL")"
pinned=$(q -d upgrade_old -c "SELECT agentauthz.delegate('user:anne', 'agent:upgrade', '{viewer@folder:10}',
                                                        now() + interval '1 day', 'with values', '{\"region\": \"eu\"}')")
expect "a delegation with condition values after the update" '["region"]' \
  "$(q -d upgrade_old -U upgrade_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$pinned') -> 'context_parameters'" \
       -c "COMMIT" | tail -1)"

# The holes 0.1 had are closed in the updated database.
expect "an application cannot edit delegations" "42501" \
  "$(sqlstate upgrade_old upgrade_app "UPDATE agentauthz.delegations SET revoked_at = NULL")"
expect "an application cannot insert delegations" "42501" \
  "$(sqlstate upgrade_old upgrade_app "INSERT INTO agentauthz.delegations (principal, agent, scopes, purpose,
      expires_at, depth, secret_hash) VALUES ('user:anne', 'agent:upgrade', '{viewer@folder:20}', 'x', 'infinity', 1,
      decode(repeat('00', 32), 'hex'))")"
expect "an agent cannot attach the sync trigger" "42501" \
  "$(sqlstate upgrade_old upgrade_bot "CREATE TEMP TABLE t (id bigint, team text);
      CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION
        agentauthz._sync_row('document', 'id', 'parent', 'folder', 'team', '')")"
q -d upgrade_old -c "SELECT agentauthz.write_tuple('note:n-2', 'owner', 'user:anne', NULL)" >/dev/null
expect "write_tuple with four arguments still writes" "t|t" \
  "$(q -d upgrade_old -c "SELECT count(*) = 1 FROM agentauthz.tuples WHERE object = 'note:n-2' AND condition_name IS NULL" \
       -c "SELECT agentauthz.check('user:anne', 'viewer', 'note:n-2')" | paste -sd'|')"
expect "a new row still syncs its tuple" "1" \
  "$(q -d upgrade_old -c "INSERT INTO docs VALUES (4, 10, 'new')" \
      -c "SELECT count(*) FROM agentauthz.tuples WHERE object = 'document:4' AND subject = 'folder:10'")"
q -d upgrade_old -c "SET client_min_messages = warning" -c "DROP EXTENSION agentauthz CASCADE"
expect "dropped, the protected tables stay closed to the agent (the unrecorded one too)" "0|0|0" \
  "$(q -d upgrade_old -U upgrade_bot -c "SELECT count(*) FROM docs" -c "SELECT count(*) FROM notes" \
       -c "SELECT count(*) FROM assets" | paste -sd'|')"

q -d postgres -c "DROP DATABASE upgrade_old WITH (FORCE)" -c "DROP DATABASE upgrade_new WITH (FORCE)" \
  -c "DROP ROLE upgrade_app"
}

upgrade_from 0.1
upgrade_from 0.2
upgrade_from 0.3
upgrade_from 0.4
upgrade_from 0.5
upgrade_from 0.6
echo "upgrade 0.1, 0.2, 0.3, 0.4, 0.5 and 0.6 -> $CURRENT: $((CHECKS - FAILS)) checks passed, $FAILS failed"
((FAILS == 0))
