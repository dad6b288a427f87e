#!/usr/bin/env bash
# agentauthz audit benchmark: what each level of agentauthz.audit costs an
# agent's RLS scan and point lookup. Prints figures; asserts nothing about
# speed.
#
# The dataset, agents and queries are bench/rls.sh's (protect() with the
# default `row` strategy): agent:one sees 1% and agent:half 50% of the
# documents; each runs `SELECT count(*)` and a point lookup with pgbench
# under each level in turn, per round.
#
#   bench/audit.sh                 throwaway cluster (library preloaded)
#   PGHOST=... PGDATABASE=... bench/audit.sh
#                                  an existing server with agentauthz in
#                                  shared_preload_libraries (see rls.sh)
#
# Environment (all optional): BENCH_DOCS=1000000, BENCH_SECONDS=5,
# BENCH_REPS=3, BENCH_CLUSTER_DIR=dir, BENCH_BUILD=1, as for rls.sh;
# BENCH_LEVELS="off denied summary all" (off first: the baseline).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
docs=${BENCH_DOCS:-1000000}
seconds=${BENCH_SECONDS:-5}
reps=${BENCH_REPS:-3}
dataset_version="rls-v1 docs=$docs"

for v in docs seconds reps; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "audit.sh: $v must be a positive integer" >&2; exit 2; }
done
(( docs >= 10000 && docs % 1000 == 0 )) || { echo "audit.sh: BENCH_DOCS must be a multiple of 1000, >= 10000" >&2; exit 2; }

source "$here/rls_lib.sh"

[[ $(q -c "SELECT count(*) FROM agentauthz.audit_stats()") =~ ^[0-9]+$ ]] &&
  [[ $(q -c "SHOW shared_preload_libraries") == *agentauthz* ]] || {
  echo "audit.sh: the server must have agentauthz in shared_preload_libraries" >&2
  exit 1
}

read -r -a levels <<<"${BENCH_LEVELS:-off denied summary all}"
[[ ${levels[0]} == off ]] || { echo "audit.sh: BENCH_LEVELS must start with off (the baseline)" >&2; exit 2; }
set_level() {
  q -c "ALTER ROLE agent_one SET agentauthz.audit = '$1'" -c "ALTER ROLE agent_half SET agentauthz.audit = '$1'" >/dev/null
}
reset_levels() {
  q -c "ALTER ROLE agent_one RESET agentauthz.audit" -c "ALTER ROLE agent_half RESET agentauthz.audit" >/dev/null 2>&1 || true
}
trap reset_levels EXIT
# Waits until the writer has stored everything queued, so that one level's
# backlog is not paid by the next.
drain() { q -c "SELECT agentauthz.audit_flush(600000)" >/dev/null; }
counters() { q -F ' ' -c "SELECT coalesce(sum(enqueued), 0), coalesce(sum(dropped), 0) FROM agentauthz.audit_stats() WHERE database = current_database()"; }

set_mode row
q -c "TRUNCATE agentauthz.audit_log, agentauthz.audit_chain" >/dev/null
declare -A scan_runs point_runs scan point queued dropped
for level in "${levels[@]}"; do queued[$level]=0 dropped[$level]=0; done
for ((round = 1; round <= reps; round++)); do
  for level in "${levels[@]}"; do
    set_level "$level"
    drain
    read -r q0 d0 <<<"$(counters)"
    for who in one half; do
      log "round $round of $reps: audit=$level, $who: count(*) and point lookups (${seconds} s each)"
      scan_runs[$level.$who]+="$(run_tps row "$who" scan) "
      point_runs[$level.$who]+="$(run_tps row "$who" point) "
    done
    drain
    read -r q1 d1 <<<"$(counters)"
    queued[$level]=$(( ${queued[$level]} + q1 - q0 ))
    dropped[$level]=$(( ${dropped[$level]} + d1 - d0 ))
  done
done
for key in "${!scan_runs[@]}"; do
  scan[$key]=$(tr ' ' '\n' <<<"${scan_runs[$key]}" | grep . | median)
  point[$key]=$(tr ' ' '\n' <<<"${point_runs[$key]}" | grep . | median)
done
log_rows=$(q -c "SELECT count(*) FROM agentauthz.audit_log")
log_size=$(q -c "SELECT pg_size_pretty(pg_total_relation_size('agentauthz.audit_log'))")
verified=$(q -c "SELECT ok FROM agentauthz.verify_audit()")

pgver=$(q -c "SHOW server_version")
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$repo" status --porcelain -- src sql agentauthz--*.sql 2>/dev/null | head -n 1) ]] &&
  commit+=" (+ uncommitted changes)"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
ms() { awk -v t="$1" 'BEGIN { if (t > 0) printf "%.1f", 1000 / t; else print "-" }'; }
# change A -> B in percent
change() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%+.0f%%", 100 * (b / a - 1); else print "-" }'; }

echo
echo "agentauthz audit benchmark  ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "machine:    nproc=$(nproc), ${cpu:-unknown CPU}"
echo "server:     PostgreSQL $pgver; agentauthz at commit $commit; queue $(q -c 'SHOW agentauthz.audit_queue_size'),"
echo "            audit_queue_wait $(q -c 'SHOW agentauthz.audit_queue_wait')"
echo "dataset:    $dataset_version: rls.sh's documents, protect(strategy => 'row');"
echo "            agent:one sees 1%, agent:half 50%"
echo "method:     pgbench -M prepared, 1 client, ${seconds} s per run after a 1 s warm-up, median of $reps rounds"
echo "            (each round runs every level in turn; the queue is drained between levels)"
echo
printf '%-8s %-5s | %9s %8s | %10s %8s\n' "level" "sees" "scan ms" "vs off" "point TPS" "vs off"
printf '%s\n' "$(printf '%.0s-' {1..60})"
for who in one half; do
  for level in "${levels[@]}"; do
    printf '%-8s %-5s | %9s %8s | %10.0f %8s\n' "$level" "$([[ $who == one ]] && echo 1% || echo 50%)" \
      "$(ms "${scan[$level.$who]}")" "$(change "${scan[$level.$who]}" "${scan[off.$who]}")" \
      "${point[$level.$who]}" "$(change "${point[off.$who]}" "${point[$level.$who]}")"
  done
done
echo "(scan: time relative to off, + is slower; point: TPS relative to off, - is slower)"
echo
echo "records per level (all runs, warm-ups included): queued / dropped"
for level in "${levels[@]}"; do
  printf '  %-8s %12s / %s\n' "$level" "${queued[$level]}" "${dropped[$level]}"
done
echo "audit_log after the run: $log_rows rows, $log_size; verify_audit() ok = $verified"
