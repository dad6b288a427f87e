#include "pg/actor/actor_condition_values.h"

namespace agentauthz::pg {

void add_actor_condition_values(const ActiveActor& actor, core::ContextMerger* merger) {
  (void)actor;
  (void)merger;
}

}  // namespace agentauthz::pg
