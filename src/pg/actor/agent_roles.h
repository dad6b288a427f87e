// Which roles may stand for an agent. An agent is held to what its
// delegation allows by row-level security and the extension's grants; a
// role that bypasses them (SUPERUSER, BYPASSRLS), can make roles or
// replicate (CREATEROLE, REPLICATION), holds server-wide powers (the
// predefined pg_* roles listed in pg/actor/agent_roles.cpp, the database's owner),
// or is one of the extension's own roles (admin, app, auditor) -- itself or
// through any membership, inherited or not -- would not be. Such a role is
// never registered as an agent, and never acts as one: a registration can
// be outlived by a later ALTER ROLE or GRANT.
#pragma once

#include <string>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Why `role` may not act as an agent, or "" when it may. Kept per role
// until pg_authid, pg_auth_members or pg_database change (syscache
// callbacks); this session's own changes are seen at its next command.
std::string privileged_role_reason(Oid role);
// Why `role` may not act as an agent because it holds the rights of the
// owner of a table protect() protects (PostgreSQL applies no row-level
// security to a table's owner), or "". Reads agentauthz.protected_tables
// through SPI: for function calls (register_agent, act_for), not policies.
std::string protected_owner_reason(Oid role);
// The registered agent role that holds the rights of `relid`'s owner
// (itself or through membership), or "": such a table cannot be protected
// from it (row-level security does not apply to an owner, FORCE included,
// as the owner may turn it off).
std::string agent_holding_owner_rights(Oid relid);
// Changes whenever what privileged_role_reason() decides may have
// changed (cache keys of the actor).
uint64 role_privileges_generation();

// Registers the syscache callbacks; called once from _PG_init.
void register_role_privileges_callbacks();

}  // namespace agentauthz::pg
