// Reading the audit log back: verifying its hash chain and cutting it.
#pragma once

#include <cstdint>
#include <string>

#include "pg/audit/log_writer.h"

namespace agentauthz::pg {

struct ChainVerdict {
  bool ok = true;
  int64_t rows_checked = 0;
  int64_t first_bad_id = 0;  // 0 when ok
  std::string detail;
};

// Verifies agentauthz.audit_log from its anchor up to the chain's head as
// the current snapshot sees them (rows written later are not looked at):
// every id present, each row's prev_hash the previous row's hash, each
// row's hash its contents', the last row the head.
ChainVerdict verify_audit_chain();

// Removes the rows logged before `before` (a prefix of the chain), after
// verifying them; anchors the chain at the cut and appends a `purged`
// record. Returns how many rows were removed.
int64_t purge_audit_before(TimestampTz before);

}  // namespace agentauthz::pg
