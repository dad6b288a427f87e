// Appends audit records to agentauthz.audit_log, continuing its hash chain:
// each row's hash is SHA-256(previous row's hash || the row's canonical
// bytes), the chain's head kept in agentauthz.audit_chain under a row lock
// so that writers take turns. Used by the audit worker and, without the
// shared queue, by a backend at commit.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/audit_record.h"
#include "pg/common/pg_headers.h"

extern "C" {
#include "common/cryptohash.h"
}

namespace agentauthz::pg {

using ChainHash = std::array<uint8, 32>;

// Computes the hashes of a chain's rows, one after another, with one
// SHA-256 context.
class ChainHasher {
 public:
  ChainHasher();
  ~ChainHasher();
  ChainHasher(const ChainHasher&) = delete;
  ChainHasher& operator=(const ChainHasher&) = delete;
  // The hash that follows `previous` for `record` (whose id is set).
  ChainHash next(const ChainHash& previous, const core::AuditRecord& record);

 private:
  pg_cryptohash_ctx* context_ = nullptr;
  std::string bytes_;
};

// The chain's ends as agentauthz.audit_chain holds them: rows up to
// anchor_id were purged, last_id is the newest row.
struct ChainPoint {
  int64 anchor_id = 0;
  ChainHash anchor_hash{};
  int64 last_id = 0;
  ChainHash last_hash{};
  bool exists = false;  // false: nothing was ever written
};

// Copies a stored hash; false when it is not 32 bytes.
bool hash_from_bytea(Datum datum, ChainHash* out);

// Reads the chain's ends through SPI (connected by the caller), locking
// them when `lock`; otherwise under the calling statement's snapshot.
// Raises XX001 when a stored hash is malformed.
ChainPoint read_chain_point(bool lock);
// Whether the current transaction has locked the chain's head (appended to
// the log, or purged it): such a transaction must not be prepared.
bool chain_locked_in_transaction();

// Appends the records in order inside the current transaction, assigning
// their ids; runs as the extension owner (pg/common/privileged.h) whoever the caller is.
void append_to_audit_log(std::vector<core::AuditRecord>& records);

// Writes each record to the server log as `agentauthz audit: {json}`, the
// JSON's "logged_because" saying why (a hot standby, a rolled-back or
// read-only transaction without the shared queue, a failed write).
void log_audit_records(const std::vector<core::AuditRecord>& records, const char* why);

}  // namespace agentauthz::pg
