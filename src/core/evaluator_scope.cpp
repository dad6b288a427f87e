// Delegation scopes: whether evaluating (object, relation) reaches a node a
// scope names, for a virtual subject that holds no tuples of its own.
#include "core/error.h"
#include "core/evaluator.h"

namespace agentauthz::core {

void Evaluator::stored_usersets(const RelationInfo& relation, const Object& object,
                                std::vector<std::pair<Object, RelationId>>* usersets) {
  if (!relation.allows_usersets) return;
  const Model& model = *model_;
  if (const ObjectTuples* tuples = object_tuples(object)) {
    for (uint32_t i = tuples->begin; i < tuples->begin + tuples->count; ++i) {
      const StoredTuple& t = stored_[i];
      if (t.relation == relation.id && t.subject_relation >= 0 &&
          model.allows(relation.id, t.type, t.subject_relation, false))
        usersets->emplace_back(Object{t.type, t.id}, t.subject_relation);
    }
    return;
  }
  reader_.read_subjects(ObjectKey{model.type(object.type).name, interner_.text(object.id)},
                        relation.name, SubjectFilter::UsersetsOnly, [&](const SubjectKey& key) {
                          TypeId type = model.find_type(key.type);
                          if (type < 0) return true;
                          RelationId member = model.find_relation(type, key.relation);
                          if (member >= 0 && model.allows(relation.id, type, member, false))
                            usersets->emplace_back(Object{type, interner_.intern(key.id)}, member);
                          return true;
                        });
}

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

bool Evaluator::reaches(const ResolvedScope& scope, const Object& object, RelationId relation,
                        int depth) {
  if (scope.matches(object.type, object.id, relation)) return true;
  // Beyond the depth limit check would fail anyway: nothing is reached.
  if (depth >= options_.max_depth) return false;
  poll_interrupt();
  if (!scope_seen_.insert(memo_key(Subject{0x7ffe, 0, -1}, object, relation), 1).second)
    return false;
  const RelationInfo& info = model_->relation(relation);
  return reaches(scope, info.rewrite, info, object, depth);
}

bool Evaluator::reaches(const ResolvedScope& scope, const RewriteNode& node,
                        const RelationInfo& relation, const Object& object, int depth) {
  switch (node.kind) {
    case RewriteKind::Direct: {
      std::vector<std::pair<Object, RelationId>> usersets;
      stored_usersets(relation, object, &usersets);
      for (const auto& [userset, member] : usersets)
        if (reaches(scope, userset, member, depth + 1)) return true;
      return false;
    }
    case RewriteKind::Computed:
      return reaches(scope, object, node.relation, depth + 1);
    case RewriteKind::TupleToUserset: {
      std::vector<Object> parents;
      std::vector<RelationId> targets;
      stored_parents(node, object, &parents, &targets);
      for (size_t i = 0; i < parents.size(); ++i)
        if (reaches(scope, parents[i], targets[i], depth + 1)) return true;
      return false;
    }
    case RewriteKind::Union:
    case RewriteKind::Intersection:
      for (const RewriteNode& child : node.children)
        if (reaches(scope, child, relation, object, depth)) return true;
      return false;
    case RewriteKind::Exclusion:
      // What is subtracted never widens a scope.
      return reaches(scope, node.children[0], relation, object, depth);
  }
  throw Error(ErrorKind::Internal, "unknown rewrite kind");
}

}  // namespace agentauthz::core
