#!/usr/bin/env bash
# Agents behind a transaction-pooling proxy (pgbouncer, pool_mode =
# transaction): one server connection serves one client's transaction, then
# the next client's. A context an agent sets for its session
# (act_for(token, local => false)) would be in force for the next client of
# the same role on that connection. An admin turns session contexts off for
# such roles (set_session_contexts(false, role)); act_for(..., local =>
# false) is then refused with an error that says to use local => true,
# and a local context ends with its transaction, before the connection
# passes on. Runs a real pgbouncer (Debian's) in front of the test cluster.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGBOUNCER=/usr/sbin/pgbouncer
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

DIR=$(mktemp -d /tmp/agentauthz-pgbouncer.XXXXXX)
chown postgres: "$DIR"
stop_pgbouncer() {
  if [[ -f "$DIR/pgbouncer.pid" ]]; then
    kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [[ -f "$DIR/pgbouncer.pid" ]] || break; sleep 0.1; done
  fi
}
cleanup() {
  local status=$?
  stop_pgbouncer
  [[ $status -ne 0 && -f "$DIR/pgbouncer.log" ]] && tail -20 "$DIR/pgbouncer.log" >&2
  rm -rf "$DIR"
  exit "$status"
}
trap cleanup EXIT

PGOPTIONS="-c client_min_messages=warning" q -d postgres -c "DROP DATABASE IF EXISTS pooled WITH (FORCE)" \
  -c "DROP ROLE IF EXISTS pool_bot"
q -d postgres -c "CREATE DATABASE pooled"
q -d pooled >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type agent
type document
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor
$$);
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.create_agent_role('pool_bot', 'agent:pool');
CREATE TABLE docs (id bigint PRIMARY KEY);
INSERT INTO docs VALUES (1), (2), (3);
SELECT agentauthz.protect('docs', 'document', 'id');
GRANT SELECT ON docs TO pool_bot;
SQL
token=$(q -d pooled -c "SELECT agentauthz.delegate('user:anne', 'agent:pool', ARRAY['viewer@document:*'],
                                                   now() + interval '1 hour', 'pooled')")

# pgbouncer in transaction mode with one server connection for the role.
PORT=$((20000 + RANDOM % 20000))
echo '"pool_bot" ""' >"$DIR/users.txt"
cat >"$DIR/pgbouncer.ini" <<INI
[databases]
pooled = host=$PGHOST port=$PGPORT dbname=pooled
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
ignore_startup_parameters = extra_float_digits
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
chown postgres: "$DIR"/*
start_pgbouncer() {
  su postgres -s /bin/sh -c "$PGBOUNCER -d '$DIR/pgbouncer.ini'"
  for _ in $(seq 50); do
    q -h 127.0.0.1 -p "$PORT" -U pool_bot -d pooled -c "SELECT 1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pgbouncer did not start" >&2
  return 1
}
# client SQL...: one client connection through the pool.
client() {
  local args=() statement
  for statement in "$@"; do args+=(-c "$statement"); done
  { q -h 127.0.0.1 -p "$PORT" -U pool_bot -d pooled "${args[@]}" 2>&1 || true; } | sed 's/^[A-Z]*: *//'
}
server_pids() { q -d pooled -c "SELECT count(DISTINCT pid) FROM pg_stat_activity WHERE usename = 'pool_bot'"; }
actor="SELECT coalesce(agentauthz.current_actor()->>'purpose', agentauthz.current_actor()->>'kind')"
visible="SELECT count(*) FROM docs"

# Session contexts allowed (the default): the next client inherits one.
start_pgbouncer
expect "first client sets a session context" "t" "$(client "SELECT agentauthz.act_for('$token', local => false) IS NOT NULL")"
expect "the next client of the pool acts under it" "pooled|1" "$(client "$actor" "$visible" | paste -sd'|')"
expect "both clients were served by one server connection" "1" "$(server_pids)"
client "SELECT agentauthz.end_task()" >/dev/null

# The admin turns session contexts off for the role; the pool reconnects
# (the setting applies to server connections opened afterwards).
q -d pooled -c "SELECT agentauthz.set_session_contexts(false, 'pool_bot')" >/dev/null
stop_pgbouncer
q -d pooled -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pool_bot'" >/dev/null
start_pgbouncer
refused=$(client "SELECT agentauthz.act_for('$token', local => false)")
expect "act_for(local => false) is refused" "act_for(local => false) is refused for role pool_bot: its connections may be shared by several clients" \
  "$(echo "$refused" | head -1)"
expect "the refusal says what to do" "1" "$(echo "$refused" | grep -c 'call act_for(..., local => true) inside each transaction')"
expect "set_subject cannot be made session-long either" "42501" \
  "$(client "DO \$\$ BEGIN PERFORM agentauthz.set_subject('user:anne', false); EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$")"
expect "the pooled session has no context after the refusal" "agent" "$(client "$actor")"
# The way that works through the pool: a local context in each transaction.
expect "a local context reads within its transaction" "pooled|1" \
  "$(client "BEGIN" "SELECT agentauthz.act_for('$token') IS NOT NULL" "$actor" "$visible" "COMMIT" | tail -2 | paste -sd'|')"
expect "the next client finds no context" "agent|0" "$(client "$actor" "$visible" | paste -sd'|')"
expect "still one server connection" "1" "$(server_pids)"
expect "end_task() is allowed (it only ends contexts)" "" "$(client "SELECT agentauthz.end_task()")"

stop_pgbouncer
q -d postgres -c "DROP DATABASE pooled WITH (FORCE)" -c "DROP ROLE pool_bot" >/dev/null
echo "pgbouncer (transaction pooling): $((CHECKS - FAILS)) checks passed, $FAILS failed"
((FAILS == 0))
