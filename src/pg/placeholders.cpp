// Values named for agentauthz.* settings before the library loaded. Until
// it loads (without shared_preload_libraries: at a session's first use),
// those names are placeholders that anyone may set -- at connection time
// (PGOPTIONS) or with SET. When the library then defines a superuser-only
// setting, PostgreSQL discards a value an unprivileged role named, but the
// values that value had replaced (postgresql.conf, ALTER SYSTEM, ALTER
// DATABASE/ROLE ... SET) are gone with it, and the built-in default takes
// their place: an agent could lower its own audit level or allow itself
// session contexts. Such a session is refused the extension instead: the
// library does not load, so every use of it -- an RLS policy included --
// fails with 42501 until the session is started without the value.
#include "pg/common/guard.h"
#include "pg/settings.h"

extern "C" {
#include "utils/guc_tables.h"
}

namespace agentauthz::pg {

namespace {

// Every agentauthz.* setting is superuser-only or stricter (set in the
// server's configuration), so every name under the prefix is restricted: a
// setting added later cannot be forgotten here. Names compare without
// regard to case, as PostgreSQL compares them (a client may name
// AGENTAUTHZ.AUDIT).
bool restricted(const char* name) {
  static constexpr char kPrefix[] = "agentauthz.";
  return pg_strncasecmp(name, kPrefix, sizeof kPrefix - 1) == 0;
}

// Whether `role` may set `name` (as PostgreSQL will judge it at definition).
bool may_set(const char* name, Oid role) {
  return !OidIsValid(role) || superuser_arg(role) ||
         pg_parameter_aclcheck(name, role, ACL_SET) == ACLCHECK_OK;
}

// The first role that named a value of a restricted placeholder without
// the right to, or InvalidOid.
Oid unprivileged_setter(const config_generic* var) {
  if (var->source > PGC_S_DEFAULT && !may_set(var->name, var->srole)) return var->srole;
  if (var->reset_source > PGC_S_DEFAULT && !may_set(var->name, var->reset_srole))
    return var->reset_srole;
  for (const GucStack* entry = var->stack; entry != nullptr; entry = entry->prev) {
    if (entry->source > PGC_S_DEFAULT && !may_set(var->name, entry->srole)) return entry->srole;
    if ((entry->state == GUC_SET_LOCAL || entry->state == GUC_SAVE) &&
        !may_set(var->name, entry->masked_srole))
      return entry->masked_srole;
  }
  return InvalidOid;
}

// The restricted placeholders that hold a value someone named.
bool any_named(config_generic** vars, int count) {
  for (int i = 0; i < count; ++i)
    if ((vars[i]->flags & GUC_CUSTOM_PLACEHOLDER) && restricted(vars[i]->name) &&
        (vars[i]->source > PGC_S_DEFAULT || vars[i]->reset_source > PGC_S_DEFAULT ||
         vars[i]->stack != nullptr))
      return true;
  return false;
}

void check_all(config_generic** vars, int count) {
  for (int i = 0; i < count; ++i) {
    config_generic* var = vars[i];
    if (!(var->flags & GUC_CUSTOM_PLACEHOLDER) || !restricted(var->name)) continue;
    Oid setter = unprivileged_setter(var);
    if (!OidIsValid(setter)) continue;
    const char* role = GetUserNameFromId(setter, true);
    ereport(
        ERROR,
        (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
         errmsg("permission denied to set parameter \"%s\"", var->name),
         errdetail(
             "Role %s named it before agentauthz was loaded; it is a superuser-only setting, and "
             "the value stored for the database or role must not be replaced.",
             role ? role : "(unknown)"),
         errhint("Connect without setting %s (PGOPTIONS), or add agentauthz to "
                 "shared_preload_libraries.",
                 var->name)));
  }
}

}  // namespace

void refuse_unprivileged_placeholders() {
  config_generic** vars = get_guc_variables();
  int count = GetNumConfigOptions();
  if (!any_named(vars, count)) return;
  // Judging a role's rights reads catalogs: outside a transaction
  // (session_preload_libraries) a short one of our own.
  if (IsTransactionState()) {
    check_all(vars, count);
    return;
  }
  StartTransactionCommand();
  check_all(vars, count);
  CommitTransactionCommand();
}

}  // namespace agentauthz::pg
