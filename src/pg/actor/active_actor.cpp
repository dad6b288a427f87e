#include "pg/actor/active_actor.h"

#include <algorithm>

#include "core/error.h"
#include "core/scope.h"
#include "pg/actor/agent_roles.h"
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/common/sql_args.h"
#include "pg/common/statements.h"
#include "pg/engine/engine.h"
#include "pg/engine/visible_state.h"
#include "pg/settings.h"

extern "C" {
#include "access/parallel.h"
#include "commands/extension.h"
#include "utils/timeout.h"
}

namespace agentauthz::pg {

namespace {

constexpr size_t kMaxChainLinks = 32;

struct CacheKey {
  uint64_t view = 0;
  uint64_t context_generation = 0;
  uint64_t actor_tables = 0;
  uint64_t role_privileges = 0;
  Oid role = InvalidOid;
  int64_t model_id = -1;
  bool operator==(const CacheKey& o) const {
    return view == o.view && context_generation == o.context_generation &&
           actor_tables == o.actor_tables && role_privileges == o.role_privileges &&
           role == o.role && model_id == o.model_id;
  }
};

bool cached_valid = false;
CacheKey cached_key;
ActiveActor cached;
uint64_t scopes_symbols = 0;  // the interner generation cached.scopes were resolved in
uint64_t epoch = 0;
uint64_t checked_at_statement = 0;  // statement_serial() when last decided
TimestampTz decided_at = 0;         // the clock when last decided

// A timer set to the actor's earliest expiry: when it fires, the actor is
// decided again at its next decision, also in the middle of a statement,
// without reading the clock per row. The handler only sets the flag.
TimeoutId expiry_timer = MAX_TIMEOUTS;
volatile sig_atomic_t expiry_reached = false;

void on_expiry() { expiry_reached = true; }

// Arms the timer for `until` (or disarms it for an actor that never expires).
void arm_expiry_timer(TimestampTz until) {
  expiry_reached = false;  // before arming: an alarm due at once must not be lost
  pg_guard([&] {
    if (expiry_timer == MAX_TIMEOUTS) {
      if (until == DT_NOEND) return;
      expiry_timer = RegisterTimeout(USER_TIMEOUT, on_expiry);
    }
    if (until == DT_NOEND) {
      if (get_timeout_active(expiry_timer)) disable_timeout(expiry_timer, false);
    } else {
      enable_timeout_at(expiry_timer, until);
    }
  });
}

// Whether the timer is armed (error recovery disarms every timeout).
bool expiry_timer_armed() {
  return expiry_timer != MAX_TIMEOUTS && get_timeout_active(expiry_timer);
}

std::string role_name(Oid role) {
  const char* name = nullptr;
  pg_guard([&] { name = GetUserNameFromId(role, true); });
  return name ? std::string(name) : std::string();
}

// Why the agent role `role` does not act as its agent now, or "": a role
// granted privileges after its registration (pg/actor/agent_roles.h) fails closed.
std::string refusal_of_privileged(Oid role) {
  std::string reason = privileged_role_reason(role);
  return reason.empty() ? reason : reason + ", so it does not act as an agent";
}

// Resolves the scopes of the actor's links against the active model.
void resolve_scopes(ActiveActor* actor) {
  Engine& engine = Engine::get();
  actor->scopes.clear();
  if (engine.model_id() < 0) return;
  for (const DelegationRow& link : actor->links) {
    std::vector<core::ScopeEntry> entries;
    for (const std::string& text : link.scopes) entries.push_back(core::parse_scope_entry(text));
    actor->scopes.push_back(core::resolve_scope(entries, engine.model(), engine.interner()));
  }
}

// Decides the actor afresh at `now`.
ActiveActor compute(TimestampTz now) {
  ActiveActor actor;
  if (IsParallelWorker()) {
    // The context lives in the leader's memory: a worker has none, and must
    // not fall back to the role's own agent either.
    actor.reason = "the actor context is not available in a parallel worker";
    return actor;
  }
  Oid role = GetUserId();
  const ActorContext& context = explicit_context();
  actor.kind = context.kind;
  actor.local = context.local;
  if (context.kind == ActorContext::Kind::None) {
    // An agent role with no delegation acts as itself.
    std::string agent = agent_of_current_role();
    if (agent.empty()) {
      actor.reason = "no actor context: call act_for() or set_subject()";
      return actor;
    }
    actor.kind = ActorContext::Kind::Agent;
    actor.implicit = true;
    actor.subject = actor.agent = agent;
    actor.reason = refusal_of_privileged(role);
    actor.valid = actor.reason.empty();
    return actor;
  }
  if (context.role != role) {
    // SET ROLE, SECURITY DEFINER functions: another role never inherits it.
    actor.reason = "the actor context was set by role " + role_name(context.role) +
                   ", not by the current role " + role_name(role);
    return actor;
  }
  if (context.kind == ActorContext::Kind::Subject && !trusted_application_session()) {
    // set_subject() took a trusted application; a role since revoked (an
    // agent's role lent agentauthz_app for a moment) keeps no subject.
    actor.reason = "role " + role_name(role) +
                   " set the actor subject and no longer acts as a trusted application";
    return actor;
  }
  if (context.kind == ActorContext::Kind::Subject || context.kind == ActorContext::Kind::Agent) {
    actor.subject = context.subject;
    if (context.kind == ActorContext::Kind::Agent) actor.agent = context.subject;
    actor.valid = true;
    return actor;
  }
  actor.agent = context.subject;
  // The role must still stand for the agent the delegation was issued to.
  std::string agent = agent_of_current_role();
  if (agent != context.subject) {
    actor.reason = "the current role no longer acts as " + context.subject;
    return actor;
  }
  actor.reason = refusal_of_privileged(role);
  if (!actor.reason.empty()) return actor;
  std::string failure;
  try {
    actor.links = read_chain(context.chain.back(), now);
  } catch (const core::Error& error) {
    failure = error.what();
  }
  if (!failure.empty()) {
    actor.reason = failure;
    return actor;
  }
  if (actor.links.size() != context.chain.size() || actor.links.back().agent != context.subject) {
    actor.reason = "the delegation chain changed";
    return actor;
  }
  for (const DelegationRow& link : actor.links)
    actor.valid_until = std::min(actor.valid_until, link.expires_at);
  actor.subject = actor.links.front().principal;
  resolve_scopes(&actor);
  actor.valid = true;
  return actor;
}

}  // namespace

std::string agent_of_current_role() { return agent_of_role(GetUserId()); }

std::string agent_of_session() {
  std::string agent = agent_of_current_role();
  if (agent.empty()) agent = agent_of_role(GetOuterUserId());
  if (agent.empty()) agent = agent_of_role(GetSessionUserId());
  return agent;
}

std::string agent_of_role(Oid role) {
  std::string name = role_name(role);
  std::string agent;
  bool found = false;
  pg_guard([&] { found = read_agent_of_role(name.c_str(), &agent); });
  return found ? agent : std::string();
}

std::vector<DelegationRow> read_chain(int64_t leaf_id, TimestampTz now) {
  std::vector<DelegationRow> links;
  int64_t id = leaf_id;
  while (id != 0) {
    if (links.size() >= kMaxChainLinks)
      throw core::Error(core::ErrorKind::Unauthorized, "delegation chain is too long");
    DelegationRow row;
    bool found = false;
    pg_guard([&] { found = read_delegation_row(id, &row); });
    if (!found)
      throw core::Error(core::ErrorKind::Unauthorized,
                        "delegation " + std::to_string(id) + " does not exist");
    if (row.revoked)
      throw core::Error(core::ErrorKind::Unauthorized,
                        "delegation " + std::to_string(id) + " has been revoked");
    if (row.expires_at <= now)
      throw core::Error(core::ErrorKind::Unauthorized,
                        "delegation " + std::to_string(id) + " has expired");
    if (!links.empty() && row.principal != links.back().principal)
      throw core::Error(core::ErrorKind::Unauthorized,
                        "delegation " + std::to_string(id) + " is for another principal");
    id = row.parent_id;
    links.push_back(std::move(row));
  }
  std::reverse(links.begin(), links.end());
  return links;
}

bool trusted_application_session() {
  return current_role_is_one_of({"agentauthz_app", "agentauthz_admin"}) &&
         agent_of_session().empty();
}

bool session_acts_for_agent() {
  const ActorContext& context = explicit_context();
  if (context.kind == ActorContext::Kind::Delegation || context.kind == ActorContext::Kind::Agent)
    return true;
  // A subject set by a trusted application role, for that role.
  if (context.kind == ActorContext::Kind::Subject && context.role == GetUserId() &&
      trusted_application_session())
    return false;
  return !agent_of_current_role().empty();
}

namespace {

// A prepared transaction outlives its session: one of an agent's could
// hold its locks (LOCK TABLE on a protected table) against every reader
// until a superuser finishes it. Agents do not prepare transactions, also
// not after SET ROLE to a role they are members of.
void refuse_agent_prepare(XactEvent event, void*) {
  if (event != XACT_EVENT_PRE_PREPARE) return;
  // Loaded by shared_preload_libraries, this runs in databases without the
  // extension (or where it was just dropped) too.
  if (!OidIsValid(get_extension_oid("agentauthz", true))) return;
  bool agent = false;
  call_guarded(
      [](void* out) {
        *static_cast<bool*>(out) = session_acts_for_agent() || !agent_of_session().empty();
      },
      &agent);
  if (agent)
    ereport(
        ERROR,
        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
         errmsg("cannot PREPARE a transaction of a session acting for an agent"),
         errdetail("A prepared transaction outlives the session; its locks would hold every reader "
                   "of what it locked until it is finished.")));
}

}  // namespace

void register_agent_prepare_check() { RegisterXactCallback(refuse_agent_prepare, nullptr); }

const ActiveActor& active_actor() {
  // At each new statement (pg/common/statements.h), what other sessions committed to
  // agents and delegations is taken in and the clock read before the cached
  // actor may serve again; within a statement, the expiry timer. Other
  // invalidations are not taken mid-statement: they could drop the tuple
  // caches the statement is using.
  uint64_t statement = statement_serial();
  bool new_statement = !cached_valid || statement != checked_at_statement;
  if (new_statement || expiry_reached) {
    if (new_statement) pg_guard([] { AcceptInvalidationMessages(); });
    checked_at_statement = statement;
    expiry_reached = false;
    decided_at = GetCurrentTimestamp();
    if (decided_at >= cached.valid_until) cached_valid = false;
    // An error's recovery disarms all timeouts: arm again for the actor kept.
    if (cached_valid && cached.valid && cached.valid_until != DT_NOEND && !expiry_timer_armed())
      arm_expiry_timer(cached.valid_until);
  }
  CacheKey key;
  key.view = view_epoch();
  key.context_generation = context_generation();
  key.actor_tables = actor_tables_generation();
  key.role_privileges = role_privileges_generation();
  key.role = GetUserId();
  key.model_id = Engine::get().model_id();
  uint64_t symbols = Engine::get().interner().generation();
  if (cached_valid && key == cached_key) {
    // The engine started its caches over: the same actor, its scopes
    // named again in the new interned ids.
    if (scopes_symbols != symbols) {
      if (cached.valid) resolve_scopes(&cached);
      scopes_symbols = symbols;
    }
    return cached;
  }
  cached_valid = false;
  ++epoch;
  cached = compute(decided_at);
  scopes_symbols = Engine::get().interner().generation();
  cached_key = key;
  cached_valid = true;
  arm_expiry_timer(cached.valid ? cached.valid_until : DT_NOEND);
  return cached;
}

}  // namespace agentauthz::pg

namespace agentauthz::pg {
uint64_t active_actor_epoch() { return epoch; }
}  // namespace agentauthz::pg
