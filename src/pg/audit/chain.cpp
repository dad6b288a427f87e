#include "pg/audit/chain.h"

#include <vector>

#include "core/error.h"
#include "pg/audit/row.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"

namespace agentauthz::pg {

namespace {

constexpr const char* kRowsQuery =
    "SELECT id, logged_at, kind, db_role, backend_pid, actor, principal, delegation_chain, "
    "purpose, "
    "query_id, query_hash, relation, object_type, object_id, decision, allowed_count, "
    "denied_count, "
    "allowed_sample, denied_sample, detail, prev_hash, row_hash FROM agentauthz.audit_log "
    "WHERE id OPERATOR(pg_catalog.>) $1 AND id OPERATOR(pg_catalog.<=) $2 ORDER BY id";

// Walks rows (from_id, to_id] from `from_hash`; the verdict names the first
// row that breaks the chain. read_only: use the calling statement's snapshot.
ChainVerdict walk(int64 from_id, const ChainHash& from_hash, int64 to_id, bool read_only,
                  ChainHash* last_hash) {
  ChainVerdict verdict;
  int64 expected_id = from_id + 1;
  ChainHash previous = from_hash;
  Portal cursor = nullptr;
  pg_guard([&] {
    Oid types[2] = {INT8OID, INT8OID};
    Datum values[2] = {Int64GetDatum(from_id), Int64GetDatum(to_id)};
    cursor =
        SPI_cursor_open_with_args(nullptr, kRowsQuery, 2, types, values, nullptr, read_only, 0);
  });
  StoredRow stored;
  ChainHasher hasher;
  for (bool more = true; more && verdict.ok;) {
    uint64 fetched = 0;
    pg_guard([&] {
      SPI_cursor_fetch(cursor, true, 1000);
      fetched = SPI_processed;
      if (fetched > 0) check_audit_row_types(SPI_tuptable->tupdesc);
    });
    if (fetched == 0) break;
    for (uint64 i = 0; i < fetched && verdict.ok; ++i) {
      pg_guard([&] { read_audit_row(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, &stored); });
      int64 id = stored.record.id;
      if (id != expected_id) {
        verdict = {false, verdict.rows_checked, expected_id,
                   "row " + std::to_string(expected_id) +
                       (id > expected_id ? " is missing (deleted)" : " is out of order")};
      } else if (!stored.hashes_ok || !stored.kind_ok) {
        verdict = {false, verdict.rows_checked, id,
                   "row " + std::to_string(id) + " has a malformed kind or hash"};
      } else if (stored.odd_column != nullptr) {
        verdict = {false, verdict.rows_checked, id,
                   "row " + std::to_string(id) + " was edited: its " + stored.odd_column +
                       " is stored in a form the extension never writes"};
      } else if (stored.prev != previous) {
        verdict = {false, verdict.rows_checked, id,
                   "row " + std::to_string(id) +
                       " does not follow the row before it (a row was inserted, or the one before "
                       "deleted)"};
      } else if (hasher.next(previous, stored.record) != stored.hash) {
        verdict = {false, verdict.rows_checked, id,
                   "row " + std::to_string(id) + " was edited: its contents do not match its hash"};
      } else {
        previous = stored.hash;
        ++expected_id;
        ++verdict.rows_checked;
      }
    }
    pg_guard([] { SPI_freetuptable(SPI_tuptable); });
  }
  pg_guard([&] { SPI_cursor_close(cursor); });
  if (verdict.ok && expected_id <= to_id) {
    verdict = {false, verdict.rows_checked, expected_id,
               "row " + std::to_string(expected_id) + " is missing (deleted)"};
  }
  *last_hash = previous;
  return verdict;
}

}  // namespace

ChainVerdict verify_audit_chain() {
  ChainVerdict verdict;
  // The caller's rights (auditors read the log), the search_path pinned.
  SqlScope scope(Rights::Caller);
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  });
  // Without a head, nothing was ever written: the chain is empty.
  ChainPoint point = read_chain_point(false);
  ChainHash last{};
  verdict = walk(point.anchor_id, point.anchor_hash, point.last_id, true, &last);
  if (verdict.ok && last != point.last_hash) {
    verdict = {false, verdict.rows_checked, point.last_id,
               "row " + std::to_string(point.last_id) + " is not the chain's recorded head"};
  }
  if (verdict.ok) {
    // Rows past the head that the snapshot already sees were not written by the extension.
    int64 beyond = 0;
    pg_guard([&] {
      Oid types[2] = {INT8OID, INT8OID};
      Datum values[2] = {Int64GetDatum(point.last_id), Int64GetDatum(point.anchor_id)};
      SPI_execute_with_args(
          "SELECT pg_catalog.min(id) FROM agentauthz.audit_log "
          "WHERE id OPERATOR(pg_catalog.>) $1 OR id OPERATOR(pg_catalog.<=) $2",
          2, types, values, nullptr, true, 1);
      bool isnull;
      Datum found = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
      if (!isnull) beyond = DatumGetInt64(found);
    });
    if (beyond != 0)
      verdict = {false, verdict.rows_checked, beyond,
                 "row " + std::to_string(beyond) + " lies outside the chain (inserted)"};
  }
  if (verdict.ok)
    verdict.detail = "the chain verifies from row " + std::to_string(point.anchor_id + 1) +
                     " to row " + std::to_string(point.last_id);
  pg_guard([] { SPI_finish(); });
  return verdict;
}

int64_t purge_audit_before(TimestampTz before) {
  ChainPoint point;
  int64 cut = 0;
  int64 removed = 0;
  {
    // The log is the owner's to change: an admin purges through this
    // function only, in a security-restricted scope, every operator qualified.
    SqlScope scope(Rights::Owner);
    pg_guard([] {
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    point = read_chain_point(true);
    if (point.exists) {
      pg_guard([&] {
        Oid types[1] = {TIMESTAMPTZOID};
        Datum values[1] = {TimestampTzGetDatum(before)};
        SPI_execute_with_args(
            "SELECT pg_catalog.min(id) FROM agentauthz.audit_log "
            "WHERE logged_at OPERATOR(pg_catalog.>=) $1",
            1, types, values, nullptr, false, 1);
        bool isnull;
        Datum first_kept = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        cut = isnull ? point.last_id : DatumGetInt64(first_kept) - 1;
      });
    }
    if (cut > point.anchor_id) {
      ChainHash cut_hash{};
      ChainVerdict verdict = walk(point.anchor_id, point.anchor_hash, cut, false, &cut_hash);
      if (!verdict.ok) {
        std::string message = "the audit log does not verify: " + verdict.detail;
        pg_guard([&] {
          ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("%s", message.c_str()),
                          errdetail("Nothing was purged; verify_audit() reports the same.")));
        });
      }
      pg_guard([&] {
        Oid range_types[2] = {INT8OID, INT8OID};
        Datum range[2] = {Int64GetDatum(cut), Int64GetDatum(point.anchor_id)};
        SPI_execute_with_args(
            "DELETE FROM agentauthz.audit_log "
            "WHERE id OPERATOR(pg_catalog.<=) $1 AND id OPERATOR(pg_catalog.>) $2",
            2, range_types, range, nullptr, false, 0);
        removed = static_cast<int64>(SPI_processed);
        Oid anchor_types[2] = {INT8OID, BYTEAOID};
        Datum anchor[2] = {Int64GetDatum(cut), bytea_datum(cut_hash.data(), cut_hash.size())};
        SPI_execute_with_args("UPDATE agentauthz.audit_chain SET anchor_id = $1, anchor_hash = $2",
                              2, anchor_types, anchor, nullptr, false, 0);
      });
    }
    pg_guard([] { SPI_finish(); });
  }
  if (removed > 0) {
    core::AuditRecord record;
    record.kind = core::AuditKind::Purged;
    const char* role = nullptr;
    pg_guard([&] {
      record.logged_at = GetCurrentTimestamp();
      role = GetUserNameFromId(GetUserId(), true);
    });
    if (role) record.db_role = role;
    record.backend_pid = MyProcPid;
    record.allowed_count = removed;
    record.detail = "rows " + std::to_string(point.anchor_id + 1) + " to " + std::to_string(cut) +
                    " were purged; the chain is anchored at row " + std::to_string(cut);
    std::vector<core::AuditRecord> records{record};
    append_to_audit_log(records);
  }
  return removed;
}

}  // namespace agentauthz::pg
