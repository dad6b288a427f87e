#!/usr/bin/env bash
# The cost of a condition. Prints figures; asserts nothing about speed.
#
# 1. check() through a conditional tuple (its condition evaluated with the
#    request's context) against the same check through an unconditional one.
# 2. An RLS count(*) over a table whose policy passes a row column as a
#    condition parameter (protect(..., context_columns)) against the same
#    table protected without it.
#
#   bench/conditions.sh            throwaway cluster in a temp dir (default)
#   PGHOST=... bench/conditions.sh an existing server (database bench_conditions is replaced)
#
# Environment (all optional):
#   BENCH_ROWS=1000000   rows of each protected table
#   BENCH_CHECKS=100000  checks per timed statement
#   BENCH_REPS=5         timed repetitions (median reported), after a warm-up
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
rows=${BENCH_ROWS:-1000000}
checks=${BENCH_CHECKS:-100000}
reps=${BENCH_REPS:-5}
for v in rows checks reps; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "conditions.sh: $v must be a positive integer" >&2; exit 2; }
done
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
source "$here/server.sh"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
q -d postgres -c "DROP DATABASE IF EXISTS bench_conditions" -c "CREATE DATABASE bench_conditions"
export PGDATABASE=bench_conditions
log "loading $rows rows per table"
q -v rows="$rows" -f "$here/sql/conditions_setup.sql" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# Prints the median milliseconds of a statement run reps times after a warm-up.
timed() {
  local sql=$1 setup=${2:-}
  for ((i = 0; i <= reps; i++)); do
    q -c "$setup" -c "\\timing on" -c "$sql" | awk '/^Time:/ {print $2}' | tail -1
  done | tail -n +2 | median
}

log "checks"
plain=$(timed "SELECT count(*) FILTER (WHERE agentauthz.check('user:sue', 'plain_viewer', 'document:' || i)) FROM generate_series(1, $checks) i")
cond=$(timed "SELECT count(*) FILTER (WHERE agentauthz.check('user:sue', 'limited_viewer', 'document:' || i, context => '{\"amount\": 40}')) FROM generate_series(1, $checks) i")
log "RLS scans"
app="SET ROLE bench_app; SELECT agentauthz.set_subject('user:sue');"
scan_plain=$(timed "BEGIN; $app SELECT count(*) FROM plain_refunds; COMMIT;")
scan_cond=$(timed "BEGIN; $app SELECT count(*) FROM limited_refunds; COMMIT;")
off=$(timed "SELECT count(*) FROM plain_refunds")
visible=$(q -c "BEGIN; $app SELECT count(*) FROM limited_refunds; COMMIT;" | grep -E '^[0-9]+$' | tail -1)

printf '\n%-58s %12s\n' "figure (median of $reps)" "ms"
printf '%-58s %12s\n' "$checks checks, unconditional tuple" "$plain"
printf '%-58s %12s\n' "$checks checks, conditional tuple (condition evaluated)" "$cond"
awk -v a="$plain" -v b="$cond" -v n="$checks" 'BEGIN {printf "  per check: %.2f us vs %.2f us; the condition adds %.2f us (%.0f%%)\n", a*1000/n, b*1000/n, (b-a)*1000/n, (b-a)*100/a}'
printf '%-58s %12s\n' "count(*) of $rows rows, RLS off (owner)" "$off"
printf '%-58s %12s\n' "count(*), protect() without context_columns" "$scan_plain"
printf '%-58s %12s\n' "count(*), protect(context_columns => {amount}), $visible visible" "$scan_cond"
awk -v a="$scan_plain" -v b="$scan_cond" -v n="$rows" 'BEGIN {printf "  per row: %.2f us vs %.2f us\n", a*1000/n, b*1000/n}'
