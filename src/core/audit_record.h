// One audit record and its canonical byte form. The same bytes travel
// through the shared-memory queue and are what the hash chain covers, so a
// record read back from agentauthz.audit_log re-encodes to exactly what was
// hashed when it was written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::core {

enum class AuditKind : uint8_t {
  Check = 1,    // one decision on one object (levels denied and all)
  Summary = 2,  // one statement's decisions on one (relation, type)
  Listing = 3,  // an allowed set listed for a query (allowed_ids)
  Dropped = 4,  // records lost to a full queue, counted
  Purged = 5,   // rows removed by purge_audit; the chain is anchored at the cut
};

std::string_view audit_kind_name(AuditKind kind);
// Returns false for an unknown name.
bool parse_audit_kind(std::string_view name, AuditKind* out);

struct AuditRecord {
  int64_t id = 0;         // assigned by the writer: the position in the chain
  int64_t logged_at = 0;  // PostgreSQL timestamp: microseconds since 2000-01-01 UTC
  AuditKind kind = AuditKind::Check;
  std::string db_role;  // the role that ran the statement
  int32_t backend_pid = 0;
  std::string actor;                      // the agent, or the subject set by an application
  std::string principal;                  // whom the agent acted for (delegations)
  std::vector<int64_t> delegation_chain;  // link ids, root first
  std::string purpose;     // the delegation's purpose (its root link's, the person's)
  int64_t query_id = 0;    // PostgreSQL's query identifier, 0 when not computed
  std::string query_hash;  // hex SHA-256 of the statement text
  std::string relation;
  std::string object_type;
  std::string object_id;  // Check: the object; empty otherwise
  std::string decision;   // Check: "allowed" or "denied"
  int64_t allowed_count = 0;
  int64_t denied_count = 0;
  std::vector<std::string> allowed_sample;
  std::vector<std::string> denied_sample;
  std::string detail;

  bool operator==(const AuditRecord& other) const;
};

// Appends the canonical form of `record` to `out`: a version byte, then
// every field in declaration order, integers as fixed-width little endian,
// strings and arrays length-prefixed.
void encode_audit_record(const AuditRecord& record, std::string* out);
// Decodes one record from the front of `bytes`; returns the bytes it used,
// or 0 when they are not a well-formed record.
size_t decode_audit_record(std::string_view bytes, AuditRecord* out);

// The record as one line of JSON, the audit_log column names as keys and
// logged_at in ISO 8601 UTC: the server-log form used where the table
// cannot be written (a hot standby); `logged_because`, when given, says why.
std::string audit_record_json(const AuditRecord& record, std::string_view logged_because = {});
// Formats a PostgreSQL timestamp (microseconds since 2000-01-01 UTC) as
// ISO 8601 with microseconds, e.g. 2026-11-28T17:44:10.123456Z.
std::string iso8601_utc(int64_t pg_microseconds);

}  // namespace agentauthz::core
