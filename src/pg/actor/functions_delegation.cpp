// SQL entry points that issue and end delegations: register_agent,
// delegate, subdelegate and revoke_delegation.
#include <string>
#include <vector>

#include "core/error.h"
#include "core/scope.h"
#include "core/token.h"
#include "core/tuple_key.h"
#include "pg/actor/active_actor.h"
#include "pg/actor/actor_condition_values.h"
#include "pg/actor/agent_roles.h"
#include "pg/actor/condition_values_input.h"
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sha256.h"
#include "pg/common/sql_args.h"
#include "pg/engine/engine.h"
#include "pg/settings.h"

extern "C" {
#include "storage/lmgr.h"
}

namespace agentauthz::pg {

namespace {

// Takes the lock of the tree below `root_id`, for the rest of the
// transaction. Concurrent sub-delegations in one tree take turns on it (not
// on a row lock on the root: an agent idling in its transaction would hold
// off the root's revocation).
void lock_tree(int64 root_id) {
  pg_guard([&] {
    LockDatabaseObject(catalog().delegations, static_cast<Oid>(root_id & 0xffffffff),
                       static_cast<uint16>((root_id >> 32) & 0xffff), ExclusiveLock);
  });
}

// Locks the parent link's row against deletion, as a foreign key's check
// would (FOR KEY SHARE: revocations do not wait for it), under the latest
// snapshot. purge_delegations() removes links that ended; a parent it
// removed after this statement validated the chain is gone here, and one it
// removes later waits for this transaction and then finds the new child.
void lock_parent(int64 parent_id) {
  bool found = false;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(parent_id)};
    SPIPlanPtr plan = SPI_prepare(
        "SELECT 1 FROM agentauthz.delegations d WHERE d.id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
        1, types);
    if (plan == nullptr)
      elog(ERROR, "could not plan locking a delegation: %s", SPI_result_code_string(SPI_result));
    int rc = SPI_execute_snapshot(plan, values, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                  false, false, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not lock a delegation: %s", SPI_result_code_string(rc));
    found = SPI_processed == 1;
  });
  if (!found)
    throw core::Error(core::ErrorKind::Unauthorized,
                      "delegation " + std::to_string(parent_id) + " does not exist");
}

// How many links the tree of `root_id` holds below the root, counted under
// the latest snapshot (call it holding the tree's lock), so a REPEATABLE
// READ transaction sees the links others committed while it waited, and
// its own.
int64 count_tree_links(int64 root_id) {
  int64 count = 0;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(root_id)};
    SPIPlanPtr plan = SPI_prepare(
        "WITH RECURSIVE below AS ("
        "  SELECT d.id FROM agentauthz.delegations d WHERE d.parent_id OPERATOR(pg_catalog.=) $1"
        "  UNION ALL SELECT d.id FROM agentauthz.delegations d JOIN below b ON d.parent_id "
        "OPERATOR(pg_catalog.=) b.id) "
        "SELECT pg_catalog.count(*) FROM below",
        1, types);
    if (plan == nullptr)
      elog(ERROR, "could not plan counting sub-delegations: %s",
           SPI_result_code_string(SPI_result));
    int rc = SPI_execute_snapshot(plan, values, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                  false, false, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not count sub-delegations: %s", SPI_result_code_string(rc));
    bool isnull;
    count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
  });
  return count;
}

// Parses, validates against the active model and normalizes scope entries.
std::vector<std::string> checked_scopes(const std::vector<std::string>& texts) {
  if (texts.empty())
    throw core::Error(core::ErrorKind::InvalidArgument, "a delegation needs at least one scope");
  Engine& engine = Engine::get();
  engine.prepare();
  const core::Model& model = engine.model();
  std::vector<std::string> scopes;
  for (const std::string& text : texts) {
    core::ScopeEntry entry = core::parse_scope_entry(text);
    core::TypeId type = model.find_type(entry.type);
    if (type < 0)
      throw core::Error(
          core::ErrorKind::UndefinedName,
          "type " + core::quote_for_message(entry.type) + " is not defined in the active model",
          "scope " + text);
    if (model.find_relation(type, entry.relation) < 0)
      throw core::Error(core::ErrorKind::UndefinedName,
                        "relation " + core::quote_for_message(entry.relation) +
                            " is not defined on type " + core::quote_for_message(entry.type),
                        "scope " + text);
    scopes.push_back(core::format_scope_entry(entry));
  }
  return scopes;
}

void check_purpose(std::string_view purpose) {
  if (purpose.empty())
    throw core::Error(core::ErrorKind::InvalidArgument, "a delegation's purpose must not be empty");
  if (purpose.size() > static_cast<size_t>(max_delegation_purpose_bytes_setting))
    throw core::Error(core::ErrorKind::LimitExceeded,
                      "a delegation's purpose of " + std::to_string(purpose.size()) +
                          " bytes is longer than agentauthz.max_delegation_purpose_bytes (" +
                          std::to_string(max_delegation_purpose_bytes_setting) + ")");
}

// Returns the agent subject, checked: `type:id`, not a wildcard.
std::string checked_agent(std::string_view agent) {
  core::ObjectKey key = core::parse_object(agent);
  (void)key;
  return std::string(agent);
}

// Returns the scope entries of a scopes argument, refusing more than
// agentauthz.max_delegation_scopes before copying any.
std::vector<std::string> text_array(ArrayType* array) {
  int given = 0;
  pg_guard([&] { given = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)); });
  if (given > max_delegation_scopes_setting)
    throw core::Error(core::ErrorKind::LimitExceeded,
                      "a delegation of " + std::to_string(given) +
                          " scope entries has more than agentauthz.max_delegation_scopes (" +
                          std::to_string(max_delegation_scopes_setting) + ")");
  std::vector<std::string> out;
  pg_guard([&] {
    Datum* elements;
    bool* nulls;
    int count;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
    for (int i = 0; i < count; ++i) {
      if (nulls[i]) continue;
      text* t = DatumGetTextPP(elements[i]);
      out.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("scopes must be a one-dimensional array")));
  });
  if (out.size() != static_cast<size_t>(given))
    throw core::Error(core::ErrorKind::InvalidArgument, "scopes must not contain NULL");
  return out;
}

Datum text_array_datum(const std::vector<std::string>& values) {
  Datum result = 0;
  pg_guard([&] {
    auto* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (values.size() + 1)));
    for (size_t i = 0; i < values.size(); ++i) elements[i] = text_datum(values[i]);
    result = PointerGetDatum(construct_array(elements, static_cast<int>(values.size()), TEXTOID, -1,
                                             false, TYPALIGN_INT));
  });
  return result;
}

struct NewDelegation {
  int64 parent_id = 0;
  std::string principal;
  std::string agent;
  std::vector<std::string> scopes;
  std::string purpose;
  TimestampTz expires_at = 0;
  int32 depth = 1;
  Jsonb* context = nullptr;  // the condition values pinned, checked; nullptr for none
};

// Stores a delegation with a fresh secret and returns its token. The row is
// written with the extension owner's rights: nobody may insert into
// agentauthz.delegations directly. The calling role is its creator.
std::string store_delegation(const NewDelegation& d) {
  core::TokenSecret secret;
  bool random_ok = false;
  pg_guard([&] { random_ok = pg_strong_random(secret.data(), secret.size()); });
  if (!random_ok)
    throw core::Error(core::ErrorKind::Internal, "could not generate a random delegation secret");
  std::array<uint8, 32> hash = sha256(secret.data(), secret.size());
  Datum scopes = text_array_datum(d.scopes);
  int64 id = 0;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[10] = {INT8OID,        TEXTOID, TEXTOID,  TEXTARRAYOID, TEXTOID,
                     TIMESTAMPTZOID, INT4OID, BYTEAOID, NAMEOID,      JSONBOID};
    NameData creator;
    namestrcpy(&creator, GetUserNameFromId(scope.caller(), false));
    Datum values[10] = {Int64GetDatum(d.parent_id), text_datum(d.principal),
                        text_datum(d.agent),        scopes,
                        text_datum(d.purpose),      TimestampTzGetDatum(d.expires_at),
                        Int32GetDatum(d.depth),     bytea_datum(hash.data(), hash.size()),
                        NameGetDatum(&creator),     JsonbPGetDatum(d.context)};
    char nulls[10] = {d.parent_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    // Without a context the column is not named: the library also serves a
    // database not yet updated to 0.5, whose table lacks it. No row limit: a
    // RETURNING statement stopped at one row never fires its AFTER STATEMENT
    // triggers.
    int rc = d.context == nullptr
                 ? SPI_execute_with_args(
                       "INSERT INTO agentauthz.delegations (parent_id, principal, agent, scopes, "
                       "purpose, expires_at, depth, secret_hash, created_by) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                       9, types, values, nulls, false, 0)
                 : SPI_execute_with_args(
                       "INSERT INTO agentauthz.delegations (parent_id, principal, agent, scopes, "
                       "purpose, expires_at, depth, secret_hash, created_by, context) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                       10, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
      elog(ERROR, "could not store the delegation: %s", SPI_result_code_string(rc));
    bool isnull;
    id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
  });
  return core::format_token(id, secret);
}

TimestampTz checked_expiry(TimestampTz expires_at) {
  TimestampTz now = 0;
  pg_guard([&] { now = GetCurrentTimestamp(); });
  if (expires_at <= now)
    throw core::Error(core::ErrorKind::InvalidArgument,
                      "a delegation's expires_at must be in the future");
  return expires_at;
}

std::string run_delegate(std::string_view principal, std::string_view agent,
                         const std::vector<std::string>& scopes, TimestampTz expires_at,
                         std::string_view purpose, Jsonb* context) {
  NewDelegation d;
  d.scopes = checked_scopes(scopes);
  core::SubjectKey who = core::parse_subject(principal);
  if (who.is_wildcard() || who.is_userset())
    throw core::Error(core::ErrorKind::InvalidArgument,
                      "a delegation's principal must be a single subject (type:id)");
  d.principal = std::string(principal);
  d.agent = checked_agent(agent);
  check_purpose(purpose);
  d.purpose = std::string(purpose);
  d.expires_at = checked_expiry(expires_at);
  if (context != nullptr) {
    checked_condition_values(context, "delegate");
    d.context = context;
  }
  return store_delegation(d);
}

std::string run_subdelegate(std::string_view agent, const std::vector<std::string>& scopes,
                            TimestampTz expires_at, std::string_view purpose, Jsonb* context) {
  NewDelegation d;
  d.scopes = checked_scopes(scopes);
  const ActiveActor& actor = active_actor();
  if (actor.kind != ActorContext::Kind::Delegation || !actor.valid)
    throw core::Error(
        core::ErrorKind::Forbidden, "subdelegate() needs an active delegation",
        actor.reason.empty() ? "call act_for() with a delegation token first" : actor.reason);
  if (context != nullptr) {
    // The values are the agent's own words: they may add to what its chain
    // pins, never change it.
    check_child_condition_values(actor, checked_condition_values(context, "subdelegate"));
  }
  const DelegationRow& parent = actor.links.back();
  if (static_cast<int>(actor.links.size()) >= max_delegation_depth_setting)
    throw core::Error(core::ErrorKind::LimitExceeded,
                      "delegation chain would exceed agentauthz.max_delegation_depth (" +
                          std::to_string(max_delegation_depth_setting) + ")");
  const DelegationRow& root = actor.links.front();
  lock_tree(root.id);
  lock_parent(parent.id);
  if (count_tree_links(root.id) >= max_delegation_tree_links_setting)
    throw core::Error(core::ErrorKind::LimitExceeded,
                      "delegation " + std::to_string(root.id) + " has been handed on " +
                          std::to_string(max_delegation_tree_links_setting) +
                          " times, the most agentauthz.max_delegation_tree_links allows",
                      "Links that ended count until purge_delegations() removes them.");
  d.parent_id = parent.id;
  d.principal = parent.principal;
  d.agent = checked_agent(agent);
  check_purpose(purpose);
  d.purpose = std::string(purpose);
  // A child never outlives its parent.
  d.expires_at = checked_expiry(std::min(expires_at, parent.expires_at));
  d.depth = static_cast<int32>(actor.links.size()) + 1;
  d.context = context;
  return store_delegation(d);
}

// Revokes a link and every link below it, with the owner's rights; the
// caller is named as the revoker.
int64 run_revoke(int64 id) {
  int64 revoked = 0;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[2] = {INT8OID, NAMEOID};
    NameData revoker;
    namestrcpy(&revoker, GetUserNameFromId(scope.caller(), false));
    Datum values[2] = {Int64GetDatum(id), NameGetDatum(&revoker)};
    int rc = SPI_execute_with_args(
        "WITH RECURSIVE below AS ("
        "  SELECT d.id FROM agentauthz.delegations d WHERE d.id OPERATOR(pg_catalog.=) $1"
        "  UNION SELECT d.id FROM agentauthz.delegations d JOIN below b ON d.parent_id "
        "OPERATOR(pg_catalog.=) b.id) "
        "UPDATE agentauthz.delegations d SET revoked_at = pg_catalog.now(), revoked_by = $2 "
        "FROM below WHERE d.id OPERATOR(pg_catalog.=) below.id AND d.revoked_at IS NULL",
        2, types, values, nullptr, false, 0);
    if (rc != SPI_OK_UPDATE) elog(ERROR, "could not revoke: %s", SPI_result_code_string(rc));
    revoked = static_cast<int64>(SPI_processed);
  });
  return revoked;
}

// Inserts the mapping of `role_text` to `subject` with the owner's rights
// (admins may not write agentauthz.agents directly), unless the role has
// one; returns the agent it already had, or "" when the row was inserted.
std::string insert_mapping(const std::string& subject, const std::string& role_text) {
  std::string existing;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[3] = {TEXTOID, NAMEOID, NAMEOID};
    NameData role_name;
    NameData creator;
    namestrcpy(&role_name, role_text.c_str());
    namestrcpy(&creator, GetUserNameFromId(scope.caller(), false));
    Datum values[3] = {text_datum(subject), NameGetDatum(&role_name), NameGetDatum(&creator)};
    int rc = SPI_execute_with_args(
        "INSERT INTO agentauthz.agents (agent, role_name, created_by) VALUES ($1, $2, $3) "
        "ON CONFLICT (role_name) DO NOTHING",
        3, types, values, nullptr, false, 0);
    if (rc != SPI_OK_INSERT)
      elog(ERROR, "could not register the agent: %s", SPI_result_code_string(rc));
    if (SPI_processed == 1) return;
    // Mapped already (committed before, or by the transaction waited for).
    rc = SPI_execute_with_args(
        "SELECT a.agent FROM agentauthz.agents a WHERE a.role_name OPERATOR(pg_catalog.=) $1", 1,
        types + 1, values + 1, nullptr, false, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not read the agent: %s", SPI_result_code_string(rc));
    if (SPI_processed == 1) {
      char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
      existing = value ? value : "";
    }
  });
  return existing;
}

// Maps a role to an agent. A privileged role is refused (42501); so is a
// role mapped to another agent: a mapping changes only by
// unregister_agent() first, never by a register_agent() that replaces it.
// The same mapping again changes nothing.
void run_register_agent(std::string_view agent, Oid role) {
  std::string subject = checked_agent(agent);
  std::string role_text;
  pg_guard([&] { role_text = GetUserNameFromId(role, false); });
  std::string privileged = privileged_role_reason(role);
  if (privileged.empty()) privileged = protected_owner_reason(role);
  if (!privileged.empty())
    throw core::Error(
        core::ErrorKind::Forbidden,
        "role " + role_text + " cannot be registered as an agent: " + privileged,
        "An agent's role must be held to its delegations: no SUPERUSER, CREATEROLE, BYPASSRLS or "
        "REPLICATION, no predefined role with server-wide powers, not the database's owner, none "
        "of "
        "agentauthz's roles, not the owner of a protected table -- also through membership. "
        "create_agent_role() "
        "makes such a role.");
  std::string existing = insert_mapping(subject, role_text);
  if (existing.empty() || existing == subject) return;
  std::string quoted;
  pg_guard([&] { quoted = quote_literal_cstr(quote_identifier(role_text.c_str())); });
  throw core::Error(
      core::ErrorKind::Forbidden, "role " + role_text + " is already registered as " + existing,
      "A registration is never replaced: call agentauthz.unregister_agent(" + quoted + ") first (" +
          existing + "'s sessions and tokens stop working for the role), then register it again.");
}

// Removes a role's mapping, with the owner's rights; whether there was one.
bool run_unregister_agent(Oid role) {
  bool removed = false;
  std::string role_text;
  pg_guard([&] { role_text = GetUserNameFromId(role, false); });
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {NAMEOID};
    NameData role_name;
    namestrcpy(&role_name, role_text.c_str());
    Datum values[1] = {NameGetDatum(&role_name)};
    int rc = SPI_execute_with_args(
        "DELETE FROM agentauthz.agents a WHERE a.role_name OPERATOR(pg_catalog.=) $1", 1, types,
        values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE)
      elog(ERROR, "could not unregister the agent: %s", SPI_result_code_string(rc));
    removed = SPI_processed > 0;
  });
  return removed;
}

}  // namespace

}  // namespace agentauthz::pg

using agentauthz::pg::text_arg;

AGENTAUTHZ_SQL_FUNCTION(agentauthz_register_agent) {
  agentauthz::pg::require_arguments(fcinfo, {"agent", "role"});
  std::string_view agent = text_arg(fcinfo, 0);
  Oid role = PG_GETARG_OID(1);
  agentauthz::pg::run_register_agent(agent, role);
  PG_RETURN_VOID();
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_unregister_agent) {
  agentauthz::pg::require_arguments(fcinfo, {"role"});
  PG_RETURN_BOOL(agentauthz::pg::run_unregister_agent(PG_GETARG_OID(0)));
}

// The optional last argument of delegate() and subdelegate(): absent where
// the SQL function is still 0.4's, which has no context.
static Jsonb* context_arg(FunctionCallInfo fcinfo, int n) {
  return PG_NARGS() > n && !PG_ARGISNULL(n) ? PG_GETARG_JSONB_P(n) : nullptr;
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_delegate) {
  agentauthz::pg::require_arguments(fcinfo,
                                    {"principal", "agent", "scopes", "expires_at", "purpose"});
  Jsonb* context = context_arg(fcinfo, 5);
  std::string_view principal = text_arg(fcinfo, 0);
  std::string_view agent = text_arg(fcinfo, 1);
  ArrayType* scopes = PG_GETARG_ARRAYTYPE_P(2);
  TimestampTz expires_at = PG_GETARG_TIMESTAMPTZ(3);
  std::string_view purpose = text_arg(fcinfo, 4);
  std::string token = agentauthz::pg::run_delegate(
      principal, agent, agentauthz::pg::text_array(scopes), expires_at, purpose, context);
  Datum result = 0;
  agentauthz::pg::pg_guard([&] { result = agentauthz::pg::text_datum(token); });
  return result;
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_subdelegate) {
  agentauthz::pg::require_arguments(fcinfo, {"agent", "scopes", "expires_at", "purpose"});
  Jsonb* context = context_arg(fcinfo, 4);
  std::string_view agent = text_arg(fcinfo, 0);
  ArrayType* scopes = PG_GETARG_ARRAYTYPE_P(1);
  TimestampTz expires_at = PG_GETARG_TIMESTAMPTZ(2);
  std::string_view purpose = text_arg(fcinfo, 3);
  std::string token = agentauthz::pg::run_subdelegate(agent, agentauthz::pg::text_array(scopes),
                                                      expires_at, purpose, context);
  Datum result = 0;
  agentauthz::pg::pg_guard([&] { result = agentauthz::pg::text_datum(token); });
  return result;
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_revoke_delegation) {
  agentauthz::pg::require_arguments(fcinfo, {"delegation_id"});
  int64 id = PG_GETARG_INT64(0);
  PG_RETURN_INT64(agentauthz::pg::run_revoke(id));
}
