#include "pg/actor/actor_condition_values.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json/json_parse.h"
#include "pg/actor/agent_roles.h"
#include "pg/actor/session_values.h"

namespace agentauthz::pg {

namespace {

// One trusted source's values, parsed.
struct Source {
  std::string name;  // "delegation 42", "set_context"
  bool from_chain = false;
  bool agent_issued = false;  // a sub-delegation's: it may only narrow
  core::json::Value values;   // an object
};

// The actor's sources, parsed once per actor (its epoch), session values,
// role and role memberships: a check only adds them to its merger.
struct ParsedSources {
  bool valid = false;
  uint64_t actor_epoch = 0;
  uint64_t values_generation = 0;
  uint64_t role_privileges = 0;  // whether the role may still supply values
  Oid role = InvalidOid;
  std::vector<Source> sources;
  core::ConditionContext merged;          // all of them, when they agree
  core::ConditionContext merged_issuers;  // all but agent-issued links'
  std::optional<core::Error> conflict;    // else why not
};

ParsedSources parsed;

// Parses a link's stored context (written by delegate() or subdelegate(),
// which checked it; a superuser could have changed it since).
core::json::Value parse_link_context(const DelegationRow& link) {
  core::json::Value values;
  std::string error;
  if (!core::json::parse(link.context, &values, &error) ||
      values.kind() != core::json::Kind::Object)
    throw core::Error(
        core::ErrorKind::InvalidArgument,
        "the context stored with delegation " + std::to_string(link.id) + " is not a JSON object",
        error);
  return values;
}

// Merges the sources once, keeping the merged values or the conflict.
void merge_sources() {
  parsed.conflict.reset();
  parsed.merged = core::ConditionContext();
  parsed.merged_issuers = core::ConditionContext();
  core::ContextMerger merger;
  core::ContextMerger issuers;
  try {
    for (const Source& source : parsed.sources) {
      merger.add(source.name, source.values);
      if (!source.agent_issued) issuers.add(source.name, source.values);
    }
  } catch (const core::Error& error) {
    parsed.conflict = error;
    return;
  }
  parsed.merged = merger.result();
  parsed.merged_issuers = issuers.result();
}

// Returns the actor's sources, parsing and merging them when the actor, the
// session's values or the role changed.
const std::vector<Source>& sources_of(const ActiveActor& actor) {
  Oid role = GetUserId();
  uint64_t epoch = active_actor_epoch();
  uint64_t generation = session_values_generation();
  uint64_t privileges = role_privileges_generation();
  if (parsed.valid && parsed.actor_epoch == epoch && parsed.values_generation == generation &&
      parsed.role_privileges == privileges && parsed.role == role)
    return parsed.sources;
  parsed.valid = false;  // until parsed: an error leaves nothing kept
  parsed.sources.clear();
  for (size_t i = 0; i < actor.links.size(); ++i) {
    const DelegationRow& link = actor.links[i];
    if (!link.context.empty())
      parsed.sources.push_back(
          Source{"delegation " + std::to_string(link.id), true, i > 0, parse_link_context(link)});
  }
  if (const core::json::Value* values = session_values_of_current_role())
    parsed.sources.push_back(Source{"set_context", false, false, *values});
  merge_sources();
  parsed.actor_epoch = epoch;
  parsed.values_generation = generation;
  parsed.role_privileges = privileges;
  parsed.role = role;
  parsed.valid = true;
  return parsed.sources;
}

}  // namespace

void add_actor_condition_values(const ActiveActor& actor, core::ContextMerger* merger,
                                bool with_agent_links) {
  for (const Source& source : sources_of(actor))
    if (with_agent_links || !source.agent_issued) merger->add(source.name, source.values);
}

const core::ConditionContext& actor_condition_context(const ActiveActor& actor,
                                                      bool with_agent_links) {
  sources_of(actor);
  if (parsed.conflict) throw *parsed.conflict;
  return with_agent_links ? parsed.merged : parsed.merged_issuers;
}

bool agent_links_pin_values(const ActiveActor& actor) {
  for (const Source& source : sources_of(actor))
    if (source.agent_issued) return true;
  return false;
}

void check_child_condition_values(const ActiveActor& actor, const core::json::Value& child) {
  for (const Source& source : sources_of(actor)) {
    if (!source.from_chain) continue;
    for (const core::json::Value::Member& member : child.members()) {
      // Refused whatever the value: accepting an equal one would let an
      // agent find a pinned value by guessing.
      if (source.values.find(member.first) == nullptr) continue;
      throw core::Error(core::ErrorKind::InvalidArgument,
                        "condition parameter \"" + member.first + "\" is pinned by " + source.name,
                        "A sub-delegation may add condition parameters, never repeat or change "
                        "one its ancestors pin.");
    }
  }
}

}  // namespace agentauthz::pg
