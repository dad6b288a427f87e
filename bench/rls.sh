#!/usr/bin/env bash
# agentauthz row-level security benchmark. Prints figures; asserts nothing
# about speed.
#
# Two agents, one seeing 1% and one 50% of a table of documents, run
# `SELECT count(*)` and a point lookup `WHERE id = $1` with pgbench, under
# each of protect()'s strategies; in the same run, the same queries with
# RLS off and under a hand-written policy over a flattened ACL table.
#
#   bench/rls.sh                   throwaway cluster in a temp dir (default)
#   PGHOST=... PGDATABASE=... bench/rls.sh
#                                  an existing server: the database is the
#                                  benchmark's (its agentauthz tuples, agents and
#                                  delegations are replaced; roles agent_one,
#                                  agent_half and acl_reader are created)
#
# Environment (all optional):
#   BENCH_DOCS=1000000     documents (a multiple of 1000)
#   BENCH_SECONDS=5        pgbench duration of each timed run
#   BENCH_REPS=3           timed runs per figure (median reported), after a warm-up
#   BENCH_CLUSTER_DIR=dir  keep the throwaway cluster in dir (the data is reused)
#   BENCH_BUILD=1          run `make -j2 && make install` first
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
docs=${BENCH_DOCS:-1000000}
seconds=${BENCH_SECONDS:-5}
reps=${BENCH_REPS:-3}
dataset_version="rls-v1 docs=$docs"

for v in docs seconds reps; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "rls.sh: $v must be a positive integer" >&2; exit 2; }
done
(( docs >= 10000 && docs % 1000 == 0 )) || { echo "rls.sh: BENCH_DOCS must be a multiple of 1000, >= 10000" >&2; exit 2; }

source "$here/rls_lib.sh"

modes=(off row set acl)
declare -A label=(
  [off]="RLS off (table owner)"
  [row]="protect(strategy => 'row')"
  [set]="protect(strategy => 'set')"
  [acl]="hand-written policy, flattened ACL"
)
# The configurations take turns within each round, so that a machine
# getting slower or faster during the run affects them all alike.
declare -A scan point first seen plan scan_runs point_runs first_runs
for ((round = 1; round <= reps; round++)); do
  for mode in "${modes[@]}"; do
    set_mode "$mode"
    for who in one half; do
      log "round $round of $reps: $mode, $who: count(*) and point lookups (${seconds} s each)"
      if ((round == 1)); then
        seen[$mode.$who]=$(visible "$mode" "$who")
        connection "$mode" "$who"
        plan[$mode.$who]=$({ setup_sql; echo "EXPLAIN (COSTS OFF) SELECT count(*) FROM rls.documents;"; } |
                            q -U "$role" | tail -n +2 | sed 's/^ *//; s/->  //' | paste -sd ';' | cut -c1-110)
      fi
      first_runs[$mode.$who]+="$(first_scan_ms "$mode" "$who") "
      scan_runs[$mode.$who]+="$(run_tps "$mode" "$who" scan) "
      point_runs[$mode.$who]+="$(run_tps "$mode" "$who" point) "
    done
  done
done
for key in "${!scan_runs[@]}"; do
  scan[$key]=$(tr ' ' '\n' <<<"${scan_runs[$key]}" | grep . | median)
  point[$key]=$(tr ' ' '\n' <<<"${point_runs[$key]}" | grep . | median)
  first[$key]=$(tr ' ' '\n' <<<"${first_runs[$key]}" | grep . | median)
done
set_mode row  # leave the table as the default strategy protects it

# --- report -------------------------------------------------------------------
pgver=$(q -c "SHOW server_version")
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$repo" status --porcelain -- src sql agentauthz--*.sql 2>/dev/null | head -n 1) ]] &&
  commit+=" (+ uncommitted changes)"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
ms() { awk -v t="$1" 'BEGIN { if (t > 0) printf "%.1f", 1000 / t; else print "-" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", b / a; else print "-" }'; }

echo
echo "agentauthz RLS benchmark  ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "machine:    nproc=$(nproc), ${cpu:-unknown CPU}"
echo "server:     PostgreSQL $pgver, shared_buffers=$(q -c 'SHOW shared_buffers'); agentauthz at commit $commit"
echo "dataset:    $dataset_version ($gen_note): rls.documents, 1,000 folders, document i in folder i % 1000;"
echo "            user:one views folders 0-9 (1%), user:half folders 0-499 (50%); each agent acts for one of them"
echo "audit:      agentauthz.audit = $(q -U agent_one -c 'SHOW agentauthz.audit') for the agents (bench/audit.sh measures each level)"
echo "method:     pgbench -M prepared, 1 client, ${seconds} s per run after a 1 s warm-up, median of $reps rounds"
echo "            (each round runs every configuration in turn);"
echo "            scan: SELECT count(*) FROM rls.documents; point: SELECT id, title ... WHERE id = \$1,"
echo "            a random document the person may see; 1st scan: the count(*) of a new connection, alone"
echo
printf '%-36s %-5s %9s | %10s %7s %9s | %11s %7s | %10s %9s\n' "" "sees" "rows" "scan ms" "vs ACL" "vs off" \
  "1st scan ms" "vs off" "point TPS" "vs off"
printf '%s\n' "$(printf '%.0s-' {1..128})"
for who in one half; do
  for mode in "${modes[@]}"; do
    printf '%-36s %-5s %9s | %10s %7s %9s | %11.1f %7s | %10.0f %9s\n' "${label[$mode]}" \
      "$([[ $who == one ]] && echo 1% || echo 50%)" "${seen[$mode.$who]}" \
      "$(ms "${scan[$mode.$who]}")" "$(times "${scan[$mode.$who]}" "${scan[acl.$who]}")" \
      "$(times "${scan[$mode.$who]}" "${scan[off.$who]}")" \
      "${first[$mode.$who]}" "$(awk -v a="${first[$mode.$who]}" -v b="${first[off.$who]}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')" \
      "${point[$mode.$who]}" "$(pct "${point[$mode.$who]}" "${point[off.$who]}")"
  done
done
echo "(vs ACL and vs off: scan time relative to the flattened-ACL policy and to RLS off, the 1st scan to RLS off's 1st scan;"
echo " point: TPS as a share of RLS off)"
echo
echo "plans of the scan:"
for who in one half; do
  for mode in row set acl; do
    printf '  %-4s %-4s %s\n' "$mode" "$who" "${plan[$mode.$who]}"
  done
done
