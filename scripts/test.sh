#!/usr/bin/env bash
# Runs every test of agentauthz on a fresh Debian 12 machine, as root:
# installs what is missing, builds, starts a throwaway cluster, then runs the
# core unit tests, the pg_regress suite, the isolation specs, the libpq
# integration tests, the pg_dump/pg_restore round trip and the fuzzers'
# smoke runs. Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
PASSED=0
FAILED=0
FAILURES=()

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "FAILED: $1" >&2; }

# Counts a GoogleTest run from its output file.
count_gtest() {
  local name=$1 output=$2 status=$3 ok bad
  ok=$(grep -c '^\[       OK \]' "$output" || true)
  bad=$({ grep -E '^\[  FAILED  \] [A-Za-z0-9_/]+\.' "$output" || true; } | sort -u | wc -l)
  PASSED=$((PASSED + ok))
  FAILED=$((FAILED + bad))
  grep -E '^\[  FAILED  \] [A-Za-z0-9_/]+\.' "$output" | sort -u | sed "s/^/$name: /" >&2 || true
  if [[ $status -ne 0 && $bad -eq 0 ]]; then fail "$name (exit status $status)"; fi
}

# Counts a pg_regress or pg_isolation_regress run from its output file.
count_regress() {
  local name=$1 output=$2 status=$3 ok bad
  ok=$(grep -Ec '\.\.\. +ok' "$output" || true)
  bad=$(grep -Ec '\.\.\. +FAILED|failed \(ignored\)' "$output" || true)
  PASSED=$((PASSED + ok))
  FAILED=$((FAILED + bad))
  if [[ $status -ne 0 && $bad -eq 0 ]]; then fail "$name (exit status $status)"; fi
}

unit_tests() {
  log "core unit tests"
  cmake -S "$REPO_ROOT" -B "$REPO_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$REPO_ROOT/build" -j"$(nproc)" >/dev/null
  local out=$WORK/unit.out status=0
  "$REPO_ROOT/build/unit_tests" --gtest_color=no >"$out" 2>&1 || status=$?
  tail -3 "$out"
  count_gtest unit "$out" $status
}

# Runs a pg_regress-style suite as postgres, from a copy it can write:
# run_suite NAME TOOL SOURCE_DIR INPUT_KIND (sql or specs).
run_suite() {
  local name=$1 tool=$2 source=$3 kind=$4 status=0
  local dir=$WORK/$name
  mkdir -p "$dir"
  cp -r "$source/$kind" "$source/expected" "$dir/"
  chown -R postgres: "$dir"
  local tests
  tests=$(cd "$source/$kind" && ls | sed 's/\.[a-z]*$//' | sort | tr '\n' ' ')
  su postgres -s /bin/sh -c "cd '$dir' && '$PG_BIN/../lib/pgxs/src/test/$tool' \
      --inputdir=. --outputdir=out --bindir='$PG_BIN' --host='$PGHOST' --port='$PGPORT' \
      --user=postgres --dbname=agentauthz_$name $tests" >"$WORK/$name.out" 2>&1 || status=$?
  cat "$WORK/$name.out"
  [[ -f "$dir/out/regression.diffs" ]] && head -200 "$dir/out/regression.diffs" >&2
  count_regress "$name" "$WORK/$name.out" $status
}

regress_tests() {
  log "pg_regress"
  run_suite regress regress/pg_regress "$REPO_ROOT" sql
}

isolation_tests() {
  log "isolation specs"
  run_suite isolation isolation/pg_isolation_regress "$REPO_ROOT/test/isolation" specs
}

integration_tests() {
  log "libpq integration tests"
  local out=$WORK/integration.out status=0
  "$REPO_ROOT/build/integration_tests" --gtest_color=no >"$out" 2>&1 || status=$?
  tail -3 "$out"
  count_gtest integration "$out" $status
}

shell_tests() {
  local t
  for t in "$REPO_ROOT"/test/shell/*.sh; do
    log "$(basename "$t")"
    if bash "$t" >"$WORK/$(basename "$t").out" 2>&1; then
      pass
      tail -1 "$WORK/$(basename "$t").out"
    else
      cat "$WORK/$(basename "$t").out" >&2
      fail "$(basename "$t")"
    fi
  done
}

fuzz_tests() {
  log "fuzzers (${FUZZ_SECONDS}s each)"
  CXX=clang++ cmake -S "$REPO_ROOT" -B "$REPO_ROOT/build-fuzz" -DAGENTAUTHZ_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$REPO_ROOT/build-fuzz" -j"$(nproc)" --target fuzzers >/dev/null
  local fuzzer name
  for fuzzer in "$REPO_ROOT"/build-fuzz/fuzz_*; do
    name=$(basename "$fuzzer")
    mkdir -p "$WORK/corpus/$name"
    if "$fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$WORK/$name-" \
        "$WORK/corpus/$name" "$REPO_ROOT/test/fuzz/corpus/${name#fuzz_}" >"$WORK/$name.out" 2>&1; then
      pass
      echo "$name: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$WORK/$name.out" | tail -1)"
    else
      tail -40 "$WORK/$name.out" >&2
      fail "$name"
    fi
  done
}

main() {
  ensure_packages clang libclang-rt-14-dev pgbouncer
  build_extension
  WORK=$(mktemp -d /tmp/agentauthz-test.XXXXXX)
  chmod 755 "$WORK"
  trap 'stop_cluster; rm -rf "$WORK"' EXIT
  unit_tests
  start_cluster
  regress_tests
  isolation_tests
  integration_tests
  shell_tests
  fuzz_tests
  if ((FAILED)); then
    printf '\nfailures:\n' >&2
    printf '  %s\n' "${FAILURES[@]}" >&2
  fi
  echo
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

main "$@"
