// SQL entry points of the engine's caches: the trigger that marks writers
// of the engine's tables, cache_stats() and shared_cache_stats().
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/common/sql_args.h"
#include "pg/engine/key_versions.h"
#include "pg/engine/shared_cache.h"
#include "pg/engine/visible_state.h"
#include "pg/engine/writer_marks.h"
#include "pg/tuples/tuple_columns.h"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_authid.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "utils/acl.h"
}

namespace agentauthz::pg {
namespace {

// The object and subject of a row of agentauthz.tuples (empty when NULL:
// the NOT NULL constraints refuse the row).
void row_names(HeapTuple row, TupleDesc desc, std::string_view* object, std::string_view* subject) {
  auto column = [&](AttrNumber attno) {
    bool isnull = false;
    Datum value = heap_getattr(row, attno, desc, &isnull);
    if (isnull) return std::string_view();
    text* t = DatumGetTextPP(value);
    return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  };
  *object = column(kObjectAttr);
  *subject = column(kSubjectAttr);
}

// Makes the shared cache's entries about the rows' objects and subjects
// stale (every entry, for a TRUNCATE), before the rows change.
void note_tuples_write(TriggerData* trigger) {
  if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) {
    key_versions::note_unkeyed_write();
    return;
  }
  TupleDesc desc = RelationGetDescr(trigger->tg_relation);
  std::string_view object;
  std::string_view subject;
  row_names(trigger->tg_trigtuple, desc, &object, &subject);
  key_versions::note_tuple_write(object, subject);
  if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
    row_names(trigger->tg_newtuple, desc, &object, &subject);
    key_versions::note_tuple_write(object, subject);
  }
}

}  // namespace
}  // namespace agentauthz::pg

// Trigger function on the tables the engine reads, BEFORE each row and
// each TRUNCATE (ALWAYS): marks the writing transaction; on
// agentauthz.tuples, notes which objects and subjects it writes.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_note_write) {
  using namespace agentauthz::pg;
  TriggerData* trigger = nullptr;
  pg_guard([&] {
    if (!CALLED_AS_TRIGGER(fcinfo))
      ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                      errmsg("note_write must be called as a trigger")));
    trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    // Anywhere else it would only make other backends start over.
    if (RelationGetNamespace(trigger->tg_relation) != catalog().schema)
      ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                      errmsg("note_write fires only on agentauthz's tables, not on \"%s\"",
                             RelationGetRelationName(trigger->tg_relation))));
    writer_marks::mark_current_transaction();
    if (RelationGetRelid(trigger->tg_relation) == catalog().tuples) note_tuples_write(trigger);
  });
  if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) return PointerGetDatum(nullptr);
  // BEFORE ROW: the row goes on unchanged.
  HeapTuple row =
      TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
  return PointerGetDatum(row);
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_cache_stats) {
  using namespace agentauthz::pg;
  require_admin("cache_stats", "Only agentauthz_admin may read the caches' statistics.");
  Datum result = 0;
  pg_guard([&] {
    bool marked = writer_marks::available() && !RecoveryInProgress() && catalog().writes_marked;
    Datum values[3] = {Int64GetDatum(static_cast<int64>(view_epoch() - 1)),
                       Int64GetDatum(static_cast<int64>(views_kept())), BoolGetDatum(marked)};
    bool nulls[3] = {false, false, false};
    result = row_datum(fcinfo, values, nulls);
  });
  return result;
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_shared_cache_stats) {
  using namespace agentauthz::pg;
  require_admin("shared_cache_stats", "Only agentauthz_admin may read the caches' statistics.");
  Datum result = 0;
  pg_guard([&] {
    shared_cache::Stats stats = shared_cache::stats();
    // What was written comes from every database of the server: shown to
    // those who may read the server's statistics.
    bool server_wide = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
    Datum values[6] = {Int64GetDatum(static_cast<int64>(stats.size_bytes)),
                       Int64GetDatum(static_cast<int64>(stats.entries)),
                       Int64GetDatum(static_cast<int64>(stats.items_written)),
                       Int64GetDatum(static_cast<int64>(stats.bytes_written)),
                       Int64GetDatum(static_cast<int64>(stats.hits)),
                       Int64GetDatum(static_cast<int64>(stats.misses))};
    bool nulls[6] = {false, !server_wide, !server_wide, !server_wide, false, false};
    result = row_datum(fcinfo, values, nulls);
  });
  return result;
}
