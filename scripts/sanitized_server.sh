# The extension built with AddressSanitizer and UBSan, installed into a copy
# of PostgreSQL of its own (the normal installation is left as it is), and a
# server that loads it. Sourced by test.sh after lib.sh, not run.
#
# Debian's postgres is not instrumented: the sanitizer runtime is preloaded
# into it (LD_PRELOAD), so the extension's code is checked and the server's
# is not. Backends exit without freeing what they allocated, so leak
# detection is off. Every finding aborts the backend and leaves a report in
# SANITIZER_LOGS (one file per process); sanitizer_findings counts them.

SANITIZE_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# Copies the PostgreSQL that PG_BIN belongs to under $1 (the same paths
# below it, so the copy finds its own libraries and share files) and
# prints the copy's bin directory.
copy_postgres() {
  local root=$1 dir
  for dir in "$("$PG_BIN/pg_config" --bindir)" "$("$PG_BIN/pg_config" --pkglibdir)" \
             "$("$PG_BIN/pg_config" --sharedir)"; do
    mkdir -p "$root$dir"
    cp -a "$dir/." "$root$dir/"
  done
  echo "$root$("$PG_BIN/pg_config" --bindir)"
}

# Builds the extension sanitized in a copy of the sources under $1 (the
# normal build's objects stay where they are) and installs it into the
# PostgreSQL copy rooted at $2.
build_sanitized_extension() {
  local src=$1 root=$2
  mkdir -p "$src"
  cp -r "$REPO_ROOT/Makefile" "$REPO_ROOT/agentauthz.control" "$REPO_ROOT/src" "$src/"
  cp "$REPO_ROOT"/agentauthz--*.sql "$src/"
  find "$src/src" \( -name '*.o' -o -name '*.d' \) -delete
  # CXX compiles every object instrumented; COPT reaches the shared library's link.
  make -C "$src" -s -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" CXX="g++ $SANITIZE_FLAGS" \
      COPT="-fsanitize=address,undefined" >/dev/null
  make -C "$src" -s install PG_CONFIG="$PG_BIN/pg_config" DESTDIR="$root" >/dev/null
}

# Prints the environment (for start_cluster's SERVER_ENV) under which the
# server runs with the sanitizer runtime, reporting into SANITIZER_LOGS.
sanitized_server_env() {
  local runtime
  runtime=$(g++ -print-file-name=libasan.so)
  printf '%s ' "LD_PRELOAD=$runtime" \
    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$SANITIZER_LOGS/asan" \
    "UBSAN_OPTIONS=print_stacktrace=1:abort_on_error=1:log_path=$SANITIZER_LOGS/ubsan"
}

# Prints the sanitizer reports written so far and returns how many there are.
sanitizer_findings() {
  local report count=0
  for report in "$SANITIZER_LOGS"/*; do
    [[ -s "$report" ]] || continue
    count=$((count + 1))
    echo "--- $report" >&2
    head -60 "$report" >&2
  done
  return $count
}
