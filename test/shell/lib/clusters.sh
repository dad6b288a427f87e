# Shared by the shell tests that run clusters of their own (sourced):
# counters and pass/fail, psql helpers, clusters that are always stopped and
# removed, the scenario "audit" (an agent with a delegation over documents),
# and a reader of the server log's audit records.
# The caller sets PG_BIN and, before sourcing, may set CLUSTER_PREFIX.
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE
STARTED=$(date +%s)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAILED: $*" >&2; }
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
one_line() { printf '%s' "$1" | tr '\n' ' '; }

# Clusters: every temporary directory is removed and every server stopped
# (newest first, so a standby goes before its primary), also on failure.
TEMP_DIRS=()
DATA_DIRS=()
USED_PORTS=" "
cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  for ((i = ${#DATA_DIRS[@]} - 1; i >= 0; i--)); do
    if [[ $status -ne 0 && -f "${DATA_DIRS[i]}/../server.log" ]]; then
      echo "--- last lines of ${DATA_DIRS[i]%/data}/server.log" >&2
      grep -v 'agentauthz audit: {' "${DATA_DIRS[i]}/../server.log" | tail -15 >&2 || true
    fi
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '${DATA_DIRS[i]}' -m fast -w -t 30 stop" >/dev/null 2>&1 ||
      su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '${DATA_DIRS[i]}' -m immediate -w stop" >/dev/null 2>&1 || true
  done
  ((${#TEMP_DIRS[@]})) && rm -rf "${TEMP_DIRS[@]}"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sets NEW_DIR to a fresh directory the postgres user owns.
new_dir() {
  NEW_DIR=$(mktemp -d /tmp/agentauthz-${CLUSTER_PREFIX:-shell}.XXXXXX)
  TEMP_DIRS+=("$NEW_DIR")
  chown postgres: "$NEW_DIR"
  chmod 700 "$NEW_DIR"
}

# Sets NEW_PORT to a port none of our clusters uses.
new_port() {
  NEW_PORT=$((20000 + RANDOM % 20000))
  while [[ "$USED_PORTS" == *" $NEW_PORT "* ]]; do NEW_PORT=$((20000 + RANDOM % 20000)); done
  USED_PORTS+="$NEW_PORT "
}

# start_server DIR PORT PRELOAD(1/0) [name=value...]: starts DIR/data on a
# Unix socket in DIR, logging (LOG level and up) to DIR/server.log.
start_server() {
  local dir=$1 port=$2 preload=$3 setting
  shift 3
  local opts="-p $port -k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
  opts+=" -c max_connections=40 -c log_min_messages=log"
  [[ "$preload" == 1 ]] && opts+=" -c shared_preload_libraries=agentauthz"
  for setting in "$@"; do opts+=" -c $setting"; done
  DATA_DIRS+=("$dir/data")
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$dir/data' -l '$dir/server.log' -o \"$opts\" -w -t 60 start" \
    >/dev/null || { tail -20 "$dir/server.log" >&2; echo "could not start the server in $dir" >&2; exit 1; }
}

# new_cluster PRELOAD [name=value...]: initdb and start; sets DIR and PORT.
new_cluster() {
  local preload=$1
  shift
  new_dir
  new_port
  DIR=$NEW_DIR
  PORT=$NEW_PORT
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$DIR/data' -A trust -U postgres --no-sync -E UTF8 \
      --locale=C >'$DIR/initdb.log' 2>&1" || { cat "$DIR/initdb.log" >&2; exit 1; }
  start_server "$DIR" "$PORT" "$preload" "$@"
}

# new_standby PRIMARY_DIR PRIMARY_PORT [name=value...]: a hot standby of the
# primary (pg_basebackup -R), started with the library preloaded; sets
# S_DIR and S_PORT.
new_standby() {
  local primary_dir=$1 primary_port=$2
  shift 2
  new_dir
  new_port
  S_DIR=$NEW_DIR
  S_PORT=$NEW_PORT
  su postgres -s /bin/sh -c "$PG_BIN/pg_basebackup -h '$primary_dir' -p $primary_port -U postgres \
      -D '$S_DIR/data' -R -X stream -c fast" >"$S_DIR/basebackup.log" 2>&1 ||
    { cat "$S_DIR/basebackup.log" >&2; exit 1; }
  start_server "$S_DIR" "$S_PORT" 1 "$@"
}

# setup_scenario DIR PORT DOCS: database "audit" where anne sees documents
# 1..100 of DOCS, agent role shell_bot; prints the delegation token.
# Chained with && as callers test its status (where set -e does not apply).
setup_scenario() {
  local dir=$1 port=$2 docs=$3
  q -h "$dir" -p "$port" -U postgres -d postgres -c "CREATE DATABASE audit" &&
  q -h "$dir" -p "$port" -U postgres -d audit -v docs="$docs" >/dev/null <<'SQL' &&
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
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 100) g;
SELECT agentauthz.create_agent_role('shell_bot', 'agent:shell');
CREATE TABLE docs (id bigint PRIMARY KEY, body text);
INSERT INTO docs SELECT g, 'doc ' || g FROM generate_series(1, :docs) g;
ANALYZE docs;
SELECT agentauthz.protect('docs', 'document', 'id');
GRANT SELECT ON docs TO shell_bot;
SQL
  q -h "$dir" -p "$port" -U postgres -d audit -c "SELECT agentauthz.delegate('user:anne', 'agent:shell',
      ARRAY['viewer@document:*'], now() + interval '1 day', 'shell test')"
}

# audit_json LOGFILE: one line per `agentauthz audit: {json}` record of the
# log, as kind|actor|principal|allowed_count|denied_count|allowed_sample|denied_sample;
# fails if any such record is not valid JSON.
audit_json() {
  python3 - "$1" <<'PY'
import json, sys
marker = "agentauthz audit: "
bad = 0
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        at = line.find(marker + "{")
        if at < 0:
            continue
        try:
            r = json.loads(line[at + len(marker):])
        except ValueError as e:
            print("unparseable audit line: %s (%s)" % (line.strip()[:200], e), file=sys.stderr)
            bad += 1
            continue
        print("|".join(str(x) for x in (
            r.get("kind"), r.get("actor"), r.get("principal"), r.get("allowed_count"), r.get("denied_count"),
            ",".join(r.get("allowed_sample") or []), ",".join(r.get("denied_sample") or []))))
sys.exit(1 if bad else 0)
PY
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_for() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.1
  done
}

VERIFY="SELECT CASE WHEN ok THEN 'ok' ELSE 'NOT ok' END || ' ' || rows_checked || ' rows: ' ||
  coalesce(detail, '') || coalesce(' (first bad id ' || first_bad_id || ')', '') FROM agentauthz.verify_audit()"

# audit_check_ids LOGFILE WHY: the object ids of the `check` records the
# server log holds with logged_because WHY, one per line.
audit_check_ids() {
  python3 - "$1" "$2" <<'PY'
import json, sys
marker = "agentauthz audit: {"
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        at = line.find(marker)
        if at < 0:
            continue
        r = json.loads(line[at + len(marker) - 1:])
        if r.get("kind") == "check" and r.get("logged_because") == sys.argv[2]:
            print(r.get("object_id"))
PY
}
