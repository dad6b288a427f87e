#!/usr/bin/env bash
# Delegation tokens never reach the server log or pg_stat_activity. On
# clusters of its own that log everything (log_statement = all,
# log_min_duration_statement = 0, log_duration, every parameter, auto_explain
# with verbose plans, debug_print_parse and _plan in one session; stderr,
# csvlog and jsonlog), agents present tokens in
# every way: as a literal that works, another agent's (42501), in a
# statement that fails after act_for (division by zero), through PREPARE /
# EXECUTE, as a bind parameter of the extended protocol (pgbench -M
# extended), while a pg_monitor member reads pg_stat_activity.query of an
# agent's session that is running, idle, and idle after statements that
# failed before any statement hook ran. Afterwards no log file
# and no pg_stat_activity read holds any token's secret, and the redacted
# form `aaz1.<id>.[redacted]` is there (so nothing passes by logging
# nothing).
#  1. shared_preload_libraries = agentauthz: everything above;
#  2. no shared preload, session_preload_libraries = agentauthz set for the
#     agent roles: the same;
#  3. no preload at all: an agent's first statement loads the library, so
#     log_statement's `statement:` line of that one statement is written
#     before the hook exists and shows the token -- and only that line;
#     its pg_stat_activity entry is still redacted by act_for itself.
# Starts (and always stops) its own clusters; needs the extension installed.
# TEST_PORT picks the first port (the next one is used too); default random.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE PGAPPNAME
STARTED=$(date +%s)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAILED: $*" >&2; }
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

TEMP_DIRS=()
DATA_DIRS=()
FIFO_PIDS=()
cleanup() {
  local status=$? i pid
  trap - EXIT INT TERM
  for pid in "${FIFO_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ((i = ${#DATA_DIRS[@]} - 1; i >= 0; i--)); do
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '${DATA_DIRS[i]}' -m fast -w -t 30 stop" >/dev/null 2>&1 ||
      su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '${DATA_DIRS[i]}' -m immediate -w stop" >/dev/null 2>&1 || true
  done
  ((${#TEMP_DIRS[@]})) && rm -rf "${TEMP_DIRS[@]}"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NEXT_PORT=${TEST_PORT:-$((20000 + RANDOM % 20000))}

# new_cluster NAME SHARED_PRELOAD(1/0): initdb and start a cluster logging
# everything to DIR/log; sets DIR and PORT.
new_cluster() {
  local name=$1 preload=$2
  DIR=$(mktemp -d "/tmp/agentauthz-tokens-$name.XXXXXX")
  TEMP_DIRS+=("$DIR")
  chown postgres: "$DIR"
  chmod 700 "$DIR"
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$DIR/data' -A trust -U postgres --no-sync -E UTF8 \
      --locale=C >'$DIR/initdb.log' 2>&1" || { cat "$DIR/initdb.log" >&2; exit 1; }
  local libraries=auto_explain
  [[ $preload == 1 ]] && libraries=agentauthz,auto_explain
  cat >>"$DIR/data/postgresql.conf" <<CONF
port = $PORT
unix_socket_directories = '$DIR'
listen_addresses = ''
fsync = off
shared_preload_libraries = '$libraries'
logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = '$DIR/log'
log_filename = 'server'
log_statement = all
log_min_error_statement = error
log_min_duration_statement = 0
log_duration = on
log_parameter_max_length = -1
log_parameter_max_length_on_error = -1
log_error_verbosity = verbose
log_min_messages = info
auto_explain.log_min_duration = 0
auto_explain.log_verbose = on
auto_explain.log_nested_statements = on
CONF
  DATA_DIRS+=("$DIR/data")
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$DIR/data' -l '$DIR/startup.log' -w -t 60 start" >/dev/null ||
    { cat "$DIR/startup.log" "$DIR"/log/* >&2 2>/dev/null; echo "could not start the server in $DIR" >&2; exit 1; }
}

# setup DIR PORT: database "tokens", agents a, b and c (roles bot_a, bot_b,
# bot_c), a pg_monitor member; sets TOKEN_A/B/C and ID_A.
setup() {
  local dir=$1 port=$2
  q -h "$dir" -p "$port" -U postgres -d postgres -c "CREATE DATABASE tokens"
  q -h "$dir" -p "$port" -U postgres -d tokens >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type agent
type document
  relations
    define viewer: [user]
$$);
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
SELECT agentauthz.create_agent_role('bot_' || x, 'agent:' || x) FROM unnest(ARRAY['a', 'b', 'c']) x;
CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
SQL
  local x
  for x in a b c; do
    printf -v "TOKEN_${x^^}" '%s' "$(q -h "$dir" -p "$port" -U postgres -d tokens -c \
      "SELECT agentauthz.delegate('user:anne', 'agent:$x', ARRAY['viewer@document:*'], now() + interval '1 day', 'log test')")"
  done
  ID_A=$(cut -d. -f2 <<<"$TOKEN_A")
}

secret() { cut -d. -f3 <<<"$1"; }

# run_agent DIR PORT ROLE APPNAME SQL...: runs each SQL as its own query
# (psql -c), errors allowed; prints psql's output.
run_agent() {
  local dir=$1 port=$2 role=$3 app=$4
  shift 4
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  PGAPPNAME=$app "$PG_BIN/psql" -X -At -h "$dir" -p "$port" -U "$role" -d tokens "${args[@]}" 2>&1 || true
}

# watch SQL_CONDITION: what the pg_monitor member reads of matching sessions.
watch() {
  q -h "$DIR" -p "$PORT" -U watcher -d tokens -c \
    "SELECT application_name || ' [' || state || '] ' || query FROM pg_stat_activity WHERE $1 ORDER BY pid"
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

# The ways agents present tokens, each checked for what the agent saw.
present_tokens() {
  local label=$1 role=bot_a out
  out=$(run_agent "$DIR" "$PORT" $role literal "SELECT agentauthz.act_for('$TOKEN_A') ->> 'kind'")
  [[ "$out" == delegation ]] && pass "$label: act_for with the agent's own token works" ||
    fail "$label: act_for with the agent's token gave: $out"
  out=$(run_agent "$DIR" "$PORT" $role other "SELECT agentauthz.act_for('$TOKEN_B')")
  [[ "$out" == *"ERROR:  delegation token was issued to agent:b, not to the current role"* ]] &&
    pass "$label: another agent's token is refused (42501)" || fail "$label: another agent's token gave: $out"
  out=$(run_agent "$DIR" "$PORT" $role later-error \
    "SELECT agentauthz.act_for('$TOKEN_A') IS NOT NULL; SELECT 1 / (count(*) - count(*)) FROM pg_class" \
    "SELECT agentauthz.act_for('$TOKEN_A') IS NOT NULL AND (SELECT 1 / (count(*) - count(*)) FROM pg_class) = 1")
  [[ $(grep -c 'ERROR:  division by zero' <<<"$out") == 2 ]] &&
    pass "$label: statements that fail after act_for fail (division by zero)" ||
    fail "$label: statements failing after act_for gave: $out"
  out=$(run_agent "$DIR" "$PORT" $role prepared \
    "PREPARE act(text) AS SELECT agentauthz.act_for(\$1) ->> 'kind'; EXECUTE act('$TOKEN_A'); EXECUTE act('$TOKEN_B')")
  [[ "$out" == *"ERROR:  delegation token was issued to agent:b"* ]] &&
    pass "$label: PREPARE / EXECUTE with a literal token runs" || fail "$label: PREPARE / EXECUTE gave: $out"
  out=$(run_agent "$DIR" "$PORT" $role parse-tree "SET debug_print_parse = on" "SET debug_print_plan = on" \
    "SELECT agentauthz.act_for('$TOKEN_A') ->> 'kind'")
  [[ "$(tail -1 <<<"$out")" == delegation ]] && pass "$label: act_for with debug_print_parse and debug_print_plan on works" ||
    fail "$label: act_for with debug_print_* gave: $out"
  printf '%s\n' "SELECT agentauthz.act_for(:token) ->> 'kind';" >"$DIR/bind.sql"
  chmod 644 "$DIR/bind.sql"
  local token
  for token in "$TOKEN_A" "$TOKEN_B"; do
    out=$(PGAPPNAME=bind "$PG_BIN/pgbench" -n -M extended -t 1 -h "$DIR" -p "$PORT" -U $role -D token="$token" \
      -f "$DIR/bind.sql" tokens 2>&1 || true)
    if [[ $token == "$TOKEN_A" ]]; then
      [[ "$out" == *"number of transactions actually processed: 1/1"* ]] &&
        pass "$label: a token bound as a parameter (extended protocol) works" ||
        fail "$label: the bound token gave: $out"
    else
      [[ "$out" == *"delegation token was issued to agent:b"* ]] &&
        pass "$label: another agent's token bound as a parameter is refused" ||
        fail "$label: another agent's bound token gave: $out"
    fi
  done
}

# shows CONDITION PATTERN: whether the watcher sees PATTERN in those sessions.
shows() { watch "$1" | grep -q "$2"; }

# watch_running LABEL: a pg_monitor member reads the query of an agent's
# session while act_for's statement runs.
watch_running() {
  local label=$1 seen
  PGAPPNAME=running "$PG_BIN/psql" -X -At -h "$DIR" -p "$PORT" -U bot_a -d tokens \
    -c "SELECT agentauthz.act_for('$TOKEN_A') IS NOT NULL, pg_sleep(3)" >/dev/null 2>&1 &
  local running=$!
  if wait_for 10 shows "application_name = 'running'" 'running \[active\]'; then
    seen=$(watch "application_name = 'running'")
    echo "$seen" >>"$DIR/watched"
    [[ "$seen" == *"act_for('aaz1.$ID_A.[redacted]')"* ]] &&
      pass "$label: a running agent's query shows act_for('aaz1.$ID_A.[redacted]') in pg_stat_activity" ||
      fail "$label: pg_stat_activity of a running agent shows: $seen"
  else
    fail "$label: the running agent's session never showed up in pg_stat_activity"
  fi
  wait "$running" || true
}

# watch_idle LABEL ROLE TOKEN: an agent session's first statement keeps a
# context (local => false); a pg_monitor member reads its query while idle.
watch_idle() {
  local label=$1 role=$2 token=$3 seen
  local id app=idle-$role
  id=$(cut -d. -f2 <<<"$token")
  rm -f "$DIR/idle.fifo"
  mkfifo "$DIR/idle.fifo"
  PGAPPNAME=$app "$PG_BIN/psql" -X -At -h "$DIR" -p "$PORT" -U "$role" -d tokens <"$DIR/idle.fifo" >/dev/null 2>&1 &
  local idle=$!
  FIFO_PIDS+=("$idle")
  exec 3>"$DIR/idle.fifo"
  echo "SELECT agentauthz.act_for('$token', local => false) IS NOT NULL;" >&3
  if wait_for 10 shows "application_name = '$app'" "$app \\[idle\\] SELECT"; then
    seen=$(watch "application_name = '$app'")
    echo "$seen" >>"$DIR/watched"
    [[ "$seen" == *"act_for('aaz1.$id.[redacted]', local => false)"* ]] &&
      pass "$label: an idle agent's last query shows act_for('aaz1.$id.[redacted]', ...) in pg_stat_activity" ||
      fail "$label: pg_stat_activity of an idle agent shows: $seen"
  else
    fail "$label: the agent's session never showed up idle in pg_stat_activity: $(watch "application_name = '$app'")"
  fi
  exec 3>&-
  wait "$idle" || true
}

# watch_failed LABEL ROLE TOKEN: statements presenting the token that fail
# before any statement hook runs -- in an aborted transaction, on an
# unknown function (parse analysis), on an unknown table -- stay the
# session's query while it is idle; a pg_monitor member reads each.
watch_failed() {
  local label=$1 role=$2 token=$3 seen id app=failed-$2 n=0 statement
  id=$(cut -d. -f2 <<<"$token")
  rm -f "$DIR/failed.fifo"
  mkfifo "$DIR/failed.fifo"
  PGAPPNAME=$app "$PG_BIN/psql" -X -At -h "$DIR" -p "$PORT" -U "$role" -d tokens <"$DIR/failed.fifo" >/dev/null 2>&1 &
  local failing=$!
  FIFO_PIDS+=("$failing")
  exec 4>"$DIR/failed.fifo"
  echo "BEGIN; SELECT 1/0;" >&4
  local markers=("aborted.*act_for" "act_fro" "no_such_table")
  for statement in "SELECT agentauthz.act_for('$token');" "ROLLBACK; SELECT agentauthz.act_fro('$token');" \
                   "SELECT agentauthz.act_for('$token') FROM no_such_table;"; do
    echo "$statement" >&4
    if wait_for 10 shows "application_name = '$app' AND state LIKE 'idle%'" "${markers[n]}"; then
      n=$((n + 1))
      seen=$(watch "application_name = '$app'")
      echo "$seen" >>"$DIR/watched"
      [[ "$seen" == *"aaz1.$id.[redacted]"* ]] &&
        pass "$label: failed statement $n: pg_stat_activity shows the token redacted" ||
        fail "$label: failed statement $n: pg_stat_activity shows: $seen"
    else
      n=$((n + 1))
      fail "$label: failed statement $n never showed up in pg_stat_activity: $(watch "application_name = '$app'")"
    fi
  done
  exec 4>&-
  wait "$failing" || true
}

# check_logs LABEL [first-statements]: stops the cluster (the collector
# flushes every destination), then reads every log file and what the
# watcher read. With first-statements, TOKEN_C's secret must be in
# log_statement's `statement:` records of each destination, and nowhere
# else. Any 8 characters of a secret in a row count.
check_logs() {
  local label=$1 allow=${2:-}
  watch "usename LIKE 'bot%'" >>"$DIR/watched"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$DIR/data' -m fast -w -t 30 stop" >/dev/null
  local report
  if report=$(python3 - "$DIR" "$ID_A" "$allow" "$(secret "$TOKEN_A")" "$(secret "$TOKEN_B")" \
      "$(secret "$TOKEN_C")" <<'PY'
import csv, json, os, re, sys
dir, id_a, allow, *secrets = sys.argv[1:]
allowed_secret = secrets[2] if allow else None
logs = {"stderr": os.path.join(dir, "log", "server"), "csvlog": os.path.join(dir, "log", "server.csv"),
        "jsonlog": os.path.join(dir, "log", "server.json")}
problems = []
# Every record of every destination, as (destination, message, whole text).
records = []
for kind, path in logs.items():
    if not os.path.exists(path):
        problems.append("no %s file" % kind)
        continue
    with open(path, newline="", errors="replace") as f:
        if kind == "csvlog":
            for row in csv.reader(f):
                records.append((kind, row[13], ",".join(row)))
        elif kind == "jsonlog":
            for line in f:
                r = json.loads(line)
                records.append((kind, r.get("message", ""), line))
        else:
            entry = None
            for line in f:
                if line.startswith("\t") and entry is not None:
                    entry[2] += line
                    continue
                m = re.search(r"[A-Z]+:  (?:[0-9A-Z]{5}: )?(.*)", line)
                entry = [kind, m.group(1) if m else "", line]
                records.append(entry)
for extra in ("startup.log", "watched"):
    with open(os.path.join(dir, extra), errors="replace") as f:
        records.append((extra, "", f.read()))
marker = "aaz1.%s.[redacted]" % id_a
leaks = {kind: 0 for kind in logs}
# Any 8 characters of a secret in a row count as a leak: as written, or as
# a node dump (debug_print_*) spells a constant, by its bytes' values with
# lines cut at a fixed width, inside numbers too.
def pieces(secret):
    return [secret[i:i + 8] for i in range(len(secret) - 7)]
def as_bytes(piece):
    wrap = r"(?:\n[ \t]*)?"
    return re.compile(r"\s+".join(wrap.join(str(b)) for b in piece.encode()))
def shows_secret(secret, text):
    if any(p in text for p in pieces(secret)):
        return True
    return ":constvalue" in text and any(as_bytes(p).search(text) for p in pieces(secret))
for kind, message, text in records:
    for s in secrets:
        if shows_secret(s, text):
            if s == allowed_secret and kind in logs and message.startswith("statement: "):
                leaks[kind] += 1
                continue
            problems.append("%s holds a secret: %s" % (kind, text.strip()[:300]))
for kind in logs:
    found = [t for k, m, t in records if k == kind and marker in t]
    if not found:
        problems.append("%s never shows %s" % (kind, marker))
    elif kind == "stderr":
        # Each way a statement or a parameter reaches the log, redacted.
        for needle in ("statement: ", "STATEMENT:", "duration:", "parameters: $1 = 'aaz1.", "Query Text:",
                       "CONTEXT:  unnamed portal with parameters: $1 = 'aaz1.", ":constvalue"):
            if not any(needle in t and "[redacted]" in t for k, m, t in records if k == kind):
                problems.append("stderr has no redacted %r line" % needle)
if allow and not all(leaks.values()):
    problems.append("the first statements' statement: records should show their token: %s" % leaks)
if len(problems) > 20:
    problems[20:] = ["... and %d more" % (len(problems) - 20)]
print("\n".join(problems) if problems else "%d records read" % len(records))
sys.exit(1 if problems else 0)
PY
  ); then
    pass "$label: no secret in stderr, csvlog, jsonlog or pg_stat_activity; redacted forms present ($report)"
  else
    fail "$label: $report"
  fi
}

###########################################################################
# 1. Preloaded.
###########################################################################
new_cluster preload 1
echo "preloaded cluster on port $PORT"
setup "$DIR" "$PORT"
touch "$DIR/watched"
present_tokens preloaded
watch_running preloaded
watch_idle preloaded bot_a "$TOKEN_A"
watch_failed preloaded bot_a "$TOKEN_A"
check_logs preloaded

###########################################################################
# 2 and 3. Not preloaded: agents a and b load it at session start
# (session_preload_libraries); agent c loads it with its first statement.
###########################################################################
new_cluster lazy 0
echo "cluster without shared_preload_libraries on port $PORT"
setup "$DIR" "$PORT"
q -h "$DIR" -p "$PORT" -U postgres -d tokens \
  -c "ALTER ROLE bot_a SET session_preload_libraries = 'agentauthz'" \
  -c "ALTER ROLE bot_b SET session_preload_libraries = 'agentauthz'"
touch "$DIR/watched"
present_tokens "session preload"
watch_running "session preload"
watch_idle "session preload" bot_a "$TOKEN_A"
out=$(run_agent "$DIR" "$PORT" bot_c first "SELECT agentauthz.act_for('$TOKEN_C') ->> 'kind'")
[[ "$out" == delegation ]] && pass "no preload: act_for as a session's first statement works" ||
  fail "no preload: act_for as the first statement gave: $out"
watch_idle "no preload" bot_c "$TOKEN_C"
check_logs "no preload" first-statements

echo "token logging: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
