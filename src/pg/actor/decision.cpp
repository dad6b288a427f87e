#include "pg/actor/decision.h"

#include <optional>

#include "core/error.h"
#include "pg/actor/actor_condition_values.h"
#include "pg/actor/actor_context_values.h"
#include "pg/actor/row_context.h"
#include "pg/engine/engine.h"

namespace agentauthz::pg {

namespace {

// The principal checks are made for, resolved once per actor: kept while
// the actor (active_actor_epoch) and the compiled model stay the same, and
// dropped when the engine starts over, as its interned id is void then.
class ResolvedPrincipal final : public SymbolHolder {
 public:
  size_t bytes() const override { return 0; }  // its id is counted in the interner
  void drop() override { resolved_ = false; }

  // Returns the actor's principal, or nullptr when the active model no
  // longer defines its type or relation (nothing is granted then).
  const core::Subject* of(const ActiveActor& actor, core::Evaluator& evaluator) {
    Engine& engine = Engine::get();
    if (!attached_) {
      engine.attach(this);
      attached_ = true;
    }
    const core::Model* model = &engine.model();
    if (!resolved_ || epoch_ != active_actor_epoch() || model_ != model) {
      resolved_ = false;  // until resolved: an error leaves nothing kept
      defined_ = resolve(actor, evaluator, &subject_);
      epoch_ = active_actor_epoch();
      model_ = model;
      resolved_ = true;
    }
    return defined_ ? &subject_ : nullptr;
  }

 private:
  // Resolves the actor's subject text; false for a name the model does not
  // define.
  static bool resolve(const ActiveActor& actor, core::Evaluator& evaluator, core::Subject* out) {
    try {
      *out = evaluator.resolver().subject(actor.subject);
      return true;
    } catch (const core::Error& error) {
      if (error.kind() == core::ErrorKind::UndefinedName) return false;
      throw;
    }
  }

  bool attached_ = false;
  bool resolved_ = false;
  bool defined_ = false;
  uint64_t epoch_ = 0;
  const core::Model* model_ = nullptr;
  core::Subject subject_;
};

ResolvedPrincipal principal;

// Whether every delegation link's scope reaches (relation, object).
bool within_scopes(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                   const core::Object& object) {
  for (size_t i = 0; i < actor.scopes.size(); ++i)
    if (!evaluator.scope_allows(actor.scopes[i], static_cast<uint32_t>(actor.links[i].id), relation,
                                object))
      return false;
  return true;
}

std::optional<core::Error> last_conflict;

// Puts the actor's context in force with the row's values, or, when those
// contradict a value a trusted source pins, says whether the object is
// within the actor's scopes (judged without the row's values): outside
// them the row is just not the actor's to see, and it learns nothing of
// its values; within them the conflict is the decision.
bool use_row_context(const ActiveActor& actor, core::Evaluator& evaluator,
                     core::RelationId relation, const core::Object& object, bool with_agent_links,
                     Decision* decision) {
  try {
    use_actor_context(actor, evaluator, with_agent_links);
    return true;
  } catch (const core::Error& error) {
    if (error.kind() != core::ErrorKind::InvalidArgument || current_row_values() == nullptr) throw;
    last_conflict = error;
  }
  use_actor_context(actor, evaluator, false, false);
  *decision = Decision::Denied;
  try {
    if (within_scopes(actor, evaluator, relation, object)) *decision = Decision::Conflict;
  } catch (const core::Error& error) {
    if (error.kind() != core::ErrorKind::ConditionFailed &&
        error.kind() != core::ErrorKind::DepthExceeded)
      throw;
  }
  return false;
}

}  // namespace

const core::Error& conflict_error() { return *last_conflict; }

Decision decide(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                const core::Object& object) {
  if (!actor.valid) return Decision::Denied;  // fail closed
  if (row_values_unreadable()) return Decision::Undecidable;
  Decision conflict = Decision::Denied;
  if (!use_row_context(actor, evaluator, relation, object, false, &conflict)) return conflict;
  // Data decides how deep a check goes, and rows may be written by agents:
  // a check too deep to decide is not allowed, never an error for a reader.
  try {
    if (!within_scopes(actor, evaluator, relation, object)) return Decision::Denied;
    const core::Subject* who = principal.of(actor, evaluator);
    if (who == nullptr) return Decision::Denied;
    if (!evaluator.check(*who, relation, object)) return Decision::Denied;
    // Values a sub-delegation's agent pinned may only narrow: the check
    // must also hold with them.
    if (!agent_links_pin_values(actor)) return Decision::Allowed;
    if (!use_row_context(actor, evaluator, relation, object, true, &conflict)) return conflict;
    return evaluator.check(*who, relation, object) ? Decision::Allowed : Decision::Denied;
  } catch (const core::Error& error) {
    // Rows are written by agents too: a condition one row's values cannot
    // satisfy refuses that row, never every reader's whole statement.
    if (error.kind() == core::ErrorKind::ConditionFailed) return Decision::Undecidable;
    if (error.kind() != core::ErrorKind::DepthExceeded) throw;
  }
  return Decision::TooDeep;
}

void disclose(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
              const core::Object& object, Disclosure* out) {
  out->shown = Disclosure::Shown::Nothing;
  if (!actor.valid) return;
  out->shown = Disclosure::Shown::Withheld;
  if (actor.kind != ActorContext::Kind::Subject) return;
  use_actor_context(actor, evaluator);
  const core::Subject* who = principal.of(actor, evaluator);
  if (who == nullptr) return;
  out->shown = Disclosure::Shown::SubjectProof;
  out->granted = evaluator.explain(*who, relation, object, &out->proof);
}

bool list_allowed(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                  core::TypeId type, const core::Evaluator::ObjectSink& sink, size_t max_nodes) {
  if (!actor.valid) return true;
  // With values an agent pinned, each row is decided by itself (decide).
  if (evaluator.model().has_conditions() && agent_links_pin_values(actor)) return false;
  use_actor_context(actor, evaluator);
  const core::Subject* who = principal.of(actor, evaluator);
  if (who == nullptr) return true;
  // Too deep is not allowed, as for a single check (decide).
  constexpr auto omit = core::Evaluator::BeyondDepth::Omit;
  // A scope naming every object of the type (`viewer@document:*`) lets
  // them all through without a walk per object.
  bool narrowing = false;
  for (const core::ResolvedScope& scope : actor.scopes)
    narrowing = narrowing || !scope.covers_all(type, relation);
  if (!narrowing) return evaluator.list_objects(*who, relation, sink, omit, max_nodes);
  // Each object is walked for the scopes once the listing is done (a walk
  // reads tuples: not from inside the listing's reads).
  std::vector<core::Symbol> ids;
  if (!evaluator.list_objects(*who, relation, &ids, omit, max_nodes)) return false;
  for (core::Symbol id : ids)
    if (within_scopes(actor, evaluator, relation, core::Object{type, id})) sink.interned(id);
  return true;
}

}  // namespace agentauthz::pg
