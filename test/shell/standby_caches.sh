#!/usr/bin/env bash
# What a backend keeps between statements on a hot standby, where no
# trigger runs and nothing marks the primary's writers: one session keeps
# answering while the primary writes and deletes tuples, writes a model and
# commits unrelated rows, and each of its statements after a replayed
# commit answers as the data now replayed says (any change of snapshot
# starts its caches over there). On the primary the same session shape
# keeps its caches across the unrelated commits; the shared cache answers a
# new session there, and none on the standby.
# Starts (and always stops) its own clusters; needs the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CLUSTER_PREFIX=standby
source "$(dirname "$0")/lib/clusters.sh"

new_cluster 1 wal_level=replica
P_DIR=$DIR
P_PORT=$PORT
qp() { q -h "$P_DIR" -p "$P_PORT" -U postgres -d kept "$@"; }
q -h "$P_DIR" -p "$P_PORT" -U postgres -d postgres -c "CREATE DATABASE kept"
qp >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION agentauthz;
SELECT agentauthz.write_model($$model
  schema 1.1
type user
type document
  relations
    define viewer: [user]
$$);
SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne');
CREATE TABLE orders (id serial PRIMARY KEY, item text);
SQL

new_standby "$P_DIR" "$P_PORT"
qs() { q -h "$S_DIR" -p "$S_PORT" -U postgres -d kept "$@"; }
replayed() { [[ $(qs -c "SELECT count(*) FROM agentauthz.tuples" 2>/dev/null) == 1 ]]; }
wait_for 30 replayed || { fail "standby: the tuple was not replayed within 30 s"; exit 1; }

# One standby session; between its statements the primary writes (psql's
# \! runs the writer and waits until the standby has replayed it).
primary="$PG_BIN/psql -X -q -At -h $P_DIR -p $P_PORT -U postgres -d kept"
replay="$PG_BIN/psql -X -q -At -h $S_DIR -p $S_PORT -U postgres -d kept"
until_replayed() {  # SQL on the standby that must return t once replayed
  echo "\\! for i in \$(seq 300); do [ \"\$($replay -c \"$1\")\" = t ] && break; sleep 0.1; done"
}
answers="SELECT string_agg(agentauthz.check('user:anne', 'viewer', 'document:' || d)::text, ',' ORDER BY d)
           FROM generate_series(1, 3) d;"
out=$(qs <<SQL
$answers
\\! $primary -c "SELECT agentauthz.write_tuple('document:2', 'viewer', 'user:anne')" >/dev/null
$(until_replayed "SELECT count(*) = 2 FROM agentauthz.tuples")
$answers
\\! $primary -c "INSERT INTO orders (item) VALUES ('paper')"
$(until_replayed "SELECT count(*) = 1 FROM orders")
$answers
\\! $primary -c "SELECT agentauthz.delete_tuple('document:1', 'viewer', 'user:anne')" >/dev/null
$(until_replayed "SELECT count(*) = 1 FROM agentauthz.tuples")
$answers
\\! $primary -c "SELECT agentauthz.write_model(E'model\\n  schema 1.1\\ntype user\\ntype document\\n  relations\\n    define viewer: [user]\\n    define owner: [user]')" >/dev/null
$(until_replayed "SELECT count(*) = 2 FROM agentauthz.models")
SELECT agentauthz.check('user:anne', 'owner', 'document:2');
SELECT writes_marked FROM agentauthz.cache_stats();
SQL
)
# document:1 is anne's from the start.
expected="true,false,false true,true,false true,true,false false,true,false f f"
if [[ "$(one_line "$out")" == "$expected " || "$(one_line "$out")" == "$expected" ]]; then
  pass "standby: each statement after a replayed write answers as replayed, the new model's relation known, nothing marked there"
else
  fail "standby: expected '$expected', got '$(one_line "$out")'"
fi

# The primary, for contrast: an unrelated commit keeps the session's view,
# a tuple write ends it.
out=$(qp <<SQL
$answers
SELECT views FROM agentauthz.cache_stats();
\\! $primary -c "INSERT INTO orders (item) VALUES ('ink')"
$answers
SELECT views FROM agentauthz.cache_stats();
\\! $primary -c "SELECT agentauthz.write_tuple('document:3', 'viewer', 'user:anne')" >/dev/null
$answers
SELECT views, writes_marked FROM agentauthz.cache_stats();
SQL
)
read -r a1 v1 a2 v2 a3 v3 <<<"$(one_line "$out")"
if [[ "$a1" == false,true,false && "$a2" == "$a1" && "$v2" == "$v1" && "$a3" == false,true,true &&
      "$v3" == "$((v1 + 1))|t" ]]; then
  pass "primary: the unrelated commit kept the view ($v1 views), the tuple write ended it"
else
  fail "primary: expected false,true,false twice on one view, then false,true,true on the next, got '$(one_line "$out")'"
fi

# The shared cache: used across sessions on the primary, never on the
# standby (nothing marks writers there).
shared_hits() {  # shared_hits PSQL-FUNCTION: a new session's hits after another filled the cache
  "$1" -c "SELECT count(*) FILTER (WHERE agentauthz.check('user:anne', 'viewer', 'document:' || d)) FROM generate_series(1, 3) d" >/dev/null
  "$1" -c "SELECT count(*) FILTER (WHERE agentauthz.check('user:anne', 'viewer', 'document:' || d)) FROM generate_series(1, 3) d" \
       -c "SELECT hits FROM agentauthz.shared_cache_stats()" | tail -1
}
p_hits=$(shared_hits qp)
s_hits=$(shared_hits qs)
if [[ "$p_hits" -gt 0 && "$s_hits" == 0 ]]; then
  pass "shared cache: a new session on the primary read $p_hits lookups from it, none on the standby"
else
  fail "shared cache: expected hits on the primary and none on the standby, got $p_hits and $s_hits"
fi

echo "standby caches: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
