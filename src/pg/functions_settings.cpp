// SQL entry points with which an admin stores a setting for the database
// or one role in it: set_audit_level and set_session_contexts. Both
// settings are superuser-only, so that no session can lower them for
// itself; the ALTER runs with the extension owner's rights.
#include <string>

#include "core/error.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"

extern "C" {
#include "commands/dbcommands.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

namespace agentauthz::pg {

namespace {

constexpr const char* kAdminsOnly =
    "Only members of agentauthz_admin may store agentauthz settings.";

// Stores `name = value` (or removes the setting when value is null) for
// the current database, or for `role` in it.
void store_setting(const char* name, const char* value, Oid role) {
  std::string statement;
  pg_guard([&] {
    if (role != InvalidOid && !SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
      ereport(ERROR,
              (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("role with OID %u does not exist", role)));
    const char* database = quote_identifier(get_database_name(MyDatabaseId));
    statement = role == InvalidOid ? std::string("ALTER DATABASE ") + database
                                   : std::string("ALTER ROLE ") +
                                         quote_identifier(GetUserNameFromId(role, false)) +
                                         " IN DATABASE " + database;
    statement += value == nullptr ? std::string(" RESET ") + name
                                  : std::string(" SET ") + name + " = " + quote_literal_cstr(value);
  });
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    int rc = SPI_execute(statement.c_str(), false, 0);
    if (rc != SPI_OK_UTILITY)
      elog(ERROR, "could not store %s: %s", name, SPI_result_code_string(rc));
  });
}

}  // namespace

}  // namespace agentauthz::pg

AGENTAUTHZ_SQL_FUNCTION(agentauthz_set_audit_level) {
  using namespace agentauthz;
  pg::require_admin("set_audit_level", pg::kAdminsOnly);
  std::string level = PG_ARGISNULL(0) ? std::string() : std::string(pg::text_arg(fcinfo, 0));
  if (level != "off" && level != "denied" && level != "summary" && level != "all" &&
      level != "default") {
    std::string shown = "NULL";
    if (!PG_ARGISNULL(0)) pg::pg_guard([&] { shown = quote_literal_cstr(level.c_str()); });
    throw core::Error(core::ErrorKind::InvalidArgument, "invalid audit level: " + shown,
                      "Use off, denied, summary, all, or default to remove the setting.");
  }
  Oid role = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
  if (!PG_ARGISNULL(1) && role == InvalidOid)
    throw core::Error(core::ErrorKind::UndefinedName, "role with OID 0 does not exist");
  pg::store_setting("agentauthz.audit", level == "default" ? nullptr : level.c_str(), role);
  PG_RETURN_VOID();
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_set_session_contexts) {
  using namespace agentauthz;
  pg::require_admin("set_session_contexts", pg::kAdminsOnly);
  Oid role = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
  if (!PG_ARGISNULL(1) && role == InvalidOid)
    throw core::Error(core::ErrorKind::UndefinedName, "role with OID 0 does not exist");
  const char* value = PG_ARGISNULL(0) ? nullptr : PG_GETARG_BOOL(0) ? "on" : "off";
  pg::store_setting("agentauthz.session_contexts", value, role);
  PG_RETURN_VOID();
}
