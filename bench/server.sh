# The benchmarks' server: an existing one when any of PGHOST, PGPORT,
# PGUSER or PGDATABASE is set, otherwise a throwaway cluster run as the
# postgres OS user, on a Unix socket in its own directory, stopped (and
# removed unless BENCH_CLUSTER_DIR names it) when the runner exits.
# Sourced by the runners, which set pgbin and define log().
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
        -c max_parallel_workers_per_gather=0 -c shared_preload_libraries=agentauthz" start >/dev/null
  export PGHOST=$cluster_dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
fi
export PGAPPNAME=agentauthz-bench PGOPTIONS="${PGOPTIONS:-} -c jit=off -c max_parallel_workers_per_gather=0"
