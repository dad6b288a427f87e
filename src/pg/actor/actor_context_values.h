// The context an actor's checks evaluate conditions with: the values its
// trusted sources pin (delegation links, the session's set_context), the
// values of the row an RLS policy is deciding (protect()'s
// context_columns), and `current_time` -- the statement's start -- where a
// condition declares it and no source gives it. Agents supply none of it.
#pragma once

#include "core/condition_context.h"
#include "core/evaluator.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

// Sets the actor's context on the evaluator, replacing whatever an earlier
// request left there: the issuers' values, and with `with_agent_links`
// those of the links agents issued too (which may only narrow: a decision
// needs both). Throws core::Error(InvalidArgument) when two sources give a
// parameter different values. `with_row` false leaves the row's values
// (current_row_values()) out.
void use_actor_context(const ActiveActor& actor, core::Evaluator& evaluator,
                       bool with_agent_links = false, bool with_row = true);

// The actor's context without a row (the issuers' values), or nullptr when
// the model has no conditions: what an allowed set built now depends on.
const core::ConditionContext* actor_base_context(const ActiveActor& actor,
                                                 const core::Model& model);

}  // namespace agentauthz::pg
