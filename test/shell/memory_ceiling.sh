#!/usr/bin/env bash
# One statement cannot take the server down by memory. Found: checking 12M
# distinct objects in one statement grew the backend to 519 MB with audit
# off (its interned ids, check results and tuples kept without bound), and
# calling allowed_ids() a million times in one statement to 506 MB with
# audit on; in a 1.2 GB memory limit the kernel killed the backend and the
# postmaster restarted every session. Each statement below runs in a
# session of its own, as an agent under a delegation, and the test fails
# when the backend's peak resident size (VmHWM in /proc/<pid>/status, read
# from the session itself once the statement is done) passes its ceiling.
#
# The ceilings are 1.5x what was measured (2-core VM, shared_buffers 16MB,
# agentauthz.engine_cache_size 64MB unless said; a backend starts at about
# 19 MB, of which 4 MB shared memory; before the bound in parentheses):
#   12M distinct keys checked, text, audit off          43 MB (478 MB)
#   12M distinct keys checked, integer, audit off       43 MB (43 MB)
#   1M keys checked one by one (an agent sees them all) 133 MB (220 MB)
#     the same with engine_cache_size 16MB              60 MB (181 MB)
#   allowed_ids() 1M times, audit off                   21 MB (22 MB)
#   allowed_ids() 1M times, audit summary / all         21 / 23 MB (502 MB)
#   200,000 refused act_for calls switching roles, summary  21 MB (about
#     300 bytes a refusal before: 333 MB for a million)
#   AUDIT_CEILING=0 skips the audit cases.
# Also: an agent naming agentauthz.engine_cache_size before the library
# loads (no preload) is refused the extension.
#
# Starts (and always stops) its own clusters on MEMORY_CEILING_PORT and the
# port after it (default: random); needs root (the servers run as postgres)
# and the extension installed under PG_BIN's PostgreSQL.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE
PORT=${MEMORY_CEILING_PORT:-$((20000 + RANDOM % 20000))}
AUDIT_CEILING=${AUDIT_CEILING:-1}
STARTED=$(date +%s)

# Ceilings in kB (see above), plus the shared cache: the clusters run with
# agentauthz.shared_cache_size = 8MB, whose ring and index (9 MB) a
# backend filling it touches and so counts as resident.
SHARED_CACHE_KB=$((9 * 1024))
CEILING_TEXT_KEYS=$((43 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_INTEGER_KEYS=$((43 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_ALL_VISIBLE=$((133 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_ALL_VISIBLE_16MB=$((60 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_ALLOWED_IDS=$((21 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_ALLOWED_IDS_AUDIT=$((23 * 1024 * 3 / 2 + SHARED_CACHE_KB))
CEILING_REFUSED_TOKENS=$((21 * 1024 * 3 / 2 + SHARED_CACHE_KB))

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAILED: $*" >&2; }
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

DIR=$(mktemp -d /tmp/agentauthz-memory.XXXXXX)
chown postgres: "$DIR"
chmod 700 "$DIR"
DATA_DIRS=()
cleanup() {
  local status=$? data
  trap - EXIT INT TERM
  for data in "${DATA_DIRS[@]}"; do
    if [[ $status -ne 0 && -f "$data/../server.log" ]]; then
      echo "--- last lines of $data/../server.log" >&2
      tail -15 "$data/../server.log" >&2 || true
    fi
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$data' -m immediate -w stop" >/dev/null 2>&1 || true
  done
  rm -rf "$DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_cluster NAME PORT PRELOAD(1/0): initdb and start $DIR/NAME on a Unix
# socket in it; a small shared_buffers keeps the backend's share of shared
# memory small next to what it allocates itself.
start_cluster() {
  local dir=$DIR/$1 port=$2 preload=$3
  mkdir "$dir"
  chown postgres: "$dir"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$dir/data' -A trust -U postgres --no-sync -E UTF8 \
      --locale=C >'$dir/initdb.log' 2>&1" || { cat "$dir/initdb.log" >&2; exit 1; }
  local opts="-p $port -k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
  opts+=" -c shared_buffers=16MB -c jit=off -c max_parallel_workers_per_gather=0"
  [[ "$preload" == 1 ]] && opts+=" -c shared_preload_libraries=agentauthz -c agentauthz.shared_cache_size=8MB"
  DATA_DIRS+=("$dir/data")
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$dir/data' -l '$dir/server.log' -o \"$opts\" -w -t 60 start" \
    >/dev/null || { tail -20 "$dir/server.log" >&2; echo "could not start the server in $dir" >&2; exit 1; }
}

###########################################################################
# The scenario: 1,000,000 accounts in 1,000 folders. anne views 50 folders
# (50,000 accounts), carol all of them, bob 10 accounts; the agent acts for
# each under a delegation for viewer@account:*.
###########################################################################
start_cluster main "$PORT" 1
qm() { q -h "$DIR/main" -p "$PORT" -U postgres -d postgres "$@"; }
qm >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($$model
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
$$);
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'account:' || g, 'parent', 'folder:' || g % 1000 FROM generate_series(1, 1000000) g;
INSERT INTO agentauthz.tuples (object, relation, subject)
  SELECT 'folder:' || g, 'viewer', 'user:anne' FROM generate_series(0, 49) g
  UNION ALL SELECT 'folder:' || g, 'viewer', 'user:carol' FROM generate_series(0, 999) g
  UNION ALL SELECT 'account:' || g, 'viewer', 'user:bob' FROM generate_series(1, 10) g;
VACUUM ANALYZE agentauthz.tuples;
SELECT agentauthz.create_agent_role('memory_bot', 'agent:memory');
ALTER ROLE memory_bot SET agentauthz.audit = off;
SQL
token_for() {
  qm -c "SELECT agentauthz.delegate('user:$1', 'agent:memory', ARRAY['viewer@account:*'],
                                    now() + interval '1 hour', 'memory ceiling')"
}
ANNE=$(token_for anne)
CAROL=$(token_for carol)
BOB=$(token_for bob)
echo "scenario ready in $(($(date +%s) - STARTED)) s"

# peak TOKEN STATEMENT: runs STATEMENT in a session of its own, as the
# agent acting for the token's principal; prints its result and the
# backend's peak resident size in kB.
peak() {
  q -h "$DIR/main" -p "$PORT" -U memory_bot -d postgres -F ' ' <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BACKEND :pid
BEGIN;
SELECT agentauthz.act_for('$1') IS NOT NULL AS acting \gset
$2;
COMMIT;
\! awk '/^VmHWM:/ { print \$2 }' /proc/\$BACKEND/status
SQL
}

# expect_within NAME CEILING_KB EXPECTED_RESULT TOKEN STATEMENT
expect_within() {
  local name=$1 ceiling=$2 expected=$3 out result kb
  out=$(peak "$4" "$5" 2>"$DIR/peak.err") || {
    fail "$name: the statement failed: $(tr '\n' ' ' <"$DIR/peak.err")"
    return
  }
  result=$(sed -n 1p <<<"$out")
  kb=$(sed -n 2p <<<"$out")
  if [[ "$result" != "$expected" ]]; then
    fail "$name: returned '$result', want '$expected'"
  elif ! [[ "$kb" =~ ^[0-9]+$ ]]; then
    fail "$name: could not read the backend's VmHWM: '$kb'"
  elif ((kb > ceiling)); then
    fail "$name: the backend peaked at $((kb / 1024)) MB, over its ceiling of $((ceiling / 1024)) MB"
  else
    pass "$name: the backend peaked at $((kb / 1024)) MB (ceiling $((ceiling / 1024)) MB)"
  fi
}

expect_within "12M distinct text keys checked, audit off" "$CEILING_TEXT_KEYS" 50000 "$ANNE" \
  "SELECT count(*) FROM (SELECT generate_series(1, 12000000) g) s
    WHERE agentauthz.check_id('viewer', 'account', g::text)"
expect_within "12M distinct integer keys checked, audit off" "$CEILING_INTEGER_KEYS" 50000 "$ANNE" \
  "SELECT count(*) FROM (SELECT generate_series(1, 12000000) g) s
    WHERE agentauthz.check_id('viewer', 'account', g)"
# Too many to list as the statement's allowed set: every row is checked,
# and the caches start over whenever they reach the bound.
expect_within "1M keys checked one by one (all visible), audit off" "$CEILING_ALL_VISIBLE" 1000000 "$CAROL" \
  "SELECT count(*) FROM (SELECT generate_series(1, 1000000) g) s
    WHERE agentauthz.check_id('viewer', 'account', g)"
qm -c "ALTER ROLE memory_bot SET agentauthz.engine_cache_size = '16MB'"
expect_within "1M keys checked one by one (all visible), engine_cache_size 16MB" "$CEILING_ALL_VISIBLE_16MB" 1000000 \
  "$CAROL" "SELECT count(*) FROM (SELECT generate_series(1, 1000000) g) s
             WHERE agentauthz.check_id('viewer', 'account', g)"
qm -c "ALTER ROLE memory_bot RESET agentauthz.engine_cache_size"
expect_within "allowed_ids() 1M times in one statement, audit off" "$CEILING_ALLOWED_IDS" 1000000 "$BOB" \
  "SELECT count(agentauthz.allowed_ids('viewer', 'account')) FROM generate_series(1, 1000000)"
if [[ "$AUDIT_CEILING" != 0 ]]; then
  for level in summary all; do
    qm -c "ALTER ROLE memory_bot SET agentauthz.audit = '$level'"
    expect_within "allowed_ids() 1M times in one statement, audit $level" "$CEILING_ALLOWED_IDS_AUDIT" 1000000 "$BOB" \
      "SELECT count(agentauthz.allowed_ids('viewer', 'account')) FROM generate_series(1, 1000000)"
  done
  # A refused token makes a row per statement and role: a loop switching
  # roles makes a row per switch, handed over as they gather.
  qm -c "ALTER ROLE memory_bot SET agentauthz.audit = summary" -c "CREATE ROLE memory_helper" \
     -c "GRANT memory_helper TO memory_bot" >/dev/null
  expect_within "200,000 refused act_for calls switching roles, audit summary" "$CEILING_REFUSED_TOKENS" 200000 "$BOB" \
    'DO $$ BEGIN
       FOR i IN 1..200000 LOOP
         IF i % 2 = 0 THEN SET ROLE memory_helper; ELSE RESET ROLE; END IF;
         BEGIN
           PERFORM agentauthz.act_for($t$aaz1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$t$);
         EXCEPTION WHEN OTHERS THEN NULL;
         END;
       END LOOP;
       RESET ROLE;
     END $$; SELECT 200000'
  written=$(qm -c "SELECT agentauthz.audit_flush(60000)" \
               -c "SELECT count(*) FROM agentauthz.audit_log WHERE relation = 'act_for'" | tail -1)
  if ((written >= 200000)); then
    pass "the 200,000 refused-token rows of the role-switching loop are all in the log ($written)"
  else
    fail "the role-switching loop's refused-token rows in the log: $written (want 200000)"
  fi
  qm -c "ALTER ROLE memory_bot SET agentauthz.audit = off"
else
  echo "skipped: allowed_ids() with audit summary and all (AUDIT_CEILING=0)"
fi

###########################################################################
# Without the preloaded library, the setting is a placeholder until the
# library loads: an agent naming it (PGOPTIONS) would replace the value
# stored for its role. Such a session is refused the extension.
###########################################################################
NP_PORT=$((PORT + 1))
start_cluster noload "$NP_PORT" 0
qn() { q -h "$DIR/noload" -p "$NP_PORT" -d postgres "$@"; }
qn -U postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type agent
type account
  relations
    define viewer: [user, agent]
$$);
SELECT agentauthz.create_agent_role('memory_bot', 'agent:memory');
ALTER ROLE memory_bot SET agentauthz.engine_cache_size = '16MB';
SQL
out=$({ PGOPTIONS="-c agentauthz.engine_cache_size=4GB" qn -U memory_bot \
          -c "SELECT agentauthz.check('viewer', 'account:1')" 2>&1 || true; } | grep -o '^ERROR: .*' | head -1)
if [[ "$out" == 'ERROR:  permission denied to set parameter "agentauthz.engine_cache_size"' ]]; then
  pass "no preload: an agent naming engine_cache_size in PGOPTIONS is refused the extension"
else
  fail "no preload: with PGOPTIONS the agent got '$out'"
fi
out=$(qn -U memory_bot -c "SELECT agentauthz.check('viewer', 'account:1')" -c "SHOW agentauthz.engine_cache_size" 2>&1 |
      grep -v '^NOTICE\|^DETAIL\|^HINT' | paste -sd' ')
if [[ "$out" == "f 16MB" ]]; then
  pass "no preload: without it, the agent runs with its role's stored bound"
else
  fail "no preload: the agent's own session gave '$out' (want 'f 16MB')"
fi

echo "memory ceiling: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
