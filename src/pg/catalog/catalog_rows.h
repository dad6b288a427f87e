// Reads of agentauthz.agents and agentauthz.delegations the way PostgreSQL
// reads its own catalogs: under a fresh catalog snapshot, i.e. the latest
// committed state (and this transaction's own changes), whatever the
// transaction's isolation level or snapshot. Who an agent is and whether a
// delegation still holds must never be frozen by an old snapshot.
//
// These functions call PostgreSQL and may raise ERROR (longjmp): call them
// from C++ only inside pg_guard.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// A row of agentauthz.delegations, copied out of the scan.
struct DelegationRow {
  int64 id = 0;
  int64 parent_id = 0;  // 0 for a root delegation
  std::string principal;
  std::string agent;
  std::vector<std::string> scopes;
  std::string purpose;
  TimestampTz expires_at = 0;
  int32 depth = 0;
  std::array<uint8, 32> secret_hash{};
  bool revoked = false;
  // The condition values its issuer pinned, as JSON object text; "" for
  // none (or a table from before 0.5, not yet updated).
  std::string context;
};

// Reads the delegation with this id; false when there is none.
bool read_delegation_row(int64 id, DelegationRow* row);
// Returns the agent the role stands for, or false.
bool read_agent_of_role(const char* role_name, std::string* agent);

// Whether any tuple of agentauthz.tuples, as last committed (or written by
// this transaction), names `object` (`type:id`) as its object or its
// subject (`type:id` or `type:id#relation`), expired or not. Whether an
// object already exists is judged on this, not on a statement's snapshot:
// an old snapshot must not make an existing object look new.
bool latest_tuples_name(std::string_view object);

}  // namespace agentauthz::pg
