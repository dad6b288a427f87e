// The condition values the actor's trusted sources pin: each delegation
// link's context and the session's set_context.
#pragma once

#include "core/condition_context.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

// Adds the values the actor's trusted sources pin to *merger; throws
// core::Error(InvalidArgument) when two sources disagree.
void add_actor_condition_values(const ActiveActor& actor, core::ContextMerger* merger);

}  // namespace agentauthz::pg
