// SQL entry points of the audit: verify_audit, purge_audit, audit_flush
// and audit_stats.
#include <string>
#include <vector>

#include "core/error.h"
#include "pg/audit/audit.h"
#include "pg/audit/chain.h"
#include "pg/audit/queue.h"
#include "pg/common/guard.h"
#include "pg/common/sql_args.h"

extern "C" {
#include "commands/dbcommands.h"
}

namespace agentauthz::pg {

namespace {

// purge_audit is for agentauthz_admin (and superusers) only.
void require_admin() {
  if (!current_role_is_one_of({"agentauthz_admin"}))
    throw core::Error(core::ErrorKind::Forbidden, "permission denied to purge the audit log",
                      "Only agentauthz_admin may purge it.");
}

}  // namespace

}  // namespace agentauthz::pg

// Returns verify_audit_chain()'s verdict as a row.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_verify_audit) {
  using namespace agentauthz::pg;
  ChainVerdict verdict = verify_audit_chain();
  Datum result = 0;
  pg_guard([&] {
    Datum values[4] = {BoolGetDatum(verdict.ok), Int64GetDatum(verdict.rows_checked),
                       Int64GetDatum(verdict.first_bad_id), text_datum(verdict.detail)};
    bool nulls[4] = {false, false, verdict.ok, false};
    result = row_datum(fcinfo, values, nulls);
  });
  return result;
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_purge_audit) {
  using namespace agentauthz::pg;
  require_arguments(fcinfo, {"before"});
  require_admin();
  TimestampTz before = PG_GETARG_TIMESTAMPTZ(0);
  PG_RETURN_INT64(purge_audit_before(before));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_audit_flush) {
  using namespace agentauthz::pg;
  int32 timeout_ms = PG_ARGISNULL(0) ? 10000 : PG_GETARG_INT32(0);
  if (timeout_ms < 0)
    throw agentauthz::core::Error(agentauthz::core::ErrorKind::InvalidArgument,
                                  "timeout_ms must not be negative");
  PG_RETURN_BOOL(audit::flush_and_wait(timeout_ms));
}

// Returns one row per audit queue slot in use.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_audit_stats) {
  using namespace agentauthz::pg;
  std::vector<audit_queue::SlotStats> slots = audit_queue::stats();
  pg_guard([&] {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (const audit_queue::SlotStats& s : slots) {
      char* name = get_database_name(s.database);
      if (name == nullptr) continue;  // a dropped database's queue, reused when needed
      Datum values[7] = {CStringGetTextDatum(name),     Int32GetDatum(s.worker_pid),
                         Int64GetDatum(s.queued_bytes), Int64GetDatum(s.capacity_bytes),
                         Int64GetDatum(s.enqueued),     Int64GetDatum(s.written),
                         Int64GetDatum(s.dropped)};
      bool nulls[7] = {false, s.worker_pid == 0, false, false, false, false, false};
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
  });
  return (Datum)0;
}
