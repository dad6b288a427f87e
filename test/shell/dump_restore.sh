#!/usr/bin/env bash
# pg_dump / pg_restore keeps models and tuples (with their conditions): the
# restored database answers every check as the original, and new model ids
# continue after the old.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DUMP=$(mktemp /tmp/agentauthz-dump.XXXXXX)
trap 'rm -f "$DUMP"' EXIT
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

PGOPTIONS="-c client_min_messages=warning" q -d postgres -c "DROP DATABASE IF EXISTS dump_src WITH (FORCE)" -c "DROP DATABASE IF EXISTS dump_dst WITH (FORCE)"
q -d postgres -c "CREATE DATABASE dump_src" -c "CREATE DATABASE dump_dst"
q -d postgres -c "DROP ROLE IF EXISTS dump_bot" -c "CREATE ROLE dump_bot LOGIN"
q -d dump_src >/dev/null <<'SQL'
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model('model
  schema 1.1
type user
type document
  relations
    define viewer: [user]');
SELECT agentauthz.write_model('model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user, user:*, group#member]');
SELECT agentauthz.write_tuple('group:eng', 'member', 'user:anne');
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'group:eng#member') FROM generate_series(1, 500) g;
SELECT agentauthz.write_tuple('document:public', 'viewer', 'user:*');
SELECT agentauthz.write_tuple('document:temp', 'viewer', 'user:bob', '2999-01-01 00:00:00+00');
SELECT agentauthz.register_agent('agent:dump-bot', 'dump_bot');
SQL
token=$(q -d dump_src -c "SELECT agentauthz.delegate('user:anne', 'agent:dump-bot', '{viewer@document:*}', now() + interval '1 day', 'survive a restore', '{\"region\": \"eu\"}')")

# The agent's decisions are in the source's audit log before the dump.
q -d dump_src -U dump_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$token') IS NOT NULL" \
  -c "SELECT agentauthz.check('viewer', 'document:1'), agentauthz.check('viewer', 'document:temp')" \
  -c "COMMIT" >/dev/null
q -d dump_src -c "SELECT agentauthz.audit_flush()" >/dev/null

"$PG_BIN/pg_dump" -Fc -d dump_src -f "$DUMP"
"$PG_BIN/pg_restore" -d dump_dst "$DUMP"

# The audit log comes across whole, its chain intact.
audit="SELECT count(*) || ' rows, verified ' || (SELECT ok FROM agentauthz.verify_audit()) FROM agentauthz.audit_log"
src_audit=$(q -d dump_src -c "$audit")
dst_audit=$(q -d dump_dst -c "$audit")
echo "audit log: source $src_audit, restored $dst_audit"
[[ "$src_audit" == "$dst_audit" && "$src_audit" != "0 rows"* && "$src_audit" == *true ]] ||
  { echo "the audit log did not survive the restore intact" >&2; exit 1; }

summary="SELECT (SELECT count(*) FROM agentauthz.models), (SELECT count(*) FROM agentauthz.tuples),
  (SELECT count(*) FROM agentauthz.agents) || '/' || (SELECT count(*) FROM agentauthz.delegations),
  (SELECT count(*) FROM generate_series(1, 500) g WHERE agentauthz.check('user:anne', 'viewer', 'document:' || g)),
  agentauthz.check('user:zoe', 'viewer', 'document:public'),
  (SELECT expires_at FROM agentauthz.tuples WHERE object = 'document:temp'),
  md5(agentauthz.read_model())"
src=$(q -d dump_src -c "$summary")
dst=$(q -d dump_dst -c "$summary")
echo "source:   $src"
echo "restored: $dst"
[[ "$src" == "$dst" ]] || { echo "restored database differs" >&2; exit 1; }
[[ "$src" == 2\|503\|1/1\|500\|t\|* ]] || { echo "unexpected source state: $src" >&2; exit 1; }
# The delegation survives with its hash: the original token still works.
granted=$(q -d dump_dst -U dump_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$token') IS NOT NULL" \
  -c "SELECT agentauthz.check('viewer', 'document:1')" -c "COMMIT" | tail -1)
[[ "$granted" == t ]] || { echo "the delegation token no longer works after restore: $granted" >&2; exit 1; }
# ... with the condition values its issuer pinned.
pinned=$(q -d dump_dst -U dump_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$token') -> 'context_parameters'" \
  -c "COMMIT" | tail -1)
[[ "$pinned" == '["region"]' ]] || { echo "the delegation's context did not survive the restore: $pinned" >&2; exit 1; }
next=$(q -d dump_dst -c "SELECT agentauthz.write_model(agentauthz.read_model())")
[[ "$next" == 3 ]] || { echo "model ids restarted after restore: $next" >&2; exit 1; }
q -d postgres -c "DROP DATABASE dump_dst WITH (FORCE)" -c "DROP ROLE dump_bot"

# Tuples' conditions survive too: a model with conditions (allowing every
# tuple already stored), then tuples with and without them, restored (and
# validated again) in a fresh database.
condition_model='model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user, user:*, group#member, user with in_region]
condition in_region(region: string, allowed: list<string>) {
  region in allowed
}'
if ! written=$(q -d dump_src -c "SELECT agentauthz.write_model('$condition_model')" 2>&1); then
  # Until the DSL parser reads conditions no such model loads.
  [[ "$written" == *"conditions are not supported"* ]] || { echo "$written" >&2; exit 1; }
  echo "conditions: SKIPPED (the DSL parser does not read conditions yet)"
else
  q -d dump_src >/dev/null <<'SQL'
SELECT agentauthz.write_tuple('document:c1', 'viewer', 'user:anne', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["eu"]}');
SELECT agentauthz.write_tuple('document:c1', 'viewer', 'user:bob', NULL, 'in_region',
                              '{"region": "eu", "allowed": ["us"]}');
SELECT agentauthz.write_tuple('document:c2', 'viewer', 'user:anne', NULL, 'in_region');
SELECT agentauthz.write_tuple('document:c2', 'viewer', 'user:carl');
SQL
  PGOPTIONS="-c client_min_messages=warning" q -d postgres -c "DROP DATABASE IF EXISTS dump_cond WITH (FORCE)" \
    -c "CREATE DATABASE dump_cond"
  "$PG_BIN/pg_dump" -Fc -d dump_src -f "$DUMP"
  "$PG_BIN/pg_restore" -d dump_cond "$DUMP"
  conditions="SELECT md5(string_agg(object || ' ' || subject || ' ' || coalesce(condition_name, '-') || ' ' ||
                                    coalesce(condition_context::text, '-'), E'\n' ORDER BY object, subject)),
                count(*) FILTER (WHERE condition_name IS NOT NULL),
                agentauthz.check('user:anne', 'viewer', 'document:c1'),
                agentauthz.check('user:bob', 'viewer', 'document:c1'),
                agentauthz.check('user:carl', 'viewer', 'document:c2')
           FROM agentauthz.tuples WHERE object LIKE 'document:c%'"
  src=$(q -d dump_src -c "$conditions")
  dst=$(q -d dump_cond -c "$conditions")
  echo "conditions: source $src, restored $dst"
  [[ "$src" == "$dst" && "$src" == *"|3|t|f|t" ]] ||
    { echo "tuples' conditions did not survive the restore" >&2; exit 1; }
  q -d postgres -c "DROP DATABASE dump_cond WITH (FORCE)"
fi
q -d postgres -c "DROP DATABASE dump_src WITH (FORCE)"
echo "dump/restore round trip ok"
