#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the repo root) over src/core and src/pg, two
# files at a time; prints the findings and exits non-zero when there is any.
# Usage: clang_tidy.sh CMAKE_BUILD_DIR (configured: it holds src/core's
# compile_commands.json). PG_BIN as in lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"


# Writes a compilation database for the extension's src/pg files into $1,
# from the commands PGXS would run (make -n -B compiles nothing).
pg_compile_commands() {
  local out=$1
  make -C "$REPO_ROOT" -n -B PG_CONFIG="$PG_BIN/pg_config" 2>/dev/null \
    | grep -E ' -c -o src/pg/[^ ]+\.o src/pg/[^ ]+\.cpp$' \
    | python3 -c '
import json, sys
root = sys.argv[1]
print(json.dumps([{"directory": root, "command": line.strip(), "file": root + "/" + line.split()[-1]}
                  for line in sys.stdin], indent=1))' "$REPO_ROOT" >"$out/compile_commands.json"
}

main() {
  local core_build=$1 status=0
  PG_DB=$(mktemp -d /tmp/agentauthz-tidy.XXXXXX)
  trap 'rm -rf "$PG_DB"' EXIT
  pg_compile_commands "$PG_DB"
  cd "$REPO_ROOT"
  # Findings go to stdout among the invocations, which are left out.
  run-clang-tidy -quiet -j"$(nproc)" -p "$core_build" '/src/core/' >"$PG_DB/core.out" 2>/dev/null \
    || status=1
  run-clang-tidy -quiet -j"$(nproc)" -p "$PG_DB" '/src/pg/' >"$PG_DB/pg.out" 2>/dev/null || status=1
  sed 's/\x1b\[[0-9;]*m//g' "$PG_DB/core.out" "$PG_DB/pg.out" | grep -v '^clang-tidy' || true
  return $status
}

main "$@"
