#!/usr/bin/env bash
# The audit log where a single cluster cannot show it, on clusters of its own:
#  1. a full queue (64 kB) slows an agent's scans at `all` to the writer's
#     pace and every decision is written; a writer that makes no progress
#     fails the agent's statement (no row returned) and what was decided is
#     written later or logged, each decision once; a cancelled wait queues
#     nothing twice;
#  2. on a hot standby the agent acts for its principal read-only and its
#     records reach the server log as parseable JSON;
#  3. without shared_preload_libraries records are written at the agent's
#     COMMIT, and those of a rolled-back or read-only transaction go to the
#     server log instead; an agent's PREPARE TRANSACTION is refused (the
#     records it held go to the server log); a transaction holding more
#     than its bound of records fails; an agent naming superuser-only
#     settings before the library loads is refused the extension.
# Starts (and always stops) its own clusters; needs the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CLUSTER_PREFIX=audit
source "$(dirname "$0")/lib/clusters.sh"

###########################################################################
# 1. A full queue slows the agent to its writer's pace and loses nothing;
#    a writer that makes no progress fails the agent's statement instead.
###########################################################################
RUNS=3
ROWS=5000
new_cluster 1 agentauthz.audit_queue_size=64 wal_level=replica
P_DIR=$DIR
P_PORT=$PORT
echo "primary on port $P_PORT (audit_queue_size 64kB)"
token=$(setup_scenario "$P_DIR" "$P_PORT" "$ROWS") || { echo "setting up the primary failed" >&2; exit 1; }
qp() { q -h "$P_DIR" -p "$P_PORT" -U postgres -d audit "$@"; }
qp -c "ALTER ROLE shell_bot SET agentauthz.audit = 'all'"

agent_args=(-c "SELECT agentauthz.act_for('$token', false) IS NOT NULL")
for ((i = 0; i < RUNS; i++)); do agent_args+=(-c "SELECT count(*) FROM docs"); done
status=0
counts=$(q -h "$P_DIR" -p "$P_PORT" -U shell_bot -d audit "${agent_args[@]}" 2>"$P_DIR/agent.err") || status=$?
expected=$(printf 't'; for ((i = 0; i < RUNS; i++)); do printf '\n100'; done)
if [[ $status -eq 0 && "$counts" == "$expected" ]]; then
  pass "full queue: the agent's $RUNS scans of $ROWS rows each returned 100 rows, at the writer's pace"
else
  fail "full queue: the agent's scans did not all return 100 (exit $status): $(one_line "$counts") $(cat "$P_DIR/agent.err")"
fi

flushed=$(qp -c "SELECT agentauthz.audit_flush(20000)")
[[ "$flushed" == t ]] || fail "full queue: audit_flush(20000) returned '$flushed'"
settled() {
  [[ $(qp -c "SELECT queued_bytes = 0 FROM agentauthz.audit_stats() WHERE database = 'audit'") == t ]]
}
wait_for 30 settled || fail "full queue: after 30 s the queue is not empty: $(qp -c "SELECT * FROM agentauthz.audit_stats()")"
IFS='|' read -r stats_dropped enqueued written < <(qp -c "SELECT dropped, enqueued, written
  FROM agentauthz.audit_stats() WHERE database = 'audit'")
IFS='|' read -r check_rows dropped_rows < <(qp -c "SELECT
  count(*) FILTER (WHERE kind = 'check' AND actor = 'agent:shell'), count(*) FILTER (WHERE kind = 'dropped')
  FROM agentauthz.audit_log")
echo "audit_stats: enqueued $enqueued, written $written, dropped $stats_dropped; audit_log: $check_rows check rows"
decisions=$((RUNS * ROWS))
if [[ "$check_rows" -eq $decisions && "$stats_dropped" -eq 0 && "$dropped_rows" -eq 0 ]]; then
  pass "full queue: every one of the $decisions decisions has its row; nothing dropped"
else
  fail "full queue: $check_rows check rows for $decisions decisions, $stats_dropped dropped, $dropped_rows dropped rows"
fi
verdict=$(qp -c "$VERIFY")
if [[ "$verdict" == ok\ * ]]; then
  pass "full queue: verify_audit() ok: ${verdict#ok }"
else
  fail "full queue: verify_audit() failed: $verdict"
fi

# 1a. The writer cannot write (a session holds the chain's head): the
# agent's scan fails once the writer has made no progress for
# audit_queue_wait, and returns no row. What it decided before is written
# once the head is free, or (what found no room) in the server log: every
# id it decided is in exactly one of the two.
max_before=$(qp -c "SELECT coalesce(max(id), 0) FROM agentauthz.audit_log")
qp -c "ALTER ROLE shell_bot SET agentauthz.audit_queue_wait = 500"
qp -c "BEGIN" -c "SELECT 1 FROM agentauthz.audit_chain FOR UPDATE" -c "SELECT pg_sleep(4)" -c "COMMIT" \
  >/dev/null 2>&1 &
holder=$!
sleep 0.5
status=0
out=$(q -h "$P_DIR" -p "$P_PORT" -U shell_bot -d audit -c "SELECT agentauthz.act_for('$token', false) IS NOT NULL" \
  -c "SELECT count(*) FROM docs" 2>"$P_DIR/stalled.err") || status=$?
wait "$holder" || true
if [[ $status -ne 0 && "$out" == t ]] &&
   grep -q "agentauthz cannot record this statement's decisions" "$P_DIR/stalled.err"; then
  pass "stalled writer: the agent's scan failed (53400) and returned no count"
else
  fail "stalled writer: the scan did not fail as it should (exit $status): $(one_line "$out") $(head -c 400 "$P_DIR/stalled.err")"
fi
[[ $(qp -c "SELECT agentauthz.audit_flush(20000)") == t ]] || fail "stalled writer: audit_flush timed out"
wait_for 30 settled || fail "stalled writer: the queue did not settle"
in_table=$(qp -c "SELECT object_id FROM agentauthz.audit_log WHERE kind = 'check' AND actor = 'agent:shell'
                  AND id > $max_before")
in_log=$(audit_check_ids "$P_DIR/server.log" "the audit queue had no room")
decided=$( (printf '%s\n' "$in_table"; printf '%s\n' "$in_log") | grep -c . || true)
distinct=$( (printf '%s\n' "$in_table"; printf '%s\n' "$in_log") | grep . | sort -u | wc -l)
highest=$( (printf '%s\n' "$in_table"; printf '%s\n' "$in_log") | grep . | sort -n | tail -1)
if [[ "$decided" -gt 0 && "$decided" -eq "$distinct" && "$highest" -eq "$decided" ]]; then
  pass "stalled writer: the $decided decisions made (rows 1..$decided) are on record once each:" \
    "$(grep -c . <<<"$in_table") in the table, $(grep -c . <<<"$in_log") in the server log"
else
  fail "stalled writer: decided $decided, distinct $distinct, highest id $highest (want all equal and > 0)"
fi
qp -c "ALTER ROLE shell_bot RESET agentauthz.audit_queue_wait"

# 1b. A statement cancelled while it waits for room: what it had queued is
# not queued again when its transaction aborts, and nothing is lost
# silently. A session holding the chain's head keeps the writer from
# draining, so the queue stays full until the cancel.
IFS='|' read -r checks_before enqueued_before < <(qp -c "SELECT
  (SELECT count(*) FROM agentauthz.audit_log WHERE kind = 'check' AND actor = 'agent:shell'),
  (SELECT enqueued FROM agentauthz.audit_stats() WHERE database = 'audit')")
qp -c "ALTER ROLE shell_bot SET agentauthz.audit_queue_wait = 60000"
qp -c "BEGIN" -c "SELECT 1 FROM agentauthz.audit_chain FOR UPDATE" -c "SELECT pg_sleep(4)" -c "COMMIT" \
  >/dev/null 2>&1 &
holder=$!
sleep 0.5
status=0
q -h "$P_DIR" -p "$P_PORT" -U shell_bot -d audit -c "SET statement_timeout = '700ms'" \
  -c "SELECT agentauthz.act_for('$token', false) IS NOT NULL" -c "SELECT count(*) FROM docs" \
  >/dev/null 2>"$P_DIR/cancel.err" || status=$?
wait "$holder" || true
if grep -q 'canceling statement due to statement timeout' "$P_DIR/cancel.err"; then
  pass "cancelled wait: the agent's statement was cancelled while waiting for the queue"
else
  fail "cancelled wait: the statement was not cancelled (exit $status): $(head -c 400 "$P_DIR/cancel.err")"
fi
[[ $(qp -c "SELECT agentauthz.audit_flush(20000)") == t ]] || fail "cancelled wait: audit_flush timed out"
wait_for 30 settled || fail "cancelled wait: the queue did not settle"
IFS='|' read -r checks_after enqueued_after < <(qp -c "SELECT
  (SELECT count(*) FROM agentauthz.audit_log WHERE kind = 'check' AND actor = 'agent:shell'),
  (SELECT enqueued FROM agentauthz.audit_stats() WHERE database = 'audit')")
written_now=$((checks_after - checks_before))
queued_now=$((enqueued_after - enqueued_before))
# The scan stopped at the cancel, so the decisions made are not known in
# advance; what was queued is: each queued record is written exactly once.
duplicates=$(qp -c "SELECT count(*) FROM (SELECT backend_pid, logged_at, object_id FROM agentauthz.audit_log
  WHERE kind = 'check' GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
if [[ $written_now -gt 0 && $written_now -eq $queued_now && "$duplicates" == 0 ]]; then
  pass "cancelled wait: the $queued_now records queued were written once each, none twice"
else
  fail "cancelled wait: $queued_now queued but $written_now written, $duplicates duplicated"
fi
verdict=$(qp -c "$VERIFY")
[[ "$verdict" == ok\ * ]] && pass "cancelled wait: verify_audit() ok" || fail "cancelled wait: verify_audit(): $verdict"

###########################################################################
# 2. A hot standby: the agent's read-only query works, records go to the log.
###########################################################################
# Back to the default level (summary): one record per statement.
qp -c "ALTER ROLE shell_bot RESET agentauthz.audit" -c "ALTER ROLE shell_bot RESET agentauthz.audit_queue_wait"
new_standby "$P_DIR" "$P_PORT" agentauthz.audit_queue_size=64
echo "standby on port $S_PORT"
qs() { q -h "$S_DIR" -p "$S_PORT" -d audit "$@"; }
replayed() {
  [[ $(qs -U postgres -c "SELECT pg_is_in_recovery() AND to_regclass('public.docs') IS NOT NULL
        AND EXISTS (SELECT 1 FROM agentauthz.delegations)" 2>/dev/null) == t ]]
}
if wait_for 30 replayed; then
  pass "standby: in recovery, with docs and the delegation replayed"
else
  fail "standby: not in recovery with docs and the delegation after 30 s"
fi
status=0
out=$(qs -U shell_bot -c "SELECT agentauthz.act_for('$token', false) IS NOT NULL" \
  -c "SELECT agentauthz.current_actor()->'audit'->>'destination'" \
  -c "SELECT count(*) FROM docs" 2>&1) || status=$?
if [[ $status -eq 0 && "$(one_line "$out")" == "t "*" 100" ]]; then
  pass "standby: act_for and the agent's count(*) work read-only (100 rows; audit destination '$(sed -n 2p <<<"$out")')"
else
  fail "standby: act_for / SELECT count(*) FROM docs as shell_bot failed (exit $status): $out"
fi
standby_record() { audit_json "$S_DIR/server.log" 2>/dev/null | grep -q '^[a-z]*|agent:shell|'; }
if wait_for 30 standby_record; then
  records=$(audit_json "$S_DIR/server.log" | grep '^[a-z]*|agent:shell|')
  pass "standby: the server log has parseable 'agentauthz audit: {json}' records with actor agent:shell"
  if grep -q '^summary|agent:shell|user:anne|100|4900|' <<<"$records"; then
    pass "standby: the logged summary has principal user:anne, 100 allowed and 4900 denied"
  else
    fail "standby: no logged summary of 100 allowed, 4900 denied for user:anne: $records"
  fi
else
  fail "standby: no parseable 'agentauthz audit: {json}' line with actor agent:shell within 30 s:
    $(grep 'agentauthz audit' "$S_DIR/server.log" | head -3)"
  audit_json "$S_DIR/server.log" >/dev/null || true
fi

###########################################################################
# 3. Without the library preloaded: records in the caller's transaction.
###########################################################################
new_cluster 0 max_prepared_transactions=5
F_DIR=$DIR
F_PORT=$PORT
echo "cluster without shared_preload_libraries on port $F_PORT"
qf() { q -h "$F_DIR" -p "$F_PORT" -d audit "$@"; }
no_preload_checks() {
  status=0
  out=$(qf -U shell_bot -c "SELECT agentauthz.act_for('$ftoken', false) IS NOT NULL" \
    -c "SELECT agentauthz.current_actor()->'audit'->>'destination'" \
    -c "SELECT count(*) FROM docs" -c "SELECT count(*) FROM docs" 2>"$F_DIR/agent.err") || status=$?
  if [[ $status -eq 0 && "$(one_line "$out")" == "t transaction 100 100" ]]; then
    pass "no preload: the audit destination is 'transaction' and the agent sees 100 rows"
  else
    fail "no preload: expected 't transaction 100 100' (exit 0), got (exit $status): $(one_line "$out") $(cat "$F_DIR/agent.err")"
  fi
  notices=$(grep -c "NOTICE: *agentauthz audit records are written in the caller's transaction" "$F_DIR/agent.err" || true)
  if [[ "$notices" -eq 1 ]]; then
    pass "no preload: the NOTICE about records in the caller's transaction came once in the session"
  else
    fail "no preload: the NOTICE came $notices times (want once); stderr: $(cat "$F_DIR/agent.err")"
  fi
  summaries=$(qf -U postgres -c "SELECT count(*) FROM agentauthz.audit_log WHERE kind = 'summary'
    AND actor = 'agent:shell' AND principal = 'user:anne' AND allowed_count = 100 AND denied_count = 200")
  if [[ "$summaries" -eq 2 ]]; then
    pass "no preload: both committed statements left a 'summary' row in audit_log"
  else
    fail "no preload: $summaries summary rows for the 2 committed statements (want 2):
      $(qf -U postgres -c "SELECT id, kind, actor, allowed_count, denied_count FROM agentauthz.audit_log")"
  fi

  # With enable_seqscan off the id is looked up in the primary key, so the
  # policy decides on that one row only (a seq scan of the small table
  # would evaluate the policy on every row before the id filter).
  rows_before=$(qf -U postgres -c "SELECT count(*) FROM agentauthz.audit_log")
  status=0
  out=$(qf -U shell_bot -c "SELECT agentauthz.act_for('$ftoken', false) IS NOT NULL" -c "SET enable_seqscan = off" \
    -c "BEGIN" -c "SELECT count(*) FROM docs WHERE id = 200" -c "ROLLBACK" \
    -c "BEGIN READ ONLY" -c "SELECT count(*) FROM docs WHERE id = 77" -c "COMMIT" 2>"$F_DIR/agent2.err") || status=$?
  if [[ $status -eq 0 && "$(one_line "$out")" == "t 0 1" ]]; then
    pass "no preload: the rolled-back (id 200) and read-only (id 77) transactions ran: 0 and 1 rows"
  else
    fail "no preload: the rolled-back / read-only queries did not return 0 and 1 rows (exit $status):" \
      "$(one_line "$out") $(cat "$F_DIR/agent2.err")"
  fi
  rows_after=$(qf -U postgres -c "SELECT count(*) FROM agentauthz.audit_log")
  if [[ "$rows_after" -eq "$rows_before" ]]; then
    pass "no preload: the rolled-back and the read-only transaction added no audit_log row"
  else
    fail "no preload: audit_log grew from $rows_before to $rows_after rows by a rolled-back and a read-only transaction"
  fi
  rolled_back() { audit_json "$F_DIR/server.log" 2>/dev/null | grep -q '^summary|agent:shell|user:anne|0|1||200$'; }
  if wait_for 30 rolled_back; then
    pass "no preload: the rolled-back statement's record (id 200 denied) is in the server log as JSON"
  else
    fail "no preload: no 'agentauthz audit: {json}' line with denied_count 1 and id 200 in the server log:
      $(audit_json "$F_DIR/server.log" 2>&1 | head -5)"
  fi
  read_only() { audit_json "$F_DIR/server.log" 2>/dev/null | grep -q '^summary|agent:shell|user:anne|1|0|77|$'; }
  if wait_for 30 read_only; then
    pass "no preload: the read-only transaction's record (id 77 allowed) is in the server log as JSON"
  else
    fail "no preload: no 'agentauthz audit: {json}' line with allowed_count 1 and id 77 in the server log:
      $(audit_json "$F_DIR/server.log" 2>&1 | head -5)"
  fi
  verdict=$(qf -U postgres -c "$VERIFY")
  if [[ "$verdict" == ok\ * ]]; then
    pass "no preload: verify_audit() ok: ${verdict#ok }"
  else
    fail "no preload: verify_audit() failed: $verdict"
  fi

  # PREPARE TRANSACTION: a prepared transaction would hold the chain's head
  # until it is resolved (every agent's COMMIT waiting), and ROLLBACK
  # PREPARED would erase its records. It is refused; the records of the
  # aborted transaction go to the server log, and nothing stays prepared.
  status=0
  out=$(qf -U shell_bot -c "BEGIN" -c "SELECT agentauthz.act_for('$ftoken') IS NOT NULL" \
        -c "SET enable_seqscan = off" -c "SELECT count(*) FROM docs WHERE id = 55" \
        -c "PREPARE TRANSACTION 'agent_reads'" 2>"$F_DIR/prepare.err") || status=$?
  prepared=$(qf -U postgres -c "SELECT count(*) FROM pg_prepared_xacts")
  if [[ "$prepared" == 0 ]] && grep -q "ERROR: .*PREPARE" "$F_DIR/prepare.err"; then
    pass "no preload: the agent's PREPARE TRANSACTION after a read is refused; nothing is prepared"
  else
    fail "no preload: PREPARE after a read: $prepared prepared, $(one_line "$out") $(head -c 300 "$F_DIR/prepare.err")"
  fi
  prepared_read() { audit_json "$F_DIR/server.log" 2>/dev/null | grep -q '^summary|agent:shell|user:anne|1|0|55|$'; }
  if wait_for 10 prepared_read; then
    pass "no preload: the read of the refused prepared transaction is in the server log"
  else
    fail "no preload: no server-log record of the read (id 55) of the refused prepared transaction"
  fi
  started=$(date +%s%N)
  qf -U shell_bot -c "SELECT agentauthz.act_for('$ftoken', false) IS NOT NULL" -c "SELECT count(*) FROM docs" >/dev/null
  elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  if ((elapsed_ms < 5000)); then
    pass "no preload: another agent transaction commits its records at once (${elapsed_ms} ms)"
  else
    fail "no preload: another agent transaction took ${elapsed_ms} ms to commit"
  fi

  # A commit that fails after the records were written at its pre-commit
  # (here an ON COMMIT action PostgreSQL runs later) takes the rows with
  # it: the records then go to the server log.
  status=0
  qf -U shell_bot -c "CREATE TEMP TABLE a (id int PRIMARY KEY) ON COMMIT DELETE ROWS" -c "BEGIN" \
    -c "SELECT agentauthz.act_for('$ftoken') IS NOT NULL" -c "SET LOCAL enable_seqscan = off" \
    -c "SELECT count(*) FROM docs WHERE id = 66" -c "CREATE TEMP TABLE b (id int REFERENCES a)" -c "COMMIT" \
    >/dev/null 2>"$F_DIR/late_commit.err" || status=$?
  late_commit() { audit_json "$F_DIR/server.log" 2>/dev/null | grep -q '^summary|agent:shell|user:anne|1|0|66|$'; }
  if [[ $status -ne 0 ]] && wait_for 10 late_commit; then
    pass "no preload: a commit failing after the records were written leaves them in the server log"
  else
    fail "no preload: the failed commit (exit $status) left no server-log record of id 66: $(head -c 300 "$F_DIR/late_commit.err")"
  fi

  # A transaction holds its records until it commits, within bounds: past
  # 64 buffers (8 kB each here) its statement fails rather than go on
  # unrecorded, and what it held reaches the server log.
  qf -U postgres -c "ALTER ROLE shell_bot SET agentauthz.audit = 'all'" \
    -c "ALTER ROLE shell_bot SET agentauthz.audit_buffer_size = 8" >/dev/null
  scans=()
  for ((i = 0; i < 12; i++)); do scans+=(-c "SELECT count(*) FROM docs"); done
  status=0
  out=$(qf -U shell_bot -c "SELECT agentauthz.act_for('$ftoken', false) IS NOT NULL" -c "BEGIN" "${scans[@]}" \
        -c "COMMIT" 2>"$F_DIR/bounded.err") || status=$?
  counted=$(grep -c '^100$' <<<"$out" || true)
  held=$(audit_check_ids "$F_DIR/server.log" "rolled back" | grep -c . || true)
  if [[ $status -ne 0 && $counted -ge 1 && $counted -lt 12 && $held -ge $((counted * 300)) ]] &&
     grep -q "cannot hold more audit records for this transaction" "$F_DIR/bounded.err"; then
    pass "no preload: a transaction past its audit bound fails after $counted scans; its $held records are in the server log"
  else
    fail "no preload: the bounded transaction: exit $status, $counted scans, $held logged records:" \
      "$(head -c 300 "$F_DIR/bounded.err")"
  fi
  qf -U postgres -c "ALTER ROLE shell_bot RESET agentauthz.audit" \
    -c "ALTER ROLE shell_bot RESET agentauthz.audit_buffer_size" >/dev/null

  # Before the library loads, agentauthz.* names are placeholders anyone may
  # set. An agent naming its own level (or session contexts) at connection
  # time (PGOPTIONS) or with SET would replace what is stored for the
  # server, database or role; such a session is refused the extension
  # (42501, its scans included). A superuser may still name them.
  qf -U postgres -c "SELECT agentauthz.set_audit_level('all', 'shell_bot')" \
    -c "SELECT agentauthz.set_session_contexts(false, 'shell_bot')" >/dev/null
  settings="SELECT agentauthz.current_actor()->'audit'->>'level' || ' ' || current_setting('agentauthz.session_contexts')"
  first_error() { grep -o "^ERROR: .*" | head -1 || true; }
  out=$({ PGOPTIONS="-c agentauthz.audit=off" qf -U shell_bot -c "$settings" 2>&1 || true; } | first_error)
  if [[ "$out" == 'ERROR:  permission denied to set parameter "agentauthz.audit"' ]]; then
    pass "no preload: an agent naming its audit level in PGOPTIONS is refused the extension"
  else
    fail "no preload: with PGOPTIONS the agent got '$out'"
  fi
  out=$({ PGOPTIONS="-c agentauthz.session_contexts=on" qf -U shell_bot -c "SELECT count(*) FROM docs" 2>&1 || true; } |
        first_error)
  if [[ "$out" == 'ERROR:  permission denied to set parameter "agentauthz.session_contexts"' ]]; then
    pass "no preload: so are its reads of a protected table (fail closed)"
  else
    fail "no preload: the agent's scan with PGOPTIONS gave '$out'"
  fi
  out=$({ qf -U shell_bot -c "SET agentauthz.audit = off" -c "$settings" 2>&1 || true; } | first_error)
  if [[ "$out" == 'ERROR:  permission denied to set parameter "agentauthz.audit"' ]]; then
    pass "no preload: SET before the library loads is refused the same way"
  else
    fail "no preload: after the agent's SET: '$out'"
  fi
  out=$({ PGOPTIONS="-c agentauthz.max_delegation_scopes=100000" qf -U shell_bot -c "$settings" 2>&1 || true; } |
        first_error)
  if [[ "$out" == 'ERROR:  permission denied to set parameter "agentauthz.max_delegation_scopes"' ]]; then
    pass "no preload: so is an agent raising a delegation limit in PGOPTIONS"
  else
    fail "no preload: with a delegation limit raised in PGOPTIONS the agent got '$out'"
  fi
  out=$(qf -U shell_bot -c "$settings" 2>&1 | grep -v '^NOTICE\|^DETAIL\|^HINT' | paste -sd' ')
  if [[ "$out" == "all off" ]]; then
    pass "no preload: without them, the agent runs at its role's stored level and settings"
  else
    fail "no preload: the agent's own session runs with '$out' (want 'all off')"
  fi
  out=$(PGOPTIONS="-c agentauthz.audit=denied" qf -U postgres -c "$settings" 2>&1 | grep -v '^NOTICE\|^DETAIL\|^HINT' | paste -sd' ')
  if [[ "$out" == "denied on" ]]; then
    pass "no preload: a superuser's PGOPTIONS still choose its session's level"
  else
    fail "no preload: the superuser's PGOPTIONS gave '$out' (want 'denied on')"
  fi
  qf -U postgres -c "SELECT agentauthz.set_audit_level('default', 'shell_bot')" \
    -c "SELECT agentauthz.set_session_contexts(NULL, 'shell_bot')" >/dev/null
}
if ftoken=$(setup_scenario "$F_DIR" "$F_PORT" 300 2>"$F_DIR/setup.err"); then
  no_preload_checks
else
  fail "no preload: setting up the scenario (CREATE EXTENSION agentauthz, model, delegation) failed, so the
    no-preload checks could not run: $(grep -E 'ERROR|FATAL' "$F_DIR/setup.err" | head -3)"
fi

echo "audit clusters: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
