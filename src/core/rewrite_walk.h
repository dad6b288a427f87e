// The one walk of a compiled rewrite tree. Every use of a relation's
// definition -- check and explain, a delegation scope's reach,
// list_subjects' expansion, the model's reverse edges and monotonicity --
// is a policy handed to walk_rewrite(), which holds the only switch over
// RewriteKind. A policy says what each leaf yields and how each operator
// folds its children's results, stopping early where its rule allows:
//
//   struct SomeWalk {
//     using Result = ...;                               // what a subtree yields
//     Result direct();                                  // `[user, group#member]`
//     Result computed(RelationId relation);             // `editor`: same object
//     Result tuple_to_userset(const RewriteNode& ttu);  // `viewer from parent`
//     SomeFold union_fold();                            // `a or b or ...`
//     SomeFold intersection_fold();                     // `a and b and ...`
//     SomeFold exclusion_fold();                        // `a but not b`
//   };
//   struct SomeFold {
//     SomeWalk& operands();    // the policy the operator's children are walked with
//     bool add(Result child);  // takes the next child's result; true: the rest cannot matter
//     Result result();         // the operator's result
//   };
//
// An exclusion's children are its base, then what it subtracts. Policies
// and folds are concrete types called directly, so check's hot path pays
// no virtual call and no std::function per node.
//
// The policies: Evaluator::CheckWalk (evaluator.cpp) decides, with
// OpenFGA's four outcomes. Evaluator::ScopeWalk (evaluator_scope.cpp),
// Evaluator::SubjectsWalk (evaluator_lists.cpp) and ReverseEdgeWalk
// (model.cpp) follow whatever might grant (ReachFold below). MonotoneWalk
// (model.cpp) finds whether a tree intersects or subtracts.
#pragma once

#include <vector>

#include "core/error.h"
#include "core/model.h"

namespace agentauthz::core {

template <typename Walk>
typename Walk::Result walk_rewrite(const RewriteNode& node, Walk& walk);

// Walks an operator's children in order, folding each result in until the
// fold has its answer.
template <typename Fold>
auto fold_operands(const std::vector<RewriteNode>& children, Fold fold) {
  for (const RewriteNode& child : children)
    if (fold.add(walk_rewrite(child, fold.operands()))) break;
  return fold.result();
}

// Returns what `walk` makes of the rewrite tree at `node`: a leaf's own
// result, or an operator's children folded.
template <typename Walk>
typename Walk::Result walk_rewrite(const RewriteNode& node, Walk& walk) {
  switch (node.kind) {
    case RewriteKind::Direct:
      return walk.direct();
    case RewriteKind::Computed:
      return walk.computed(node.relation);
    case RewriteKind::TupleToUserset:
      return walk.tuple_to_userset(node);
    case RewriteKind::Union:
      return fold_operands(node.children, walk.union_fold());
    case RewriteKind::Intersection:
      return fold_operands(node.children, walk.intersection_fold());
    case RewriteKind::Exclusion:
      return fold_operands(node.children, walk.exclusion_fold());
  }
  throw Error(ErrorKind::Internal, "unknown rewrite kind");
}

// The fold of a walk that follows whatever might grant rather than
// deciding: its leaves return true once they reach what the walk looks for
// (which stops it), or always false to visit every branch. An operator
// reaches what any operand reaches, or, for an exclusion, what its base
// reaches: what an exclusion subtracts never grants.
template <typename Walk>
class ReachFold {
 public:
  ReachFold(Walk& walk, bool base_only) : walk_(walk), base_only_(base_only) {}
  Walk& operands() { return walk_; }
  bool add(bool reached) {
    reached_ = reached;
    return reached || base_only_;
  }
  bool result() const { return reached_; }

 private:
  Walk& walk_;
  bool base_only_;
  bool reached_ = false;
};

// A union's or intersection's fold for a reaching walk: any operand.
template <typename Walk>
ReachFold<Walk> reach_any_operand(Walk& walk) {
  return ReachFold<Walk>(walk, false);
}

// An exclusion's fold for a reaching walk: its base only.
template <typename Walk>
ReachFold<Walk> reach_base_only(Walk& walk) {
  return ReachFold<Walk>(walk, true);
}

}  // namespace agentauthz::core
