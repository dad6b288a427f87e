// The actor's allowed sets: after many checks of one (relation, type) in a
// statement -- an RLS scan -- the actor's allowed objects are listed once
// (pg/actor/decision.h) and each further row is a hash lookup. A set is
// kept while the actor stays the same (active_actor_epoch), counted in the
// engine's memory; when the engine starts over its interned ids go and its
// integer ids stay.
//
// Ids that print as integers are held as integers, listed without being
// interned: a 50%-visible table of a million rows lists 500,000 ids, and
// interning each was most of a scan's cost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/evaluator.h"
#include "core/integer_set.h"
#include "core/request.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

struct AllowedSet {
  core::TypeId type = -1;
  core::RelationId relation = -1;
  uint32_t checks = 0;  // in the current statement
  uint64_t statement = 0;
  bool built = false;       // listed: integer_ids holds
  bool named_kept = false;  // named_ids holds too (until the engine starts over)
  bool unusable = false;    // too large, or too deep to list
  // The ids that are integers in canonical decimal form: an integer key
  // column is looked up without formatting or interning its value. Being
  // no interned ids, they outlive the engine starting over: an agent's
  // scan of a large table lists its set once, not once per statement.
  core::IntegerSet integer_ids;
  // The others, interned.
  core::IntegerSet named_ids;
  // The actor's condition context the set was built under (empty text when
  // the model has no conditions).
  std::string context;
};

// Returns the current actor's set of (type, relation), built or not.
AllowedSet& allowed_set_for(core::TypeId type, core::RelationId relation);

// Whether a set may answer now: never for a row with its own condition
// values, and only under the condition context it was built with
// (current_time moves on with each statement). A set built under another
// is dropped.
bool usable_in_context(const ActiveActor& actor, AllowedSet* set);

// Answers from the allowed set of (type, relation) when it is built,
// without interning `id`: an id not interned is in no set. False when the
// set is not built (or the actor not valid).
bool answer_from_built_set(const ActiveActor& actor, core::TypeId type, core::RelationId relation,
                           std::string_view id, bool* allowed);

// Answers from the statement's allowed set once the same question has been
// asked often enough, building it then; returns false when the row must be
// decided itself.
bool answer_from_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator,
                             core::RelationId relation, const core::Object& object, bool* allowed);

}  // namespace agentauthz::pg
