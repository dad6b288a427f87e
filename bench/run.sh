#!/usr/bin/env bash
# agentauthz benchmark runner. Prints figures; asserts nothing about speed.
#
#   bench/run.sh                 throwaway cluster in a temp dir (default)
#   PGHOST=... PGDATABASE=... bench/run.sh
#                                an existing server: the database is the
#                                benchmark's (its agentauthz.tuples is replaced)
#
# Environment (all optional):
#   BENCH_DOCS=1000000           documents in the dataset
#   BENCH_REQUESTS=50000         agentauthz check requests per kind
#   BENCH_BASELINE_REQUESTS=5000 of those, how many the recursive-CTE baseline runs
#   BENCH_REPS=5                 timed repetitions (median reported), after 1 warm-up
#   BENCH_CLUSTER_DIR=dir        keep the throwaway cluster in dir (reused next
#                                run, so the dataset is not generated again)
#   BENCH_BUILD=1                run `make -j2 && make install` first
#   BENCH_FORCE=1                allow replacing tuples not written by this benchmark
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
sqldir=$here/sql

docs=${BENCH_DOCS:-1000000}
nreq=${BENCH_REQUESTS:-50000}
nbase=${BENCH_BASELINE_REQUESTS:-5000}
reps=${BENCH_REPS:-5}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
dataset_version="enterprise-v4 docs=$docs requests=$nreq"

for v in docs nreq nbase reps; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $v must be a positive integer" >&2; exit 2; }
done
(( docs >= 1000 && docs % 100 == 0 )) || { echo "run.sh: BENCH_DOCS must be a multiple of 100, >= 1000" >&2; exit 2; }
(( nbase <= nreq )) || nbase=$nreq

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ ${BENCH_BUILD:-0} == 1 ]]; then
  log "building and installing the extension"
  (cd "$repo" && make -j2 >/dev/null && make install >/dev/null)
fi

# --- server ---------------------------------------------------------------
started_cluster=0
cluster_dir=""
remove_cluster_dir=0

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ $started_cluster == 1 ]]; then
    if [[ $rc -ne 0 && -f $cluster_dir/server.log ]]; then
      echo "--- last lines of the server log ($cluster_dir/server.log) ---" >&2
      tail -n 20 "$cluster_dir/server.log" >&2 || true
    fi
    log "stopping the throwaway cluster"
    as_postgres "$pgbin/pg_ctl" -D "$cluster_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [[ $remove_cluster_dir == 1 && -n $cluster_dir ]]; then
    rm -rf -- "$cluster_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n ${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${PGUSER:-} ]]; then
  log "using the existing server (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGDATABASE=${PGDATABASE:-} PGUSER=${PGUSER:-})"
else
  if [[ -n ${BENCH_CLUSTER_DIR:-} ]]; then
    cluster_dir=$BENCH_CLUSTER_DIR
    mkdir -p "$cluster_dir"
  else
    cluster_dir=$(mktemp -d "${TMPDIR:-/tmp}/agentauthz-bench.XXXXXX")
    remove_cluster_dir=1
  fi
  [[ $(id -u) -eq 0 ]] && chown postgres: "$cluster_dir"
  if [[ ! -f $cluster_dir/data/PG_VERSION ]]; then
    log "initdb in $cluster_dir/data"
    as_postgres "$pgbin/initdb" -D "$cluster_dir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  fi
  # A throwaway cluster: durability is off to make loading fast; the
  # measurements only read. Unix socket in the cluster dir, no TCP.
  port=${BENCH_PORT:-54329}
  if [[ -e $cluster_dir/data/postmaster.pid ]]; then
    as_postgres "$pgbin/pg_ctl" -D "$cluster_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  log "starting the throwaway cluster (socket $cluster_dir, port $port)"
  started_cluster=1
  as_postgres "$pgbin/pg_ctl" -D "$cluster_dir/data" -l "$cluster_dir/server.log" -w -t 120 \
    -o "-k $cluster_dir -p $port -c listen_addresses= -c shared_buffers=1GB \
        -c maintenance_work_mem=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off \
        -c max_parallel_workers_per_gather=0" start >/dev/null
  export PGHOST=$cluster_dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
fi
export PGAPPNAME=agentauthz-bench PGOPTIONS="${PGOPTIONS:-} -c jit=off -c max_parallel_workers_per_gather=0"

q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# --- extension, baseline, dataset -----------------------------------------
q -c "CREATE EXTENSION IF NOT EXISTS agentauthz" >/dev/null 2>&1 || {
  q -c "CREATE EXTENSION IF NOT EXISTS agentauthz"  # repeat to show the error
  echo "run.sh: install the extension first: cd $repo && make -j2 && make install (or BENCH_BUILD=1)" >&2
  exit 1
}
q -c "SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
q -f "$sqldir/baseline.sql" >/dev/null

have=""
if [[ $(q -c "SELECT to_regclass('bench.dataset') IS NOT NULL") == t ]]; then
  have=$(q -c "SELECT string_agg(version, ',') FROM bench.dataset")
fi
gen_note="reused (generated earlier)"
if [[ $have != "$dataset_version" ]]; then
  if [[ -z $have && ${BENCH_FORCE:-0} != 1 ]] &&
     [[ $(q -c "SELECT EXISTS (SELECT FROM agentauthz.tuples)") == t ]]; then
    echo "run.sh: database ${PGDATABASE:-} has tuples not written by this benchmark;" \
         "set BENCH_FORCE=1 to replace them" >&2
    exit 1
  fi
  log "generating the dataset ($dataset_version) ..."
  t0=$(date +%s.%N)
  q -v docs="$docs" -v model="$(cat "$sqldir/model.fga")" -f "$sqldir/generate.sql" >/dev/null
  t1=$(date +%s.%N)
  log "  tuples loaded in $(elapsed "$t0" "$t1") s; drawing requests ..."
  q -v docs="$docs" -v n="$nreq" -f "$sqldir/requests.sql" >/dev/null
  t2=$(date +%s.%N)
  q -v v="$dataset_version" -v load="$(elapsed "$t0" "$t1")" -v req="$(elapsed "$t1" "$t2")" <<'SQL' >/dev/null
UPDATE bench.dataset SET version = :'v', generated_at = now(), load_seconds = :'load',
                         request_seconds = :'req';
SQL
  gen_note="generated by this run: tuples in $(elapsed "$t0" "$t1") s, requests in $(elapsed "$t1" "$t2") s"
fi
# The model the benchmark expects must be the active one.
q -v model="$(cat "$sqldir/model.fga")" >/dev/null <<'SQL'
SELECT agentauthz.write_model(:'model') WHERE agentauthz.read_model() IS DISTINCT FROM :'model';
SQL

# --- measurements ---------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# time_checks FN KIND LIMIT: one psql session (one backend), one warm-up and
# $reps timed statements; each statement runs FN over LIMIT requests of KIND
# and times itself with clock_timestamp() - statement_timestamp(). The
# warm-up also counts the index scans on agentauthz.tuples it caused
# (pg_stat_user_indexes.idx_scan, one per lookup).
# Prints "median_ms allowed n probes_per_request".
time_checks() {
  local fn=$1 kind=$2 lim=$3 i
  local stmt="SELECT 'T', count(*) FILTER (WHERE $fn(subject, relation, object)), count(*),
       extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000
  FROM bench.requests WHERE kind = '$kind' AND seq < $lim;"
  local probes="SELECT sum(idx_scan) FROM pg_stat_user_indexes WHERE relid = 'agentauthz.tuples'::regclass"
  local script="$probes \\gset before_
$stmt
SELECT pg_stat_force_next_flush();
SELECT 'P', ($probes) - :before_sum;
"
  for ((i = 1; i <= reps; i++)); do script+="$stmt
"; done
  local out
  out=$(q -F ' ' <<<"$script")
  local ms allowed n p
  ms=$(awk '$1 == "T" {print $4}' <<<"$out" | tail -n +2 | median)
  allowed=$(awk '$1 == "T" {print $2}' <<<"$out" | tail -n 1)
  n=$(awk '$1 == "T" {print $3}' <<<"$out" | tail -n 1)
  p=$(awk -v n="$n" '$1 == "P" {printf "%.1f", $2 / n}' <<<"$out")
  echo "$ms $allowed $n $p"
}

# time_sql SQL: like time_checks for a statement returning one count.
time_sql() {
  local sql=$1 script="" i
  for ((i = 0; i <= reps; i++)); do
    script+="SELECT count(*), extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 FROM ($sql) s;
"
  done
  local out
  out=$(q -F ' ' <<<"$script")
  echo "$(tail -n +2 <<<"$out" | awk '{print $2}' | median) $(tail -n 1 <<<"$out" | awk '{print $1}')"
}

kinds=(direct group folder denied group-1st folder-1st)
declare -A path=(
  [direct]="doc viewer tuple names the user"
  [group]="user in leaf < l2 < l1 < root group; doc"
  [folder]="doc > f4 > f3 > f2 > f1 > f0, user on f0"
  [denied]="regular user, hashed doc: no path"
  [group-1st]="group, each user's first request only"
  [folder-1st]="folder, each user's first request only"
)
declare -A aa_ms aa_allowed aa_n aa_probes cte_ms cte_allowed cte_n cte_probes
for kind in "${kinds[@]}"; do
  log "agentauthz.check: $kind (up to $nreq requests, 1 warm-up + $reps runs)"
  res=$(time_checks agentauthz.check "$kind" "$nreq")
  read -r aa_ms[$kind] aa_allowed[$kind] aa_n[$kind] aa_probes[$kind] <<<"$res"
  log "bench.cte_check:  $kind (up to $nbase requests, 1 warm-up + $reps runs)"
  res=$(time_checks bench.cte_check "$kind" "$nbase")
  read -r cte_ms[$kind] cte_allowed[$kind] cte_n[$kind] cte_probes[$kind] <<<"$res"
done

# Reference: the same requests answered by one plain index lookup each
# (only right for 'direct'): the floor of any engine that reads the tuples
# table per request.
log "reference: one index lookup per request (direct, $nreq requests)"
res=$(time_sql "SELECT 1 FROM bench.requests r WHERE kind = 'direct' AND seq < $nreq AND EXISTS (
  SELECT 1 FROM agentauthz.tuples t
   WHERE t.object = r.object AND t.relation = r.relation AND t.subject = r.subject)")
read -r probe_ms probe_count <<<"$res"

lo_subject=user:u200
log "list_objects($lo_subject, viewer, document)"
res=$(time_sql "SELECT * FROM agentauthz.list_objects('$lo_subject', 'viewer', 'document')")
read -r lo_ms lo_count <<<"$res"
res=$(time_sql "SELECT * FROM bench.cte_list_objects('$lo_subject', 'viewer', 'document')")
read -r lo_cte_ms lo_cte_count <<<"$res"

# --- agreement ------------------------------------------------------------
log "verifying agentauthz.check against the baseline ($nbase requests per kind)"
# The timed runs already compared agentauthz with the expected answers on
# every request (allowed counts); this lists the requests where agentauthz,
# the baseline and the expected answer disagree: all of the first $nbase of
# each kind, and any other request where agentauthz is not as expected.
mismatches=$(q -F ' | ' <<SQL
SELECT kind, seq, subject, relation, object,
       'agentauthz=' || a, 'baseline=' || coalesce(b::text, 'not run'), 'expected=' || expected
  FROM (SELECT r.*, agentauthz.check(subject, relation, object) AS a,
               CASE WHEN seq < $nbase THEN bench.cte_check(subject, relation, object) END AS b
          FROM bench.requests r WHERE seq < $nbase OR kind IN ($(
            for kind in "${kinds[@]}"; do
              if [[ $kind == denied ]]; then exp=0; else exp=${aa_n[$kind]}; fi
              [[ ${aa_allowed[$kind]} == "$exp" ]] || printf "'%s', " "$kind"
            done) '')) v
 WHERE (b IS NOT NULL AND a IS DISTINCT FROM b) OR a IS DISTINCT FROM expected
 ORDER BY kind, seq;
SQL
)
res=$(q -F ' ' <<'SQL'
SELECT kind, count(DISTINCT subject), count(DISTINCT object), count(DISTINCT (subject, object))
  FROM bench.requests GROUP BY kind;
SQL
)
declare -A distinct_subjects distinct_objects distinct_pairs
while read -r kind a b c; do
  distinct_subjects[$kind]=$a; distinct_objects[$kind]=$b; distinct_pairs[$kind]=$c
done <<<"$res"
lo_diff=$(q <<SQL
SELECT count(*) FROM (
  (SELECT * FROM agentauthz.list_objects('$lo_subject', 'viewer', 'document')
   EXCEPT SELECT * FROM bench.cte_list_objects('$lo_subject', 'viewer', 'document'))
  UNION ALL
  (SELECT * FROM bench.cte_list_objects('$lo_subject', 'viewer', 'document')
   EXCEPT SELECT * FROM agentauthz.list_objects('$lo_subject', 'viewer', 'document'))) d;
SQL
)

# --- report ---------------------------------------------------------------
res=$(q -F ' ' <<'SQL'
SELECT count(*),
       count(DISTINCT object) FILTER (WHERE object LIKE 'document:%'),
       count(DISTINCT object) FILTER (WHERE object LIKE 'folder:%'),
       count(DISTINCT object) FILTER (WHERE object LIKE 'group:%'),
       (SELECT count(DISTINCT subject) FROM agentauthz.tuples WHERE subject LIKE 'user:%'),
       (SELECT count(DISTINCT subject) FROM agentauthz.tuples WHERE subject LIKE 'agent:%')
  FROM agentauthz.tuples;
SQL
)
read -r n_tuples n_docs n_folders n_groups n_users n_agents <<<"$res"
pgver=$(q -c "SHOW server_version")
extver=$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'agentauthz'")
tbl_size=$(q -c "SELECT pg_size_pretty(pg_total_relation_size('agentauthz.tuples'))")
sb=$(q -c "SHOW shared_buffers")
lib="$(pg_config --pkglibdir 2>/dev/null)/agentauthz.so"
libinfo=""
[[ -f $lib ]] && libinfo=", library $lib of $(date -u -r "$lib" +%Y-%m-%dT%H:%MZ)"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$repo" status --porcelain -- src sql agentauthz--*.sql 2>/dev/null | head -n 1)
[[ -n $dirty ]] && commit+=" (+ uncommitted changes in src/)"

rate() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", n / (ms / 1000); else print "inf" }'; }
us() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.1f", ms * 1000 / n }'; }
thousands() { LC_ALL=C printf "%'d" "$1" 2>/dev/null | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

echo
echo "agentauthz benchmark  ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "machine:    nproc=$(nproc), ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo)"
echo "server:     PostgreSQL $pgver, shared_buffers=$sb"
echo "extension:  agentauthz $extver; tree at commit $commit$libinfo"
echo "dataset:    $dataset_version ($gen_note)"
echo "            $(thousands "$n_tuples") tuples ($tbl_size with indexes), $(thousands "$n_docs") documents," \
     "$(thousands "$n_folders") folders, $n_groups groups, $(thousands "$n_users") users, $n_agents agents"
echo "method:     one backend per row, one SQL statement per run over pre-generated requests:"
echo "            SELECT count(*) FILTER (WHERE f(subject, relation, object)) FROM bench.requests WHERE kind = ...;"
echo "            timed in the server (clock_timestamp() - statement_timestamp()), 1 warm-up + $reps runs, median;"
echo "            requests vary users and documents (see bench/README.md); jit and parallel query off."
echo
printf '%-10s %-40s | %6s %9s %7s %6s | %5s %9s %7s %6s | %6s\n' \
  "" "" "" "agentauthz" "" "" "" "baseline" "" "" ""
printf '%-10s %-40s | %6s %9s %7s %6s | %5s %9s %7s %6s | %6s\n' \
  kind "path" n "checks/s" "us/chk" "probes" n "checks/s" "us/chk" "probes" ratio
printf '%s\n' "$(printf '%.0s-' {1..125})"
for kind in "${kinds[@]}"; do
  ra=$(rate "${aa_n[$kind]}" "${aa_ms[$kind]}")
  rb=$(rate "${cte_n[$kind]}" "${cte_ms[$kind]}")
  ratio=$(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.1fx", a / b }')
  [[ $kind == group-1st ]] && echo "memo-cold variants (the engine reuses a user's resolved groups and folders within a statement):"
  printf '%-10s %-40s | %6d %9s %7s %6s | %5d %9s %7s %6s | %6s\n' "$kind" "${path[$kind]}" \
    "${aa_n[$kind]}" "$ra" "$(us "${aa_n[$kind]}" "${aa_ms[$kind]}")" "${aa_probes[$kind]}" \
    "${cte_n[$kind]}" "$rb" "$(us "${cte_n[$kind]}" "${cte_ms[$kind]}")" "${cte_probes[$kind]}" "$ratio"
done
echo "(checks/s and us/chk: median of $reps runs; probes: index scans on agentauthz.tuples per request;"
echo " ratio: agentauthz checks/s / baseline checks/s)"
printf 'reference: one plain index lookup per request (SQL EXISTS), direct requests: %s/s, %s us each\n' \
  "$(rate "$probe_count" "$probe_ms")" "$(us "$probe_count" "$probe_ms")"
echo
printf 'list_objects(%s, viewer, document): %s documents (%.2f%% of all), agentauthz %.1f ms, baseline %.1f ms (%s documents), ratio %.1fx\n' \
  "$lo_subject" "$lo_count" "$(awk -v a="$lo_count" -v b="$n_docs" 'BEGIN{print 100*a/b}')" \
  "$lo_ms" "$lo_cte_ms" "$lo_cte_count" "$(awk -v a="$lo_ms" -v b="$lo_cte_ms" 'BEGIN{print b/a}')"
echo
echo "requests and answers (agentauthz over all n requests, baseline over the first base n):"
for kind in "${kinds[@]}"; do
  if [[ $kind == denied ]]; then exp=0; else exp=${aa_n[$kind]}; fi
  flag=""; [[ ${aa_allowed[$kind]} == "$exp" ]] || flag="  <-- expected $exp"
  printf '  %-10s %6d distinct users, %6d distinct documents, %6d distinct pairs; allowed: agentauthz %d of %d, baseline %d of %d%s\n' \
    "$kind" "${distinct_subjects[$kind]}" "${distinct_objects[$kind]}" "${distinct_pairs[$kind]}" \
    "${aa_allowed[$kind]}" "${aa_n[$kind]}" "${cte_allowed[$kind]}" "${cte_n[$kind]}" "$flag"
done
if [[ -z $mismatches ]]; then
  both=0 all=0
  for kind in "${kinds[@]}"; do (( both += cte_n[$kind], all += aa_n[$kind] )) || true; done
  echo "agreement:  agentauthz.check = bench.cte_check = expected on the $both requests both ran;"
  echo "            agentauthz.check = expected on all $all requests"
else
  echo "agreement:  MISMATCHES between agentauthz.check, bench.cte_check and the expected answer ($(wc -l <<<"$mismatches")):"
  head -n 20 <<<"$mismatches" | sed 's/^/  /'
fi
if [[ $lo_diff == 0 ]]; then
  echo "            list_objects = bench.cte_list_objects ($lo_count documents)"
else
  echo "            list_objects and bench.cte_list_objects differ in $lo_diff documents"
fi
