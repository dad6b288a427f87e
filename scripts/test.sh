#!/usr/bin/env bash
# Runs every test of agentauthz on a fresh Debian 12 machine, as root:
# installs what is missing, checks the formatting (clang-format), builds,
# runs the core unit tests under AddressSanitizer and UBSan, clang-tidy over
# src/, then on a throwaway cluster the pg_regress suite, the isolation specs,
# the libpq integration tests and the shell tests (pg_dump/pg_restore round
# trip, upgrade, pgbouncer, ...), the fuzzers' smoke runs and, last, the
# pg_regress suite again on a server under valgrind (VALGRIND=0 skips it).
# Ends with "N passed, N failed" and each stage's time; exits non-zero on any
# failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/valgrind_server.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-10}
PASSED=0
FAILED=0
FAILURES=()
STAGE_TIMES=()

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "FAILED: $1" >&2; }

# Runs stage function $1 and records how long it took.
stage() {
  local start=$SECONDS
  "$1"
  STAGE_TIMES+=("$(printf '%-26s %4ss' "$1" $((SECONDS - start)))")
}

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

# Fails the run when a C++ file in src/, test/ or bench/ is not formatted
# as .clang-format says.
format_check() {
  log "clang-format"
  local files
  mapfile -t files < <(cd "$REPO_ROOT" && find src test bench -name '*.cpp' -o -name '*.h' | sort)
  if (cd "$REPO_ROOT" && clang-format --dry-run --Werror "${files[@]}") >"$WORK/format.out" 2>&1; then
    pass
    echo "${#files[@]} files formatted"
  else
    head -60 "$WORK/format.out" >&2
    fail "clang-format (run clang-format -i on the files above)"
  fi
}

# The unit and integration tests are built once, with ASan and UBSan: a
# finding aborts the test binary and fails the run. -O1 with line tables
# only (-g1) keeps reports readable and builds in half the time of -O2 -g.
unit_tests() {
  log "core unit tests (ASan + UBSan)"
  cmake -S "$REPO_ROOT" -B "$TEST_BUILD" -DCMAKE_BUILD_TYPE=Sanitized \
      -DCMAKE_CXX_FLAGS_SANITIZED="-O1 -g1" -DAGENTAUTHZ_SANITIZE=ON >/dev/null
  cmake --build "$TEST_BUILD" -j"$(nproc)" >/dev/null
  local out=$WORK/unit.out status=0
  "$TEST_BUILD/unit_tests" --gtest_color=no >"$out" 2>&1 || status=$?
  tail -3 "$out"
  count_gtest unit "$out" $status
}

# clang-tidy over src/ (.clang-tidy); any finding fails the run.
tidy_check() {
  log "clang-tidy"
  if bash "$REPO_ROOT/scripts/clang_tidy.sh" "$TEST_BUILD" >"$WORK/tidy.out" 2>&1; then
    pass
    echo "no clang-tidy findings"
  else
    head -150 "$WORK/tidy.out" >&2
    fail "clang-tidy"
  fi
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
  local name=${1:-integration}
  log "libpq integration tests ($name)"
  local out=$WORK/$name.out status=0
  "$TEST_BUILD/integration_tests" --gtest_color=no >"$out" 2>&1 || status=$?
  tail -3 "$out"
  count_gtest "$name" "$out" $status
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
  ensure_packages clang libclang-rt-14-dev pgbouncer clang-format clang-tidy valgrind
  WORK=$(mktemp -d /tmp/agentauthz-test.XXXXXX)
  TEST_BUILD=$REPO_ROOT/build-sanitized
  chmod 755 "$WORK"
  trap 'stop_cluster; rm -rf "$WORK"' EXIT
  stage format_check
  stage build_extension
  stage unit_tests
  stage tidy_check
  stage start_cluster
  stage regress_tests
  stage isolation_tests
  stage integration_tests
  stage shell_tests
  stage fuzz_tests
  if [[ "${VALGRIND:-1}" == 1 ]]; then stage valgrind_tests; fi
  if ((FAILED)); then
    printf '\nfailures:\n' >&2
    printf '  %s\n' "${FAILURES[@]}" >&2
  fi
  printf '\nstage times:\n'
  printf '  %s\n' "${STAGE_TIMES[@]}"
  echo
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

main "$@"
