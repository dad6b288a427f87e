// Unit tests for the indexes a compiled model keeps for evaluation: which
// relations are monotone, and the reverse edges list_objects walks.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/model.h"

namespace agentauthz::core {
namespace {

constexpr const char* kModel = R"(model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
    define admin: [user]
    define lead: member and admin
type folder
  relations
    define parent: [folder]
    define banned: [user]
    define owner: [user, group#member]
    define viewer: [user, group#member] or viewer from parent
    define reader: viewer but not banned
type document
  relations
    define parent: [folder]
    define editor: [user, group#lead]
    define sees: [user] or editor
    define inherited: reader from parent
    define plain: [user] or owner from parent
)";

class ModelIndexes : public ::testing::Test {
 protected:
  std::shared_ptr<const Model> model = Model::from_dsl(kModel);

  RelationId id(const char* type, const char* relation) const {
    return model->find_relation(model->find_type(type), relation);
  }
  bool monotone(const char* type, const char* relation) const {
    return model->relation(id(type, relation)).monotone;
  }
  // Returns the relations `type#relation` leads to through computed edges.
  std::vector<RelationId> computed_from(const char* type, const char* relation) const {
    return model->reverse_edges(id(type, relation)).computed;
  }
};

TEST_F(ModelIndexes, UnionsOfMonotoneRelationsAreMonotoneEvenWhenRecursive) {
  EXPECT_TRUE(monotone("group", "member"));
  EXPECT_TRUE(monotone("folder", "viewer"));
  EXPECT_TRUE(monotone("document", "plain"));
}

TEST_F(ModelIndexes, IntersectionsAndExclusionsAreNotMonotone) {
  EXPECT_FALSE(monotone("group", "lead"));
  EXPECT_FALSE(monotone("folder", "reader"));
}

TEST_F(ModelIndexes, ReferencingANonMonotoneRelationIsNotMonotone) {
  EXPECT_FALSE(monotone("document", "editor"));     // through a userset restriction
  EXPECT_FALSE(monotone("document", "sees"));       // through a computed relation
  EXPECT_FALSE(monotone("document", "inherited"));  // through tuple-to-userset
}

TEST_F(ModelIndexes, ReverseEdgesFollowEveryOperandButWhatIsSubtracted) {
  // lead is `member and admin`: reaching either may lead to it.
  EXPECT_EQ(computed_from("group", "member"), std::vector<RelationId>{id("group", "lead")});
  EXPECT_EQ(computed_from("group", "admin"), std::vector<RelationId>{id("group", "lead")});
  // reader is `viewer but not banned`: being banned never leads to it.
  EXPECT_EQ(computed_from("folder", "viewer"), std::vector<RelationId>{id("folder", "reader")});
  EXPECT_TRUE(computed_from("folder", "banned").empty());
}

TEST_F(ModelIndexes, ReverseEdgesOfUsersetsAndParents) {
  const ReverseEdges& member = model->reverse_edges(id("group", "member"));
  std::vector<RelationId> expected{id("group", "member"), id("folder", "owner"),
                                   id("folder", "viewer")};
  std::vector<RelationId> userset = member.userset;
  std::sort(userset.begin(), userset.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(userset, expected);
  EXPECT_EQ(model->reverse_edges(id("group", "lead")).userset,
            std::vector<RelationId>{id("document", "editor")});

  // folder#reader leads to document#inherited through a document's parent.
  const ReverseEdges& reader = model->reverse_edges(id("folder", "reader"));
  ASSERT_EQ(reader.ttu.size(), 1u);
  EXPECT_EQ(reader.ttu[0].target, id("document", "inherited"));
  EXPECT_EQ(reader.ttu[0].tupleset, id("document", "parent"));
  // folder#owner leads to document#plain through a document's parent.
  const ReverseEdges& owner = model->reverse_edges(id("folder", "owner"));
  ASSERT_EQ(owner.ttu.size(), 1u);
  EXPECT_EQ(owner.ttu[0].target, id("document", "plain"));
}

}  // namespace
}  // namespace agentauthz::core
