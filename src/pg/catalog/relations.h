// The OIDs of the extension's relations, looked up by name when first needed
// and forgotten whenever PostgreSQL invalidates one of them (DROP EXTENSION,
// TRUNCATE, ALTER ...), so the extension can be dropped and created again in
// a running backend.
#pragma once

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

struct Catalog {
  Oid schema = InvalidOid;
  Oid tuples = InvalidOid;
  Oid tuples_pkey = InvalidOid;      // (object, relation, subject)
  Oid tuples_subject = InvalidOid;   // (subject, relation, object)
  Oid tuples_usersets = InvalidOid;  // (object, relation, subject) WHERE subject is a userset
  Oid models = InvalidOid;
  Oid models_pkey = InvalidOid;  // (id)
  Oid agents = InvalidOid;
  Oid agents_pkey = InvalidOid;  // (role_name)
  Oid delegations = InvalidOid;
  Oid delegations_pkey = InvalidOid;  // (id)
  Oid protected_tables = InvalidOid;
  Oid synced_columns = InvalidOid;
  Oid extension_owner = InvalidOid;  // whose rights privileged code runs with
  // The tables' note_write triggers are installed (0.6) and fire always:
  // their writers mark themselves (pg/engine/writer_marks.h).
  bool writes_marked = false;
  uint64 generation = 0;  // bumped on every invalidation
};

// Returns the catalog, looking it up if needed; raises an ERROR when the
// extension is not installed in this database. Call from C (not C++) frames
// or inside pg_guard.
const Catalog& catalog();
// Raises ERROR unless the first columns of `rel` (one of the extension's
// tables) are `names`, in order: rows are read by column number.
void check_columns(Relation rel, const char* const* names, int count);
// Returns the current generation without looking anything up.
uint64 catalog_generation();
// Generation of agents and delegations as this backend has been told of
// them: bumped by every invalidation of either table (their writes send
// one, see agentauthz_actors_changed). A validated actor holds while it
// stays the same.
uint64 actor_tables_generation();

// Registers the invalidation callbacks; called once from _PG_init.
void register_catalog_callbacks();

}  // namespace agentauthz::pg
