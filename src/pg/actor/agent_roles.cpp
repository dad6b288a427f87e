#include "pg/actor/agent_roles.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "pg/common/guard.h"
#include "pg/common/privileged.h"

extern "C" {
#include "catalog/pg_auth_members.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "utils/catcache.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace agentauthz::pg {

namespace {

// Predefined roles whose members read or write any table or file, run
// programs, signal backends, or see every session and setting.
constexpr Oid kServerWideRoles[] = {
    ROLE_PG_READ_SERVER_FILES, ROLE_PG_WRITE_SERVER_FILES, ROLE_PG_EXECUTE_SERVER_PROGRAM,
    ROLE_PG_SIGNAL_BACKEND,    ROLE_PG_READ_ALL_DATA,      ROLE_PG_WRITE_ALL_DATA,
    ROLE_PG_MONITOR,           ROLE_PG_READ_ALL_SETTINGS,  ROLE_PG_READ_ALL_STATS,
    ROLE_PG_STAT_SCAN_TABLES,  ROLE_PG_CHECKPOINT,         ROLE_PG_DATABASE_OWNER,
};
constexpr const char* kExtensionRoles[] = {"agentauthz_admin", "agentauthz_app",
                                           "agentauthz_auditor"};

uint64 generation = 1;
uint64 cached_generation = 0;
std::unordered_map<Oid, std::string>* cached =
    nullptr;  // role -> reason, valid for cached_generation

// Must not allocate, read catalogs or raise errors.
void privileges_changed(Datum, int, uint32) { generation++; }

// A role's row of pg_authid, as far as it matters here.
struct RoleRow {
  bool exists = false;
  std::string name;
  bool superuser = false, bypassrls = false, createrole = false, replication = false;
};

RoleRow read_role(Oid role) {
  RoleRow row;
  NameData name;
  pg_guard([&] {
    HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
    if (!HeapTupleIsValid(tuple)) return;
    auto* form = reinterpret_cast<Form_pg_authid>(GETSTRUCT(tuple));
    row.exists = true;
    name = form->rolname;
    row.superuser = form->rolsuper;
    row.bypassrls = form->rolbypassrls;
    row.createrole = form->rolcreaterole;
    row.replication = form->rolreplication;
    ReleaseSysCache(tuple);
  });
  if (row.exists) row.name = NameStr(name);
  return row;
}

// The roles `role` is a direct member of (inherited or not).
std::vector<Oid> direct_memberships(Oid role) {
  std::vector<Oid> roles;
  pg_guard([&] {
    CatCList* memberships = SearchSysCacheList1(AUTHMEMMEMROLE, ObjectIdGetDatum(role));
    roles.reserve(memberships->n_members);
    for (int i = 0; i < memberships->n_members; ++i)
      roles.push_back(
          reinterpret_cast<Form_pg_auth_members>(GETSTRUCT(&memberships->members[i]->tuple))
              ->roleid);
    ReleaseSysCacheList(memberships);
  });
  return roles;
}

Oid current_database_owner() {
  Oid owner = InvalidOid;
  pg_guard([&] {
    HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
    if (!HeapTupleIsValid(tuple)) return;
    owner = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datdba;
    ReleaseSysCache(tuple);
  });
  return owner;
}

// What makes one role privileged by itself, as a phrase ("has SUPERUSER"),
// or "". `listed` says it is one of the roles listed above.
std::string own_privilege(Oid role, const RoleRow& row, Oid database_owner, bool* listed) {
  *listed = std::find(std::begin(kServerWideRoles), std::end(kServerWideRoles), role) !=
            std::end(kServerWideRoles);
  for (const char* extension_role : kExtensionRoles)
    *listed = *listed || row.name == extension_role;
  if (row.superuser) return "has SUPERUSER";
  if (row.bypassrls) return "has BYPASSRLS";
  if (row.createrole) return "has CREATEROLE";
  if (row.replication) return "has REPLICATION";
  if (*listed) return "is a privileged role";
  if (role == database_owner) return "owns the database (pg_database_owner)";
  return std::string();
}

// Walks `role` and every role it is a member of, directly or not; the first
// privilege found decides.
std::string compute_reason(Oid role) {
  Oid database_owner = current_database_owner();
  RoleRow self = read_role(role);
  std::string who = "role " + (self.exists ? self.name : "with OID " + std::to_string(role));
  std::vector<Oid> reached{role};
  for (size_t i = 0; i < reached.size(); ++i) {
    RoleRow row = i == 0 ? self : read_role(reached[i]);
    bool listed = false;
    std::string privilege = own_privilege(reached[i], row, database_owner, &listed);
    if (!privilege.empty()) {
      if (i == 0) return who.append(" ").append(privilege);
      return who + " is a member of " + row.name + (listed ? "" : ", which " + privilege);
    }
    for (Oid parent : direct_memberships(reached[i]))
      if (std::find(reached.begin(), reached.end(), parent) == reached.end())
        reached.push_back(parent);
  }
  return std::string();
}

}  // namespace

std::string privileged_role_reason(Oid role) {
  if (cached == nullptr) cached = new std::unordered_map<Oid, std::string>();
  if (cached_generation != generation) {
    cached->clear();
    cached_generation = generation;
  }
  auto found = cached->find(role);
  if (found != cached->end()) return found->second;
  std::string reason = compute_reason(role);
  // A catalog change taken in during the walk (a cache miss reads
  // catalogs) may have made the answer stale: keep it only if none was.
  if (cached_generation == generation) cached->emplace(role, reason);
  return reason;
}

namespace {

// Runs `query` (one oid parameter) with the extension owner's rights and
// returns the text columns of its first row, or an empty vector.
std::vector<std::string> first_row(const char* query, Oid argument) {
  std::vector<std::string> row;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(argument)};
    int rc = SPI_execute_with_args(query, 1, types, values, nullptr, true, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not read the extension's tables: %s", SPI_result_code_string(rc));
    if (SPI_processed == 0) return;
    for (int column = 1; column <= SPI_tuptable->tupdesc->natts; ++column) {
      char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column);
      row.emplace_back(value ? value : "");
    }
  });
  return row;
}

}  // namespace

std::string protected_owner_reason(Oid role) {
  std::vector<std::string> row = first_row(
      "SELECT c.oid::pg_catalog.regclass::pg_catalog.text, pg_catalog.pg_get_userbyid(c.relowner) "
      "FROM agentauthz.protected_tables p JOIN pg_catalog.pg_class c ON c.oid "
      "OPERATOR(pg_catalog.=) p.tbl "
      "WHERE pg_catalog.pg_has_role($1, c.relowner, 'MEMBER') ORDER BY 1 LIMIT 1",
      role);
  if (row.empty()) return std::string();
  return "it holds the rights of " + row[1] + ", the owner of the protected table " + row[0] +
         " (row-level security does not apply to its owner)";
}

std::string agent_holding_owner_rights(Oid relid) {
  std::vector<std::string> row = first_row(
      "SELECT a.role_name::pg_catalog.text FROM agentauthz.agents a "
      "JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) a.role_name "
      "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) $1 "
      "WHERE pg_catalog.pg_has_role(r.oid, c.relowner, 'MEMBER') ORDER BY 1 LIMIT 1",
      relid);
  return row.empty() ? std::string() : row[0];
}

uint64 role_privileges_generation() { return generation; }

void register_role_privileges_callbacks() {
  CacheRegisterSyscacheCallback(AUTHOID, privileges_changed, (Datum)0);
  CacheRegisterSyscacheCallback(AUTHMEMMEMROLE, privileges_changed, (Datum)0);
  CacheRegisterSyscacheCallback(DATABASEOID, privileges_changed, (Datum)0);
}

}  // namespace agentauthz::pg
