#!/usr/bin/env bash
# An agent trying to keep its reads off the record, on a cluster of its own:
#  1. it holds every free background-worker slot with parallel queries:
#     the audit writers are registered at server start and keep theirs, so
#     its reads are still written;
#  2. it floods the queue (20,000 refused act_for calls at `all`, a 1 MB
#     queue) before reading: nothing is dropped, the flood and the reads are
#     all on record;
#  3. while the writer is stalled, one agent filling the queue cannot
#     crowd out another: the second agent's statement finds room and ends
#     at once, and its record is written when the writer resumes.
# Starts (and always stops) its own cluster; needs the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CLUSTER_PREFIX=starve
source "$(dirname "$0")/lib/clusters.sh"

new_cluster 1 max_worker_processes=8 max_parallel_workers=8 agentauthz.audit_writers=2
echo "cluster on port $PORT (max_worker_processes 8, two audit writers)"
token=$(setup_scenario "$DIR" "$PORT" 5000) || { echo "setting up the scenario failed" >&2; exit 1; }
qa() { q -h "$DIR" -p "$PORT" -U postgres -d audit "$@"; }
agent() { q -h "$DIR" -p "$PORT" -U shell_bot -d audit "$@"; }
qa >/dev/null <<'SQL'
CREATE TABLE filler (x int);
INSERT INTO filler SELECT g FROM generate_series(1, 20000) g;
ALTER TABLE filler SET (parallel_workers = 8);
ANALYZE filler;
GRANT SELECT ON filler TO shell_bot;
CREATE ROLE other_bot LOGIN;
SELECT agentauthz.register_agent('agent:other', 'other_bot');
GRANT SELECT ON docs TO other_bot;
SQL
other_token=$(qa -c "SELECT agentauthz.delegate('user:anne', 'agent:other', ARRAY['viewer@document:*'],
                       now() + interval '1 day', 'the other agent')")
summary_rows() {  # summary_rows ACTOR: its summary rows of viewer on document, as allowed/denied
  qa -c "SELECT string_agg(allowed_count || '/' || denied_count, ',' ORDER BY id) FROM agentauthz.audit_log
         WHERE kind = 'summary' AND actor = '$1' AND relation = 'viewer' AND object_type = 'document'"
}

###########################################################################
# 1. Every free worker slot held by the agent's parallel queries.
###########################################################################
hog() {
  agent -c "SET max_parallel_workers_per_gather = 8" -c "SET parallel_setup_cost = 0" \
    -c "SET parallel_tuple_cost = 0" -c "SET min_parallel_table_scan_size = 0" \
    -c "SET statement_timeout = '120s'" \
    -c "SELECT count(*) FROM filler WHERE pg_sleep(0.02) IS NOT NULL" >/dev/null 2>&1 || true
}
hog &
hog1=$!
hog &
hog2=$!
# Taken when a third parallel query is planned workers and launches none.
# On a loaded machine the hogs take a while to connect and launch: allow a
# minute (they run for two), and say what was running when they did not.
slots_taken() {
  agent -c "SET max_parallel_workers_per_gather = 8" -c "SET parallel_setup_cost = 0" \
    -c "SET parallel_tuple_cost = 0" -c "SET min_parallel_table_scan_size = 0" \
    -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM filler WHERE x < 0" |
    grep -q 'Workers Launched: 0'
}
if wait_for 60 slots_taken; then
  pass "starvation: the agent's parallel queries hold every worker slot the writers leave" \
    "($(qa -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'") parallel workers)"
else
  fail "starvation: a parallel query could still launch workers:
    $(qa -c "SELECT backend_type, usename, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3" | paste -sd' ')
    $(agent -c "SET max_parallel_workers_per_gather = 8" -c "SET parallel_setup_cost = 0" \
        -c "SET parallel_tuple_cost = 0" -c "SET min_parallel_table_scan_size = 0" \
        -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM filler WHERE x < 0" 2>&1 | paste -sd' ')"
fi
out=$(agent -c "SELECT agentauthz.act_for('$token', false) IS NOT NULL" -c "SELECT count(*) FROM docs" 2>&1 |
      paste -sd' ')
flushed=$(qa -c "SELECT agentauthz.audit_flush(10000)")
rows=$(summary_rows agent:shell)
if [[ "$out" == "t 100" && "$flushed" == t && "$rows" == "100/4900" ]]; then
  pass "starvation: the agent's read (100 rows) is written while it holds every other slot"
else
  fail "starvation: read '$out', flushed '$flushed', summary rows '$rows' (want 100/4900)"
fi
qa -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = 'shell_bot'" >/dev/null
wait "$hog1" "$hog2" || true

###########################################################################
# 2. A flood of records before the reads: nothing is dropped.
###########################################################################
qa -c "ALTER ROLE shell_bot SET agentauthz.audit = 'all'"
status=0
out=$(agent -c "DO \$\$
  DECLARE n int;
  BEGIN
    FOR i IN 1..20000 LOOP
      BEGIN
        PERFORM agentauthz.act_for('aaz1.' || i || '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
    END LOOP;
    PERFORM agentauthz.act_for('$token');
    SELECT count(*) INTO n FROM docs;
    RAISE NOTICE 'read % rows', n;
  END \$\$" 2>&1) || status=$?
flushed=$(qa -c "SELECT agentauthz.audit_flush(60000)")
IFS='|' read -r refused reads dropped < <(qa -c "SELECT
  count(*) FILTER (WHERE relation = 'act_for' AND decision = 'denied'),
  count(*) FILTER (WHERE relation = 'viewer' AND object_type = 'document' AND principal = 'user:anne'),
  (SELECT count(*) FROM agentauthz.audit_log WHERE kind = 'dropped')
  FROM agentauthz.audit_log WHERE actor = 'agent:shell' AND kind = 'check'")
if [[ $status -eq 0 && "$out" == *"read 100 rows"* && "$flushed" == t && "$refused" == 20000 &&
      "$reads" == 5000 && "$dropped" == 0 ]]; then
  pass "flood: 20,000 refused tokens and then the read of 5000 rows are all on record, nothing dropped"
else
  fail "flood: exit $status, '$(one_line "$out" | head -c 300)', flushed $flushed; $refused refused-token rows" \
    "(want 20000), $reads read rows (want 5000), $dropped dropped rows (want 0)"
fi
qa -c "ALTER ROLE shell_bot SET agentauthz.audit_queue_wait = 20000"

###########################################################################
# 3. One agent filling the queue does not hold up another's records.
###########################################################################
qa -c "BEGIN" -c "SELECT 1 FROM agentauthz.audit_chain FOR UPDATE" -c "SELECT pg_sleep(6)" -c "COMMIT" \
  >/dev/null 2>&1 &
holder=$!
sleep 0.5
agent -c "SELECT agentauthz.act_for('$token', false) IS NOT NULL" -c "SELECT count(*) FROM docs" \
  >"$DIR/flooder.out" 2>&1 &
flooder=$!
sleep 1
started=$(date +%s%N)
out=$(q -h "$DIR" -p "$PORT" -U other_bot -d audit -c "SET statement_timeout = '4s'" \
        -c "SELECT agentauthz.act_for('$other_token', false) IS NOT NULL" -c "SELECT count(*) FROM docs" 2>&1 |
      paste -sd' ')
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
holder_running=$(kill -0 "$holder" 2>/dev/null && echo yes || echo no)
wait "$holder" || true
wait "$flooder" || true
if [[ "$out" == "t 100" && "$holder_running" == yes ]]; then
  pass "crowding: while the writer was stalled and agent:shell filled its share, agent:other's read" \
    "ended in ${elapsed_ms} ms"
else
  fail "crowding: agent:other got '$out' after ${elapsed_ms} ms (writer still stalled: $holder_running)"
fi
flushed=$(qa -c "SELECT agentauthz.audit_flush(60000)")
rows=$(summary_rows agent:other)
if [[ "$flushed" == t && "$rows" == "100/4900" && "$(cat "$DIR/flooder.out" | paste -sd' ')" == "t 100" ]]; then
  pass "crowding: once the writer resumed, agent:other's record was written and agent:shell's scan completed"
else
  fail "crowding: flushed $flushed, agent:other rows '$rows', agent:shell: $(head -c 300 "$DIR/flooder.out")"
fi
verdict=$(qa -c "$VERIFY")
[[ "$verdict" == ok\ * ]] && pass "verify_audit() ok: ${verdict#ok }" || fail "verify_audit(): $verdict"

echo "audit starvation: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
