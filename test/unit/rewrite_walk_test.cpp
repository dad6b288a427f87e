// Unit tests for walk_rewrite() and the reach fold: which leaves a walk
// visits, in which order, and where each operator stops.
#include "core/rewrite_walk.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/model.h"

namespace agentauthz::core {
namespace {

constexpr const char* kModel = R"(model
  schema 1.1
type user
type doc
  relations
    define parent: [doc]
    define a: [user]
    define b: [user]
    define c: [user]
    define any: a or b or c
    define all: a and b and c
    define but: a but not b
    define nested: (a or b) but not (c and a)
    define leaves: [user] or a or b from parent
)";

// A reaching walk that records the leaves it visits and reaches the
// computed relations named in `reached`.
struct RecordingWalk {
  using Result = bool;
  const Model& model;
  std::set<std::string> reached;
  std::vector<std::string> visited;

  bool direct() {
    visited.push_back("direct");
    return reached.count("direct") > 0;
  }
  bool computed(RelationId relation) {
    const std::string& name = model.relation(relation).name;
    visited.push_back(name);
    return reached.count(name) > 0;
  }
  bool tuple_to_userset(const RewriteNode& ttu) {
    visited.push_back(ttu.computed_name + " from " + model.relation(ttu.tupleset).name);
    return false;
  }
  auto union_fold() { return reach_any_operand(*this); }
  auto intersection_fold() { return reach_any_operand(*this); }
  auto exclusion_fold() { return reach_base_only(*this); }
};

// A walk whose operators never stop: every operand, subtracted ones too.
struct EveryLeafWalk : RecordingWalk {
  struct Fold {
    EveryLeafWalk& walk;
    EveryLeafWalk& operands() { return walk; }
    bool add(bool) { return false; }
    bool result() const { return false; }
  };
  Fold union_fold() { return Fold{*this}; }
  Fold intersection_fold() { return Fold{*this}; }
  Fold exclusion_fold() { return Fold{*this}; }
};

class RewriteWalk : public ::testing::Test {
 protected:
  std::shared_ptr<const Model> model = Model::from_dsl(kModel);

  // Returns the rewrite tree of doc's `relation`.
  const RewriteNode& tree(const char* relation) const {
    return model->relation(model->find_relation(model->find_type("doc"), relation)).rewrite;
  }
  // Walks `relation` reaching `reached`; returns the visited leaves.
  std::vector<std::string> reach(const char* relation, std::set<std::string> reached,
                                 bool* result = nullptr) const {
    RecordingWalk walk{*model, std::move(reached), {}};
    bool found = walk_rewrite(tree(relation), walk);
    if (result) *result = found;
    return walk.visited;
  }
};

using Leaves = std::vector<std::string>;

TEST_F(RewriteWalk, LeavesAreVisitedInTheOrderWritten) {
  EXPECT_EQ(reach("leaves", {}), (Leaves{"direct", "a", "b from parent"}));
}

TEST_F(RewriteWalk, ReachingUnionStopsAtTheFirstOperandThatReaches) {
  bool found = false;
  EXPECT_EQ(reach("any", {"b"}, &found), (Leaves{"a", "b"}));
  EXPECT_TRUE(found);
  EXPECT_EQ(reach("any", {}, &found), (Leaves{"a", "b", "c"}));
  EXPECT_FALSE(found);
}

TEST_F(RewriteWalk, ReachingIntersectionFollowsAnyOperandLikeAUnion) {
  bool found = false;
  EXPECT_EQ(reach("all", {"c"}, &found), (Leaves{"a", "b", "c"}));
  EXPECT_TRUE(found);
  EXPECT_EQ(reach("all", {"a"}, &found), (Leaves{"a"}));
  EXPECT_TRUE(found);
}

TEST_F(RewriteWalk, ReachingExclusionFollowsItsBaseOnly) {
  bool found = true;
  EXPECT_EQ(reach("but", {"b"}, &found), (Leaves{"a"}));
  EXPECT_FALSE(found);
  EXPECT_EQ(reach("but", {"a"}, &found), (Leaves{"a"}));
  EXPECT_TRUE(found);
  EXPECT_EQ(reach("nested", {}, &found), (Leaves{"a", "b"}));
  EXPECT_FALSE(found);
}

TEST_F(RewriteWalk, AFoldThatNeverStopsVisitsEveryOperandInOrder) {
  EveryLeafWalk walk{{*model, {}, {}}};
  walk_rewrite(tree("nested"), walk);
  EXPECT_EQ(walk.visited, (Leaves{"a", "b", "c", "a"}));
}

}  // namespace
}  // namespace agentauthz::core
