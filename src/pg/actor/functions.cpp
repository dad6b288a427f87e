// SQL entry points of the actor context: act_for, set_subject, set_context,
// end_task, current_actor, and the actor-context check and explain that RLS
// policies call.
#include <exception>
#include <string>

#include "core/error.h"
#include "core/explain_json.h"
#include "core/token.h"
#include "core/tuple_key.h"
#include "pg/actor/active_actor.h"
#include "pg/actor/actor_condition_values.h"
#include "pg/actor/agent_roles.h"
#include "pg/actor/condition_values_input.h"
#include "pg/actor/queries.h"
#include "pg/actor/row_context.h"
#include "pg/actor/session_values.h"
#include "pg/actor/token_hiding.h"
#include "pg/audit/audit.h"
#include "pg/common/guard.h"
#include "pg/common/sha256.h"
#include "pg/common/sql_args.h"
#include "pg/engine/engine.h"
#include "pg/settings.h"

namespace agentauthz::pg {

namespace {

const char* kind_name(ActorContext::Kind kind) {
  switch (kind) {
    case ActorContext::Kind::None:
      return "none";
    case ActorContext::Kind::Subject:
      return "subject";
    case ActorContext::Kind::Agent:
      return "agent";
    case ActorContext::Kind::Delegation:
      return "delegation";
  }
  return "none";
}

std::string timestamp_text(TimestampTz value) {
  const char* text = nullptr;
  pg_guard([&] { text = timestamptz_to_str(value); });
  return text ? std::string(text) : std::string();
}

void append_field(std::string* out, const char* name, const std::string& value) {
  out->append(",\"").append(name).append("\":");
  core::append_json_string(out, value);
}

// Appends the condition values the actor's trusted sources pin. An
// application sees the values (its own set_context's, or a subject's); an
// agent only their names -- the names a sub-delegation contradicting one
// is told anyway, never the values its issuers chose.
void append_condition_values(std::string* out, const ActiveActor& actor) {
  const core::ConditionContext* pinned = nullptr;
  std::string failure;
  try {
    pinned = &actor_condition_context(actor);
  } catch (const core::Error& error) {
    if (error.kind() != core::ErrorKind::InvalidArgument) throw;
    failure = error.what();
  }
  if (pinned == nullptr) {
    append_field(out, "context_error", failure);
    return;
  }
  const core::ConditionContext& values = *pinned;
  if (values.empty()) return;
  if (actor.agent.empty()) {
    out->append(",\"context\":").append(values.text());
    return;
  }
  out->append(",\"context_parameters\":[");
  bool first = true;
  for (const core::json::Value::Member& member : values.values().members()) {
    if (!first) out->push_back(',');
    first = false;
    core::append_json_string(out, member.first);
  }
  out->push_back(']');
}

// Describes the actor as JSON: what current_actor() returns.
std::string actor_json(const ActiveActor& actor) {
  std::string out = "{\"kind\":";
  core::append_json_string(&out, kind_name(actor.kind));
  out.append(",\"valid\":").append(actor.valid ? "true" : "false");
  if (!actor.reason.empty()) append_field(&out, "reason", actor.reason);
  if (actor.kind != ActorContext::Kind::None) {
    out.append(",\"local\":").append(actor.local && !actor.implicit ? "true" : "false");
    if (actor.implicit) out.append(",\"implicit\":true");
  }
  if (!actor.agent.empty()) append_field(&out, "agent", actor.agent);
  if (actor.kind == ActorContext::Kind::Subject) append_field(&out, "subject", actor.subject);
  if (!actor.links.empty()) {
    append_field(&out, "principal", actor.links.front().principal);
    append_field(&out, "purpose", actor.links.back().purpose);
    append_field(&out, "expires_at", timestamp_text(actor.links.back().expires_at));
    out.append(",\"chain\":[");
    for (size_t i = 0; i < actor.links.size(); ++i) {
      const DelegationRow& link = actor.links[i];
      if (i) out.push_back(',');
      out.append("{\"delegation_id\":").append(std::to_string(link.id));
      append_field(&out, "agent", link.agent);
      append_field(&out, "purpose", link.purpose);
      append_field(&out, "expires_at", timestamp_text(link.expires_at));
      out.append(",\"scopes\":[");
      for (size_t k = 0; k < link.scopes.size(); ++k) {
        if (k) out.push_back(',');
        core::append_json_string(&out, link.scopes[k]);
      }
      out.append("]}");
    }
    out.push_back(']');
  }
  append_condition_values(&out, actor);
  std::string role;
  pg_guard([&] {
    const char* name = GetUserNameFromId(GetUserId(), true);
    if (name) role = name;
  });
  append_field(&out, "role", role);
  // Where this session's audit records go: "queue" (written whatever the
  // transaction does), "transaction" (without the preloaded library),
  // "server log" (a hot standby), or "off".
  static const char* const levels[] = {"off", "denied", "summary", "all"};
  out.append(R"(,"audit":{"level":)");
  core::append_json_string(&out, levels[audit::level_setting]);
  out.append(",\"destination\":");
  core::append_json_string(&out, audit::destination());
  out.append("}}");
  return out;
}

Datum jsonb_datum(const std::string& json) {
  Datum result = 0;
  pg_guard([&] { result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
  return result;
}

// Refuses a context meant to outlive its transaction where the role's
// sessions may be shared (agentauthz.session_contexts = off: a
// transaction-pooling proxy hands the server connection to the next client).
void check_session_context_allowed(bool local, const char* function) {
  if (local || session_contexts_setting) return;
  std::string role;
  pg_guard([&] {
    const char* name = GetUserNameFromId(GetUserId(), true);
    if (name) role = name;
  });
  throw core::Error(
      core::ErrorKind::Forbidden,
      std::string(function) + "(local => false) is refused for role " + role +
          ": its connections may be shared by several clients",
      std::string("agentauthz.session_contexts is off for this role, so a context lasts one "
                  "transaction: call ") +
          function + "(..., local => true) inside each transaction (BEGIN; SELECT agentauthz." +
          function + "(...); ...; COMMIT).");
}

// Verifies a token for the current role and makes its delegation the context.
std::string run_act_for(std::string_view token_text, bool local) {
  Engine::get().prepare_if_model();
  // Every way a token can be wrong gets the same answer until its secret
  // has been verified: a guesser learns nothing.
  const core::Error invalid(core::ErrorKind::Unauthorized, "invalid delegation token",
                            "the token is malformed, or does not match a delegation");
  std::optional<core::ParsedToken> token = core::parse_token(token_text);
  if (!token) throw invalid;
  DelegationRow leaf;
  bool found = false;
  pg_guard([&] { found = read_delegation_row(token->delegation_id, &leaf); });
  std::array<uint8, 32> digest = sha256(token->secret.data(), token->secret.size());
  if (!found || !core::constant_time_equal(digest.data(), leaf.secret_hash.data(), digest.size()))
    throw invalid;
  std::string agent = agent_of_current_role();
  if (agent != leaf.agent)
    throw core::Error(core::ErrorKind::Forbidden,
                      "delegation token was issued to " + leaf.agent + ", not to the current role",
                      agent.empty() ? "the current role is not registered as an agent"
                                    : "the current role acts as " + agent);
  // Registered, but privileged since (or before 0.3): it would not be held
  // to the delegation.
  std::string privileged = privileged_role_reason(GetUserId());
  if (privileged.empty()) privileged = protected_owner_reason(GetUserId());
  if (!privileged.empty())
    throw core::Error(core::ErrorKind::Forbidden,
                      "a privileged role cannot act as an agent: " + privileged,
                      "An agent's role must be held to its delegations; revoke that privilege.");
  check_session_context_allowed(local, "act_for");
  TimestampTz now = 0;
  pg_guard([&] { now = GetCurrentTimestamp(); });
  std::vector<DelegationRow> links = read_chain(leaf.id, now);
  ActorContext context;
  context.kind = ActorContext::Kind::Delegation;
  context.role = GetUserId();
  context.subject = leaf.agent;
  for (const DelegationRow& link : links) context.chain.push_back(link.id);
  context.local = local;
  set_context(context);
  return actor_json(active_actor());
}

// Refuses (42501) unless the current role is a trusted application's: what
// set_subject() and set_context() accept.
void require_trusted_application(const char* refusal, const char* function) {
  if (!trusted_application_session())
    throw core::Error(core::ErrorKind::Forbidden, refusal,
                      std::string("only members of agentauthz_app or agentauthz_admin may call ") +
                          function + "(), in a session no agent's role is part of");
}

std::string run_set_subject(std::string_view subject, bool local) {
  Engine::get().prepare_if_model();
  require_trusted_application("permission denied to set the actor subject", "set_subject");
  check_session_context_allowed(local, "set_subject");
  core::SubjectKey key = core::parse_subject(subject);
  if (key.is_wildcard())
    throw core::Error(core::ErrorKind::InvalidArgument, "the actor subject cannot be a wildcard");
  ActorContext context;
  context.kind = ActorContext::Kind::Subject;
  context.role = GetUserId();
  context.subject = std::string(subject);
  context.local = local;
  set_context(context);
  return actor_json(active_actor());
}

// Sets the condition values of the session or transaction (nullptr: none).
void run_set_context(Jsonb* context, bool local) {
  require_trusted_application("permission denied to set the condition context", "set_context");
  check_session_context_allowed(local, "set_context");
  core::json::Value values;  // null: none
  if (context != nullptr) values = checked_condition_values(context, "set_context");
  set_session_values(values, local);
}

// explain() for the current actor: the decision, and the subject's proof
// where pg/actor/decision.h lets explain show one.
std::string run_explain_actor(std::string_view relation, std::string_view object) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  core::RequestResolver resolve = engine.evaluator().resolver();
  core::Object target = resolve.object(object);
  core::RelationId rel = resolve.relation(target.type, relation);
  Disclosure disclosure;
  bool allowed = actor_decides(actor, rel, target, &disclosure) == Decision::Allowed;
  std::string out = "{\"actor\":" + actor_json(actor);
  if (disclosure.shown == Disclosure::Shown::SubjectProof) {
    out.append(",\"subject_check\":");
    out.append(core::explain_to_json(disclosure.granted, actor.subject, std::string(relation),
                                     std::string(object), disclosure.proof));
  } else if (disclosure.shown == Disclosure::Shown::Withheld) {
    out.append(R"(,"proof":"withheld","detail":)");
    core::append_json_string(&out, "an agent is told the decision only, as check() would tell it");
  }
  out.append(",\"allowed\":").append(allowed ? "true" : "false").append("}");
  // Asking is deciding: the answer is on record like a check's.
  if (audit::recording()) {
    size_t colon = object.find(':');
    audit::note_decision(actor, rel, target.type, relation, object.substr(0, colon),
                         object.substr(colon + 1), allowed);
  }
  return out;
}

}  // namespace

}  // namespace agentauthz::pg

using agentauthz::pg::jsonb_datum;
using agentauthz::pg::text_arg;

// act_for(token, local): sets the context, putting a refused token on record.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_act_for) {
  // The statement presenting a token leaves pg_stat_activity before anything
  // can fail, also when it is the one that loaded the library (no hook ran).
  agentauthz::pg::pg_guard([] { agentauthz::pg::hide_tokens_in_activity(); });
  agentauthz::pg::require_arguments(fcinfo, {"token", "local"});
  std::string_view token = text_arg(fcinfo, 0);
  bool local = PG_GETARG_BOOL(1);
  std::string json;
  std::exception_ptr refused;
  std::string reason;
  try {
    json = agentauthz::pg::run_act_for(token, local);
  } catch (const agentauthz::core::Error& error) {
    refused = std::current_exception();
    if (error.kind() == agentauthz::core::ErrorKind::Unauthorized ||
        error.kind() == agentauthz::core::ErrorKind::Forbidden)
      reason = error.what();
  }
  if (refused) {
    // A refused token is on record, whatever the session does next
    // (recorded here, outside the catch block: recording calls PostgreSQL).
    if (!reason.empty() && agentauthz::pg::audit::recording()) {
      std::optional<agentauthz::core::ParsedToken> parsed = agentauthz::core::parse_token(token);
      agentauthz::pg::audit::note_refused_token(agentauthz::pg::agent_of_session(),
                                                parsed ? parsed->delegation_id : 0, reason);
    }
    std::rethrow_exception(refused);
  }
  return jsonb_datum(json);
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_set_subject) {
  agentauthz::pg::require_arguments(fcinfo, {"subject", "local"});
  std::string_view subject = text_arg(fcinfo, 0);
  bool local = PG_GETARG_BOOL(1);
  return jsonb_datum(agentauthz::pg::run_set_subject(subject, local));
}

// set_context(context, local): a trusted application's request attributes.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_set_context) {
  // A NULL context clears the values; a NULL local says nothing.
  if (PG_ARGISNULL(1))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("argument \"%s\" must not be null", "local")));
  Jsonb* context = PG_ARGISNULL(0) ? nullptr : PG_GETARG_JSONB_P(0);
  agentauthz::pg::run_set_context(context, PG_GETARG_BOOL(1));
  PG_RETURN_VOID();
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_end_task) {
  agentauthz::pg::clear_context();
  agentauthz::pg::clear_session_values();
  PG_RETURN_VOID();
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_current_actor) {
  agentauthz::pg::Engine::get().prepare_if_model();
  return jsonb_datum(agentauthz::pg::actor_json(agentauthz::pg::active_actor()));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_actor) {
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view object = text_arg(fcinfo, 1);
  PG_RETURN_BOOL(agentauthz::pg::actor_check(relation, object));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_explain_actor) {
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view object = text_arg(fcinfo, 1);
  return jsonb_datum(agentauthz::pg::run_explain_actor(relation, object));
}

// Typed forms of the actor-context check, for policies generated by
// protect(): the id is formatted here, without a per-row cast in SQL.

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_id_text) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  std::string_view id = text_arg(fcinfo, 2);
  PG_RETURN_BOOL(
      agentauthz::pg::actor_check(relation, type, id, agentauthz::pg::MalformedKey::Deny));
}

// check_new_id(): what WITH CHECK calls for a row being written. A key that
// cannot name an object is refused with an error that says so (a read of
// such a row is simply not allowed).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_id_text) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  std::string_view id = text_arg(fcinfo, 2);
  PG_RETURN_BOOL(
      agentauthz::pg::actor_check(relation, type, id, agentauthz::pg::MalformedKey::Refuse));
}

// check_new_object(relation, object_type, id): what WITH CHECK calls for a
// row inserted under a parent -- true for a new object, the relation on it
// for one that already exists (pg/actor/queries.h).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_object_text) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  PG_RETURN_BOOL(agentauthz::pg::actor_check_new_object(text_arg(fcinfo, 0), text_arg(fcinfo, 1),
                                                        text_arg(fcinfo, 2)));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_object_int8) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  PG_RETURN_BOOL(agentauthz::pg::actor_check_new_object(text_arg(fcinfo, 0), text_arg(fcinfo, 1),
                                                        static_cast<int64_t>(PG_GETARG_INT64(2))));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_object_int4) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  PG_RETURN_BOOL(agentauthz::pg::actor_check_new_object(text_arg(fcinfo, 0), text_arg(fcinfo, 1),
                                                        static_cast<int64_t>(PG_GETARG_INT32(2))));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_object_uuid) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  char id[36];
  std::string_view spelled = agentauthz::pg::uuid_text(PG_GETARG_UUID_P(2), id);
  PG_RETURN_BOOL(
      agentauthz::pg::actor_check_new_object(text_arg(fcinfo, 0), text_arg(fcinfo, 1), spelled));
}

// actor_valid(): whether the current actor context holds now. A `set`
// policy tests it per row: its allowed ids were listed when the query
// started, and a cursor may be read after a revocation or an expiry.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_actor_valid) {
  agentauthz::pg::Engine::get().prepare_if_model();
  PG_RETURN_BOOL(agentauthz::pg::active_actor().valid);
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_id_int8) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  PG_RETURN_BOOL(agentauthz::pg::actor_check(relation, type,
                                             static_cast<int64_t>(PG_GETARG_INT64(2)),
                                             agentauthz::pg::MalformedKey::Deny));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_id_int8) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  PG_RETURN_BOOL(agentauthz::pg::actor_check(relation, type,
                                             static_cast<int64_t>(PG_GETARG_INT64(2)),
                                             agentauthz::pg::MalformedKey::Refuse));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_id_int4) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  PG_RETURN_BOOL(agentauthz::pg::actor_check(relation, type,
                                             static_cast<int64_t>(PG_GETARG_INT32(2)),
                                             agentauthz::pg::MalformedKey::Deny));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_id_int4) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  PG_RETURN_BOOL(agentauthz::pg::actor_check(relation, type,
                                             static_cast<int64_t>(PG_GETARG_INT32(2)),
                                             agentauthz::pg::MalformedKey::Refuse));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_id_uuid) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  char id[36];
  std::string_view spelled = agentauthz::pg::uuid_text(PG_GETARG_UUID_P(2), id);
  PG_RETURN_BOOL(
      agentauthz::pg::actor_check(relation, type, spelled, agentauthz::pg::MalformedKey::Deny));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check_new_id_uuid) {
  agentauthz::pg::RowContextScope row(agentauthz::pg::row_context_arg(fcinfo));
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  char id[36];
  std::string_view spelled = agentauthz::pg::uuid_text(PG_GETARG_UUID_P(2), id);
  PG_RETURN_BOOL(
      agentauthz::pg::actor_check(relation, type, spelled, agentauthz::pg::MalformedKey::Refuse));
}

namespace agentauthz::pg {
namespace {

// Builds a one-dimensional array of `element_type` from ids that parse as
// such; ids that do not (another key type) are left out.
Datum allowed_array(FunctionCallInfo fcinfo, Oid element_type) {
  std::string_view relation = text_arg(fcinfo, 0);
  std::string_view type = text_arg(fcinfo, 1);
  std::vector<std::string> ids = actor_allowed_ids(relation, type);
  Datum result = 0;
  pg_guard([&] {
    auto* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (ids.size() + 1)));
    int count = 0;
    for (const std::string& id : ids) {
      if (element_type == TEXTOID) {
        elements[count++] = text_datum(id);
      } else if (element_type == INT8OID) {
        char* end = nullptr;
        errno = 0;
        long long value = strtoll(id.c_str(), &end, 10);
        bool canonical =
            errno == 0 && end && *end == '\0' && !id.empty() && std::to_string(value) == id;
        if (canonical) elements[count++] = Int64GetDatum(value);
      } else {
        bool canonical = id.size() == 36;
        for (size_t i = 0; canonical && i < id.size(); ++i) {
          char c = id[i];
          canonical = (i == 8 || i == 13 || i == 18 || i == 23)
                          ? c == '-'
                          : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }
        if (canonical)
          elements[count++] = DirectFunctionCall1(uuid_in, CStringGetDatum(id.c_str()));
      }
    }
    int16 length;
    bool by_value;
    char align;
    get_typlenbyvalalign(element_type, &length, &by_value, &align);
    result =
        PointerGetDatum(construct_array(elements, count, element_type, length, by_value, align));
  });
  return result;
}

}  // namespace
}  // namespace agentauthz::pg

AGENTAUTHZ_SQL_FUNCTION(agentauthz_allowed_ids_text) {
  return agentauthz::pg::allowed_array(fcinfo, TEXTOID);
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_allowed_ids_int8) {
  return agentauthz::pg::allowed_array(fcinfo, INT8OID);
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_allowed_ids_uuid) {
  return agentauthz::pg::allowed_array(fcinfo, UUIDOID);
}
