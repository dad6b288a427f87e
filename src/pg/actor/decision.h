// The actor's decision, written once: its chain valid, every delegation
// link's scope reaching the object, and the principal -- the subject an
// application set, the agent itself, or the delegation's principal --
// having the relation on it; the listing of what it may have it on; and
// what explain() may show of a decision. The principal is resolved once per
// actor, not per row. Nothing here is recorded or consults an allowed set
// (pg/actor/allowed_sets.h, pg/actor/queries.h do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/request.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

// TooDeep: the check exceeded agentauthz.max_depth -- not allowed.
// TooDeep and Undecidable are refusals put on record with their reason: a
// check beyond agentauthz.max_depth, a condition that cannot be evaluated
// (a row's values of the wrong type, a parameter no source gives).
// Conflict: the row's values contradict a value a trusted source pins, on
// an object within the actor's scopes; conflict_error() says which.
enum class Decision { Allowed, Denied, TooDeep, Undecidable, Conflict };

// What explain() may show besides the decision. A subject set by a trusted
// application gets the subject's proof. An agent is told the decision only:
// a proof names tuples (a principal's groups, other folders, who is
// blocked) that its own checks could never ask about, within its scopes or
// outside them.
struct Disclosure {
  enum class Shown { Nothing, Withheld, SubjectProof };
  Shown shown = Shown::Nothing;  // Nothing: no valid actor
  bool granted = false;          // SubjectProof: the subject's own check
  core::Proof proof;             // SubjectProof
};

// Decides (relation, object) for `actor` (the active_actor()): denied
// without a valid actor, outside a link's scope, or when the model no
// longer defines the principal's type.
Decision decide(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                const core::Object& object);

// The error behind the last Decision::Conflict: which parameter, which
// sources (never the values).
const core::Error& conflict_error();

// Fills `out` with what explain() may show of the actor's decision on
// (relation, object).
void disclose(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
              const core::Object& object, Disclosure* out);

// Reports to `sink` the objects of `type` the actor has `relation` on: the
// principal's, less those a link's scope does not reach (none without a
// valid actor); an object may be reported more than once. Returns false
// when that would visit more than `max_nodes` nodes.
bool list_allowed(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                  core::TypeId type, const core::Evaluator::ObjectSink& sink,
                  size_t max_nodes = SIZE_MAX);

}  // namespace agentauthz::pg
