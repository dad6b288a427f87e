#!/usr/bin/env bash
# The main job: on a fresh Debian 12 machine, as root, installs what is
# missing, builds and installs agentauthz, starts a throwaway PostgreSQL 15
# cluster, and runs a demonstration of the SQL API. The cluster is stopped
# and removed at the end, whatever happens.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_packages
build_extension
trap stop_cluster EXIT
start_cluster
log "demonstration (scripts/demo.sql)"
psql_q -d postgres -P pager=off -f "$REPO_ROOT/scripts/demo.sql"
