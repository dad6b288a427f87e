// The condition values the actor's trusted sources pin: each delegation
// link's context (its issuer's, never the agent's), and the session's
// set_context values. An agent can never supply or override one itself.
#pragma once

#include "core/condition_context.h"
#include "core/json/json_value.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

// Adds the values the actor's trusted sources pin to *merger: each delegation
// link's context, root first (source names like "delegation 42"), then the
// session's set_context ("set_context"). Throws core::Error(InvalidArgument)
// when two sources disagree (ContextMerger does that). `actor` is the
// active_actor(): the parsed values are kept while its epoch lasts.
// With `with_agent_links` false, the links an agent issued (sub-delegations)
// are left out: their values may only narrow what the issuers' allow, so
// a check is made without them and, if it allows, with them.
void add_actor_condition_values(const ActiveActor& actor, core::ContextMerger* merger,
                                bool with_agent_links = true);

// The same values merged, kept while the actor's epoch, the session's
// values and the role stay the same. A check that adds no values of its own
// can set these on its evaluator as they are: measured, a copy of them
// costs 15-30 ns, add_actor_condition_values 10 ns without values, 80 ns
// for one and 260 ns for six over three links. Throws as
// add_actor_condition_values does.
const core::ConditionContext& actor_condition_context(const ActiveActor& actor,
                                                      bool with_agent_links = true);

// Whether some link an agent issued pins values (see above).
bool agent_links_pin_values(const ActiveActor& actor);

// Refuses (core::Error InvalidArgument, naming the parameter and the link)
// a sub-delegation's context that gives a parameter a link of the actor's
// chain pins another value: a child adds parameters, never changes its
// ancestors'. The values themselves are not shown: an agent is not told
// them.
void check_child_condition_values(const ActiveActor& actor, const core::json::Value& child);

}  // namespace agentauthz::pg
