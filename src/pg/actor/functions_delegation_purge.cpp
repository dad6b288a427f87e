// SQL entry point purge_delegations: removes the delegation links that
// ended (expired or were revoked) before a cut-off, whole subtrees only, so
// that the links an agent hands on (and the tree limit counts) do not
// accumulate for ever. The audit log names delegations by value (actor,
// principal, purpose, chain ids) and needs none of the rows removed.
#include <string>
#include <vector>

#include "core/audit_record.h"
#include "core/error.h"
#include "pg/audit/log_writer.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"
#include "pg/settings.h"

namespace agentauthz::pg {

namespace {

// Removes every link that is neither live at the cut-off (unexpired and
// unrevoked then) nor an ancestor of such a link: what is left has every
// ancestor it had. $1 is the cut-off. Returns the ids removed and their
// number.
constexpr const char* kPurgeQuery =
    "WITH RECURSIVE kept(id, parent_id) AS ("
    "  SELECT d.id, d.parent_id FROM agentauthz.delegations d"
    "   WHERE d.expires_at OPERATOR(pg_catalog.>=) $1"
    "     AND (d.revoked_at IS NULL OR d.revoked_at OPERATOR(pg_catalog.>=) $1)"
    "  UNION"
    "  SELECT d.id, d.parent_id FROM agentauthz.delegations d"
    "    JOIN kept k ON d.id OPERATOR(pg_catalog.=) k.parent_id), "
    "gone AS ("
    "  DELETE FROM agentauthz.delegations d"
    "   WHERE NOT EXISTS (SELECT FROM kept k WHERE k.id OPERATOR(pg_catalog.=) d.id)"
    "  RETURNING d.id) "
    "SELECT pg_catalog.array_agg(gone.id), pg_catalog.count(*) FROM gone";

// A link whose parent was just removed: one handed on from that parent by
// a transaction that committed while the purge ran (subdelegate locks the
// parent's row, so the purge waited for it).
constexpr const char* kOrphanQuery =
    "SELECT c.id FROM agentauthz.delegations c "
    "WHERE c.parent_id OPERATOR(pg_catalog.=) ANY ($1) LIMIT 1";

// The cut-off an explicit ended_before gives: not in the future, where a
// link that has not ended yet would pass for one that has.
TimestampTz checked_cutoff(TimestampTz ended_before) {
  TimestampTz now = 0;
  pg_guard([&] { now = GetCurrentTimestamp(); });
  if (ended_before > now)
    throw core::Error(core::ErrorKind::InvalidArgument, "ended_before must not be in the future",
                      "Only links that have ended (expired or were revoked) are purged.");
  return ended_before;
}

// The default cut-off: now, less agentauthz.delegation_retention.
TimestampTz retention_cutoff() {
  TimestampTz now = 0;
  pg_guard([&] { now = GetCurrentTimestamp(); });
  return now - static_cast<TimestampTz>(delegation_retention_setting) * USECS_PER_MINUTE;
}

// Deletes the links that ended before `cutoff`, with the extension owner's
// rights; returns how many. Raises 40001 when a link was handed on from one
// of them meanwhile (the purge would leave it without its parent).
int64 delete_ended_links(TimestampTz cutoff) {
  int64 removed = 0;
  int64 orphan = 0;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {TIMESTAMPTZOID};
    Datum values[1] = {TimestampTzGetDatum(cutoff)};
    int rc = SPI_execute_with_args(kPurgeQuery, 1, types, values, nullptr, false, 1);
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
      elog(ERROR, "could not purge delegations: %s", SPI_result_code_string(rc));
    bool ids_null;
    bool count_null;
    Datum ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &ids_null);
    removed =
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &count_null));
    if (ids_null) return;
    // Under the latest snapshot: links committed since the purge's own
    // snapshot was taken, while it waited for their parents' row locks.
    Oid orphan_types[1] = {INT8ARRAYOID};
    Datum orphan_values[1] = {ids};
    SPIPlanPtr plan = SPI_prepare(kOrphanQuery, 1, orphan_types);
    if (plan == nullptr)
      elog(ERROR, "could not plan the purge's check: %s", SPI_result_code_string(SPI_result));
    rc = SPI_execute_snapshot(plan, orphan_values, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                              true, false, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not check the purge: %s", SPI_result_code_string(rc));
    if (SPI_processed == 1) {
      bool isnull;
      orphan =
          DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    }
  });
  if (orphan != 0) {
    std::string message = "could not purge delegations: delegation " + std::to_string(orphan) +
                          " was handed on from a link being purged";
    pg_guard([&] {
      ereport(ERROR,
              (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE), errmsg("%s", message.c_str()),
               errdetail("Nothing was purged."), errhint("Call purge_delegations() again.")));
    });
  }
  return removed;
}

// Appends a `purged` record (object type `delegation`) saying how many
// links went, so that the log shows when links it names stopped existing.
void record_purge(int64 removed, TimestampTz cutoff) {
  append_purge_record(removed, "delegation",
                      std::to_string(removed) + " delegation links that ended before " +
                          core::iso8601_utc(cutoff) + " were purged");
}

}  // namespace

}  // namespace agentauthz::pg

AGENTAUTHZ_SQL_FUNCTION(agentauthz_purge_delegations) {
  using namespace agentauthz::pg;
  require_admin("purge_delegations", "Only agentauthz_admin may purge delegations.");
  TimestampTz cutoff =
      PG_ARGISNULL(0) ? retention_cutoff() : checked_cutoff(PG_GETARG_TIMESTAMPTZ(0));
  int64 removed = delete_ended_links(cutoff);
  if (removed > 0) record_purge(removed, cutoff);
  PG_RETURN_INT64(removed);
}
