// Delegation scopes: whether evaluating (object, relation) reaches a node a
// scope names, for a virtual subject that holds no tuples of its own.
#include "core/evaluator.h"
#include "core/rewrite_walk.h"

namespace agentauthz::core {

// A delegation scope's reach as a walk of one relation's rewrite tree on
// `object`: true once it reaches a node the scope names. No tuple grants
// the virtual subject itself, so leaves only follow usersets and parents.
struct Evaluator::ScopeWalk {
  using Result = bool;
  Evaluator& self;
  const ResolvedScope& scope;
  const RelationInfo& relation;
  const Object& object;
  int depth;

  bool direct() {
    std::vector<Subject> usersets;
    // As for parents: only usersets whose tuple's condition holds now.
    bool condition_error = false;
    self.stored_subjects(relation, object, SubjectFilter::UsersetsOnly, &usersets,
                         &condition_error);
    for (const Subject& userset : usersets)
      if (self.reaches(scope, Object{userset.type, userset.id}, userset.relation, depth + 1))
        return true;
    return false;
  }
  bool computed(RelationId target) { return self.reaches(scope, object, target, depth + 1); }
  bool tuple_to_userset(const RewriteNode& ttu) {
    std::vector<Object> parents;
    std::vector<RelationId> targets;
    // Only parents whose tuple's condition holds now lead anywhere; one that
    // cannot be evaluated leads nowhere (a scope only narrows).
    bool condition_error = false;
    self.stored_parents(ttu, object, &parents, &targets, &condition_error);
    for (size_t i = 0; i < parents.size(); ++i)
      if (self.reaches(scope, parents[i], targets[i], depth + 1)) return true;
    return false;
  }
  // Any operand may be what grants; what is subtracted never widens a scope.
  auto union_fold() { return reach_any_operand(*this); }
  auto intersection_fold() { return reach_any_operand(*this); }
  auto exclusion_fold() { return reach_base_only(*this); }
};

// Returns whether (object, relation) reaches a node the scope names,
// walking once per scope and node and remembering the answer.
bool Evaluator::scope_allows(const ResolvedScope& scope, uint32_t scope_key, RelationId relation,
                             const Object& object) {
  // The memo key's subject half names the scope: a type no model has.
  Subject marker{0x7ffe, scope_key, -1};
  MemoKey key = memo_key(marker, object, relation);
  if (const uint8_t* known = scope_memo_.find(key)) return *known == kTrue;
  bound_caches();  // no check is under way
  scope_seen_.clear();
  // Reachability needs each node once: a walk that meets a node again
  // (a cycle, or another path to it) has nothing new to find there.
  bool allowed = reaches(scope, object, relation, 0);
  scope_seen_.clear();
  scope_memo_.set(key, allowed ? kTrue : kFalse);
  return allowed;
}

// Returns whether (object, relation) is a node the scope names or leads to
// one, each node walked once per scope_allows().
bool Evaluator::reaches(const ResolvedScope& scope, const Object& object, RelationId relation,
                        int depth) {
  if (scope.matches(object.type, object.id, relation)) return true;
  // Beyond the depth limit check would fail anyway: nothing is reached.
  if (depth >= options_.max_depth) return false;
  poll_interrupt();
  if (!scope_seen_.insert(memo_key(Subject{0x7ffe, 0, -1}, object, relation), 1).second)
    return false;
  const RelationInfo& info = model_->relation(relation);
  ScopeWalk walk{*this, scope, info, object, depth};
  return walk_rewrite(info.rewrite, walk);
}

}  // namespace agentauthz::core
