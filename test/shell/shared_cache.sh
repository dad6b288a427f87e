#!/usr/bin/env bash
# The shared cache under pressure and around the extension's life: a
# 1 MB cache filled many times over (the oldest entries make room, every
# answer stays the indexes'), a lookup too large to store, two databases
# with the same names, DROP and CREATE EXTENSION, a database dropped and
# created again with the same oid from the same template, a backend terminated
# while it fills the cache, one killed outright (the server restarts its
# shared memory), and a server with the cache turned off.
# Starts (and always stops) its own clusters; needs the extension installed.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CLUSTER_PREFIX=shared
source "$(dirname "$0")/lib/clusters.sh"

new_cluster 1 agentauthz.shared_cache_size=1MB
qd() { local db=$1; shift; q -h "$DIR" -p "$PORT" -U postgres -d "$db" "$@"; }
# install_extension DB: the extension and its model (documents in folders).
install_extension() {
  qd "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION agentauthz" \
     -c "SELECT agentauthz.write_model(E'model\n  schema 1.1\ntype user\ntype folder\n  relations\n    define viewer: [user]\ntype document\n  relations\n    define parent: [folder]\n    define viewer: [user] or viewer from parent')" >/dev/null
}
for db in one two; do
  qd postgres -c "CREATE DATABASE $db"
  install_extension "$db"
  qd "$db" -v db="$db" >/dev/null <<'SQL'
-- In "one" user:u<i % 50> views document i; in "two" user:u<(i + 1) % 50>.
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'document:' || i, 'viewer', 'user:u' || ((i + CASE :'db' WHEN 'one' THEN 0 ELSE 1 END) % 50)
  FROM generate_series(1, 30000) i;
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'document:' || i, 'parent', 'folder:f' || (i % 7) FROM generate_series(1, 30000) i;
-- folder:big has 20,000 viewers: its list is larger than any entry may be.
INSERT INTO agentauthz.tuples (object, relation, subject)
SELECT 'folder:big', 'viewer', 'user:v' || i FROM generate_series(1, 20000) i;
INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ('document:0', 'parent', 'folder:big');
SQL
done

# The answers to N checks over documents 1..N, from a new session.
answers="SELECT md5(string_agg(agentauthz.check('user:u' || (d % 50), 'viewer', 'document:' || d)::text, ','
                               ORDER BY d)) FROM generate_series(1, 30000) d"
# The last 1,000 of them: what a 1 MB cache still holds after the 30,000.
recent="SELECT md5(string_agg(agentauthz.check('user:u' || (d % 50), 'viewer', 'document:' || d)::text, ','
                              ORDER BY d)) FROM generate_series(29001, 30000) d"
truth_one=$(qd one -c "SET agentauthz.shared_cache = off" -c "$answers" | tail -1)
truth_recent=$(qd one -c "SET agentauthz.shared_cache = off" -c "$recent" | tail -1)
truth_two=$(qd two -c "SET agentauthz.shared_cache = off" -c "$answers" | tail -1)
stats="SELECT entries_written, bytes_written, hits FROM agentauthz.shared_cache_stats()"

# 1. Filled many times over: 30,000 documents' entries are several MB.
# The oldest were overwritten (read again from the indexes), the newest
# answer a new session.
first=$(qd one -c "$answers")
second=$(qd one -c "$answers")
out=$(qd one -c "$recent" -c "$stats" | paste -sd' ')
read -r third stat <<<"$out"
IFS='|' read -r entries bytes hits <<<"$stat"
if [[ "$first" == "$truth_one" && "$second" == "$truth_one" && "$third" == "$truth_recent" &&
      "$bytes" -gt $((3 << 20)) && "$hits" -gt 500 ]]; then
  pass "eviction: $entries entries, $bytes bytes through a 1 MB cache, the newest $hits hits, every answer the indexes'"
else
  fail "eviction: expected the indexes' answers with hits after $bytes bytes, got $first / $second / $third ($stat)"
fi

# 2. A lookup too large to store: still answered, from the indexes.
big="SELECT agentauthz.check('user:v19999', 'viewer', 'document:0'), agentauthz.check('user:v20001', 'viewer', 'document:0')"
out=$(qd one -c "$big" | paste -sd' ')
out2=$(qd one -c "$big" | paste -sd' ')
if [[ "$out" == "t|f" && "$out2" == "t|f" ]]; then
  pass "overflow: a 20,000-subject list is answered without being stored"
else
  fail "overflow: expected t|f twice, got '$out' and '$out2'"
fi

# 3. Two databases with the same names and different tuples.
qd one -c "$answers" >/dev/null
qd two -c "$answers" >/dev/null
a1=$(qd one -c "$answers")
a2=$(qd two -c "$answers")
if [[ "$a1" == "$truth_one" && "$a2" == "$truth_two" && "$truth_one" != "$truth_two" ]]; then
  pass "databases: each answers from its own tuples"
else
  fail "databases: expected $truth_one and $truth_two, got $a1 and $a2"
fi

# 4. DROP and CREATE EXTENSION: the new extension's tuples, not the old one's entries.
check_doc1="SELECT agentauthz.check('user:u1', 'viewer', 'document:1')"
before=$(qd one -c "$check_doc1")
qd one -c "SET client_min_messages = warning" -c "DROP EXTENSION agentauthz CASCADE" >/dev/null
install_extension one
after=$(qd one -c "$check_doc1")
qd one -c "SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:u1')" >/dev/null
again=$(qd one -c "$check_doc1")
if [[ "$before" == t && "$after" == f && "$again" == t ]]; then
  pass "DROP and CREATE EXTENSION: the old entries answer nothing"
else
  fail "DROP and CREATE EXTENSION: expected t f t, got $before $after $again"
fi

# 4b. A database dropped and created again under the same oid, from the same
# template (so its tuples table has the same oid too): the old database's
# entries answer nothing in the new one.
qd postgres -c "CREATE DATABASE sc_template"
install_extension sc_template
qd postgres -c "CREATE DATABASE sc_a OID 40000 TEMPLATE sc_template"
qd sc_a -c "SELECT agentauthz.write_tuple('document:secret', 'viewer', 'user:eve')" >/dev/null
secret="SELECT agentauthz.check('user:eve', 'viewer', 'document:secret')"
first=$(qd sc_a -c "$secret")
qd postgres -c "DROP DATABASE sc_a" -c "CREATE DATABASE sc_b OID 40000 TEMPLATE sc_template"
out=$(qd sc_b -c "$secret" -c "SELECT count(*) FROM agentauthz.tuples" | paste -sd' ')
if [[ "$first" == t && "$out" == "f 0" ]]; then
  pass "database oid reused: the dropped database's entries answer nothing"
else
  fail "database oid reused: expected t then 'f 0', got $first then '$out'"
fi

# 4c. agentauthz.tuples put under a parent table: DDL on the parent
# reaches it without naming it (a rewrite of its rows, triggers replaced
# by clones of the parent's). While it has a parent nothing counts as
# marked, and the DDL on the parent marks its transaction.
qd postgres -c "CREATE DATABASE sc_part TEMPLATE sc_template"
anne="SELECT agentauthz.check('user:anne', 'viewer', 'document:1')"
bob="SELECT agentauthz.check('user:bob', 'viewer', 'document:1')"
qd sc_part -c "SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne')" >/dev/null
before=$(qd sc_part -c "$anne")
qd sc_part -c "$anne" >/dev/null
qd sc_part >/dev/null <<'SQL'
CREATE TABLE public.pp (LIKE agentauthz.tuples) PARTITION BY LIST (relation);
ALTER TABLE public.pp ATTACH PARTITION agentauthz.tuples DEFAULT;
ALTER TABLE public.pp ALTER COLUMN subject TYPE text COLLATE "C" USING replace(subject, 'anne', 'bob');
SQL
out=$(qd sc_part -c "$anne" -c "$bob" -c "SELECT writes_marked FROM agentauthz.cache_stats()" | paste -sd' ')
if [[ "$before" == t && "$out" == "f t f" ]]; then
  pass "a parent table's rewrite of tuples: answered as rewritten, nothing counted as marked under a parent"
else
  fail "a parent table's rewrite of tuples: expected t then 'f t f', got $before then '$out'"
fi

# 5. A backend terminated while it fills the cache; others answer right.
qd two -c "SELECT agentauthz.write_tuple('document:9', 'viewer', 'user:u9')" >/dev/null  # entries start over
truth_two=$(qd two -c "SET agentauthz.shared_cache = off" -c "$answers" | tail -1)
qd two -c "SELECT count(*) FROM (SELECT agentauthz.check('user:u' || (d % 50), 'viewer', 'document:' || d)
                                   FROM generate_series(1, 30000) d, generate_series(1, 200)) x" >/dev/null 2>&1 &
filler=$!
sleep 1
qd two -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%generate_series(1, 200)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$filler" 2>/dev/null || true
a2=$(qd two -c "$answers")
a3=$(qd two -c "$answers")
if [[ "$a2" == "$truth_two" && "$a3" == "$truth_two" ]]; then
  pass "terminated filler: the next sessions answer as the indexes do"
else
  fail "terminated filler: expected $truth_two, got $a2 and $a3"
fi

# 6. A backend killed outright: the server restarts, and with it the cache.
qd two -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
sleeper=$!
sleeping() { [[ -n $(qd two -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'") ]]; }
wait_for 30 sleeping || { fail "killed backend: the session did not start"; exit 1; }
kill -9 "$(qd two -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")"
wait "$sleeper" 2>/dev/null || true
ready() { qd two -c "SELECT 1" >/dev/null 2>&1; }
wait_for 60 ready || { fail "killed backend: the server did not come back"; exit 1; }
a4=$(qd two -c "$answers")
out=$(qd two -c "$recent" -c "SELECT hits > 500 FROM agentauthz.shared_cache_stats()" | paste -sd' ')
truth_recent=$(qd two -c "SET agentauthz.shared_cache = off" -c "$recent" | tail -1)
if [[ "$a4" == "$truth_two" && "$out" == "$truth_recent t" ]]; then
  pass "killed backend: after the restart the cache fills and answers again"
else
  fail "killed backend: expected $truth_two and hits, got $a4 / $out"
fi

# 7. Turned off for the server: no shared memory, the same answers.
new_cluster 1 agentauthz.shared_cache_size=0
qd postgres -c "CREATE DATABASE one"
install_extension one
qd one -c "SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:u1')" >/dev/null
out=$(qd one -c "$check_doc1" -c "$check_doc1" -c "SELECT size_bytes, hits FROM agentauthz.shared_cache_stats()" | paste -sd' ')
if [[ "$out" == "t t 0|0" ]]; then
  pass "agentauthz.shared_cache_size = 0: no shared memory, checks answered"
else
  fail "agentauthz.shared_cache_size = 0: expected 't t 0|0', got '$out'"
fi

echo "shared cache: $PASSED checks passed, $FAILED failed in $(($(date +%s) - STARTED)) s"
((FAILED == 0))
