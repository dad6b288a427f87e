// The actor in force for the current statement: the session's context,
// checked against the current role and, for a delegation, every link of its
// chain. Who the role's agent is and whether each link holds are read like
// PostgreSQL reads its catalogs (pg/catalog/catalog_rows.h): the latest committed
// state, decided again at every statement (pg/common/statements.h) -- a revocation
// committed, or an expiry passed, denies from then on, whatever the
// transaction's isolation or age. An expiry is also seen within a long
// statement (a timer set to it marks the actor for deciding again).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/scope.h"
#include "pg/actor/context.h"
#include "pg/catalog/catalog_rows.h"

namespace agentauthz::pg {

struct ActiveActor {
  ActorContext::Kind kind = ActorContext::Kind::None;
  bool implicit = false;             // an agent role acting as itself, without act_for
  bool valid = false;                // false: every check is denied
  std::string reason;                // why not valid
  std::string subject;               // who checks are made for: the subject, agent or principal
  std::string agent;                 // Agent, Delegation
  std::vector<DelegationRow> links;  // Delegation: root first
  std::vector<core::ResolvedScope> scopes;  // Delegation: per link (when a model exists)
  TimestampTz valid_until = DT_NOEND;       // Delegation: the earliest expiry of its links
  bool local = true;
};

// Returns the actor for the current statement (cached while the context,
// the role, the model, the visible data and agents and delegations stay the
// same, and the earliest expiry has not passed). Call after Engine::prepare.
const ActiveActor& active_actor();
// Changes whenever active_actor() was computed afresh: what is derived from
// the actor for one statement is valid while it stays the same.
uint64_t active_actor_epoch();

// Reads and checks a delegation chain from its leaf up, as valid at `now`;
// throws core::Error(Unauthorized) naming the first link that is missing,
// revoked or expired. Returns the links root first.
std::vector<DelegationRow> read_chain(int64_t leaf_id, TimestampTz now);

// Whether this session acts for an agent: under an act_for() context, or as
// an agent role without one -- valid or not (a revoked or expired
// delegation restricts as much as a valid one). A subject an application
// role set for itself does not.
bool session_acts_for_agent();
// Refuses PREPARE TRANSACTION in such sessions; called once from _PG_init.
void register_agent_prepare_check();

// Returns the agent the current role (or `role`) stands for, or "".
std::string agent_of_current_role();
std::string agent_of_role(Oid role);
// The agent of the current role, else of the role SET ROLE chose, else of
// the login role: a session logged in as an agent stays that agent
// whatever role it sets.
std::string agent_of_session();
// Whether the current role acts as a trusted application (set_subject,
// set_context): a member of agentauthz_app or agentauthz_admin, in a
// session no agent's role is part of. An agent's role lent the membership
// for a while could have kept it past the revoke: SET ROLE agentauthz_app
// stays in force, and so does a SECURITY DEFINER function it made the
// role own.
bool trusted_application_session();

}  // namespace agentauthz::pg
