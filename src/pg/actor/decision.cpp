#include "pg/actor/decision.h"

#include <algorithm>

#include "core/error.h"
#include "pg/actor/actor_condition_values.h"
#include "pg/actor/actor_context_values.h"
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

}  // namespace

Decision decide(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                const core::Object& object) {
  if (!actor.valid) return Decision::Denied;  // fail closed
  use_actor_context(actor, evaluator);
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
    use_actor_context(actor, evaluator, true);
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
                  core::TypeId type, std::vector<core::Symbol>* out, size_t max_nodes) {
  if (!actor.valid) return true;
  // With values an agent pinned, each row is decided by itself (decide).
  if (evaluator.model().has_conditions() && agent_links_pin_values(actor)) return false;
  use_actor_context(actor, evaluator);
  const core::Subject* who = principal.of(actor, evaluator);
  if (who == nullptr) return true;
  // Too deep is not allowed, as for a single check (decide).
  if (!evaluator.list_objects(*who, relation, out, core::Evaluator::BeyondDepth::Omit, max_nodes))
    return false;
  if (!actor.scopes.empty()) {
    out->erase(
        std::remove_if(out->begin(), out->end(),
                       [&](core::Symbol id) {
                         return !within_scopes(actor, evaluator, relation, core::Object{type, id});
                       }),
        out->end());
  }
  return true;
}

}  // namespace agentauthz::pg
