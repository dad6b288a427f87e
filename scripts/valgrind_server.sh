# pg_regress against a server run under valgrind (memcheck). Sourced by
# test.sh after lib.sh, not run; VALGRIND=1 bash scripts/test.sh runs it.
#
# The sanitizers' runtime cannot be preloaded into Debian's postgres here:
# with libasan (gcc's or clang's) in LD_PRELOAD, even `postgres -V`
# deadlocks in bindtextdomain at start-up. Valgrind needs no rebuild of the
# extension; the suite takes about 6 minutes under it instead of seconds.

VALGRIND_SUPP=$REPO_ROOT/test/valgrind/postgres.supp

# Starts a throwaway cluster whose postmaster (and so every backend and
# worker it forks) runs under valgrind, one report file per process in
# VALGRIND_LOGS; sets CLUSTER_DIR, PGHOST, PGPORT like start_cluster.
start_valgrind_cluster() {
  CLUSTER_DIR=$(mktemp -d /tmp/agentauthz-pg.XXXXXX)
  chown postgres: "$CLUSTER_DIR"
  chmod 700 "$CLUSTER_DIR"
  PGPORT=$((20000 + RANDOM % 20000))
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$CLUSTER_DIR/data' -A trust -U postgres \
      --no-sync -E UTF8 --locale=C >'$CLUSTER_DIR/initdb.log' 2>&1" \
    || { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
  su postgres -s /bin/sh -c "valgrind --quiet --leak-check=no --trace-children=yes \
      --read-var-info=no --num-callers=30 --gen-suppressions=all \
      --suppressions='$VALGRIND_SUPP' --log-file='$VALGRIND_LOGS/%p.log' \
      $PG_BIN/postgres -D '$CLUSTER_DIR/data' -p $PGPORT -k '$CLUSTER_DIR' \
      -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=60 -c max_prepared_transactions=10 -c log_min_messages=warning \
      -c shared_preload_libraries=agentauthz >'$CLUSTER_DIR/server.log' 2>&1 &"
  local waited=0
  until "$PG_BIN/pg_isready" -q -h "$CLUSTER_DIR" -p "$PGPORT"; do
    sleep 2
    waited=$((waited + 2))
    ((waited < 180)) || { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
  done
  export PGHOST=$CLUSTER_DIR PGPORT PGUSER=postgres PGDATABASE=postgres
  log "cluster under valgrind running in $CLUSTER_DIR (port $PGPORT)"
}

# Prints valgrind's reports and returns how many processes reported errors.
valgrind_findings() {
  local report count=0
  for report in "$VALGRIND_LOGS"/*.log; do
    [[ -s "$report" ]] || continue
    count=$((count + 1))
    echo "--- $report" >&2
    head -80 "$report" >&2
  done
  return $count
}

# Runs pg_regress against the server under valgrind; each process that
# reports a memcheck error fails the run. The normal cluster is stopped first.
valgrind_tests() {
  log "pg_regress under valgrind"
  stop_cluster
  local reports=0
  VALGRIND_LOGS=$WORK/valgrind
  mkdir -p "$VALGRIND_LOGS"
  chown postgres: "$VALGRIND_LOGS"
  start_valgrind_cluster
  run_suite valgrind_regress regress/pg_regress "$REPO_ROOT" sql
  stop_cluster
  valgrind_findings || reports=$?
  if ((reports)); then
    fail "valgrind reports from $reports server process(es) (above)"
  else
    pass
    echo "no valgrind reports from the server"
  fi
}
