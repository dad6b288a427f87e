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
#include "pg/pg_headers.h"

namespace agentauthz::pg {

using ChainHash = std::array<uint8, 32>;

// The hash that follows `previous` for `record` (whose id is set).
ChainHash chain_hash(const ChainHash& previous, const core::AuditRecord& record);

// Appends the records in order inside the current transaction, assigning
// their ids; runs as the bootstrap superuser whoever the caller is.
void append_to_audit_log(std::vector<core::AuditRecord>& records);

// Writes each record to the server log as `agentauthz audit: {json}`, the
// JSON's "logged_because" saying why (a hot standby, a rolled-back or
// read-only transaction without the shared queue, a failed write).
void log_audit_records(const std::vector<core::AuditRecord>& records, const char* why);

}  // namespace agentauthz::pg
