# Shared helpers for the set-up, demo and test scripts. Sourced, not run.
# Everything runs as root; PostgreSQL clusters run as the `postgres` OS user
# (initdb refuses root) in a temporary directory, on a Unix socket there.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '\n==> %s\n' "$*" >&2; }

# Installs the Debian packages that are missing (nothing when all are there).
ensure_packages() {
  local wanted=(postgresql-15 postgresql-server-dev-15 postgresql-contrib libpq-dev g++ make cmake
                pkg-config libgtest-dev "$@")
  local missing=()
  local p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Debian's postgresql-common starts a default cluster; ours are separate.
  id postgres >/dev/null 2>&1 || { echo "the postgres OS user is missing" >&2; return 1; }
}

# Builds and installs the extension into PostgreSQL 15.
build_extension() {
  log "building and installing the extension"
  make -C "$REPO_ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" >/dev/null
  make -C "$REPO_ROOT" -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null
}

# Starts a throwaway cluster; sets CLUSTER_DIR, PGHOST, PGPORT, PGUSER.
# Extra arguments are passed to postgres as -c settings (name=value). The
# library is preloaded (its audit queue needs shared memory) unless
# AGENTAUTHZ_PRELOAD=0.
start_cluster() {
  CLUSTER_DIR=$(mktemp -d /tmp/agentauthz-pg.XXXXXX)
  chown postgres: "$CLUSTER_DIR"
  chmod 700 "$CLUSTER_DIR"
  local opts="-k $CLUSTER_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
  opts+=" -c full_page_writes=off -c max_connections=60 -c max_prepared_transactions=10 -c log_min_messages=warning"
  [[ "${AGENTAUTHZ_PRELOAD:-1}" == 1 ]] && opts+=" -c shared_preload_libraries=agentauthz"
  local setting
  for setting in "$@"; do opts+=" -c $setting"; done
  # A port nobody else uses: derived from our directory, retried if taken.
  PGPORT=$((20000 + RANDOM % 20000))
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$CLUSTER_DIR/data' -A trust -U postgres \
      --no-sync -E UTF8 --locale=C >'$CLUSTER_DIR/initdb.log' 2>&1" \
    || { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$CLUSTER_DIR/data' -l '$CLUSTER_DIR/server.log' \
      -o \"-p $PGPORT $opts\" -w -t 60 start >/dev/null" \
    || { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
  export PGHOST=$CLUSTER_DIR PGPORT PGUSER=postgres PGDATABASE=postgres
  log "cluster running in $CLUSTER_DIR (port $PGPORT)"
}

# Stops the cluster start_cluster started and removes its directory.
stop_cluster() {
  [[ -n "${CLUSTER_DIR:-}" && -d "$CLUSTER_DIR/data" ]] || return 0
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$CLUSTER_DIR/data' -m fast -w stop >/dev/null 2>&1" || true
  rm -rf "$CLUSTER_DIR"
  CLUSTER_DIR=
}

psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
