// Delegation scopes: parsing entries, and the virtual-subject rule that
// decides which (relation, object) pairs a scope reaches through the model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/scope.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;

TEST(ScopeEntry, ParsesObjectsAndTypeWildcards) {
  ScopeEntry one = parse_scope_entry("viewer@folder:q1");
  EXPECT_EQ(one.relation, "viewer");
  EXPECT_EQ(one.type, "folder");
  EXPECT_EQ(one.id, "q1");
  ScopeEntry all = parse_scope_entry("editor@ticket:*");
  EXPECT_EQ(all.type, "ticket");
  EXPECT_EQ(all.id, "*");
  EXPECT_EQ(format_scope_entry(all), "editor@ticket:*");
}

// Ids may hold '@' (e-mail addresses are common ids): the first '@' ends
// the relation.
TEST(ScopeEntry, IdsMayContainAt) {
  ScopeEntry entry = parse_scope_entry("viewer@user:anne@example.com");
  EXPECT_EQ(entry.type, "user");
  EXPECT_EQ(entry.id, "anne@example.com");
}

TEST(ScopeEntry, RejectsMalformedEntries) {
  for (const char* bad :
       {"", "viewer", "@folder:q1", "viewer@", "viewer@folder", "viewer@:q1",
        "viewer@folder:", "vie wer@folder:q1", "viewer@folder:q 1", "viewer@folder:q1#member",
        "viewer@folder:*#member", "viewer@@folder:q1"}) {
    EXPECT_THROW(parse_scope_entry(bad), Error) << bad;
  }
}

const char* kModel = R"(type user
type agent
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define parent: [folder]
    define editor: [user, group#member]
    define viewer: [user, group#member] or editor or viewer from parent
type document
  relations
    define parent: [folder]
    define blocked: [user]
    define approver: [user]
    define owner: [user]
    define viewer: ([user] or viewer from parent) but not blocked
    define signer: approver and owner
)";

class ScopeReach : public ::testing::Test {
 protected:
  ScopeReach() : f(kModel) {
    f.add({"folder:q1#parent@folder:finance", "folder:q2#parent@folder:finance",
           "document:r1#parent@folder:q1", "document:r2#parent@folder:q2",
           "folder:specs#viewer@group:eng#member", "group:eng#member@group:core#member"});
  }

  // Whether a scope made of `entries` allows relation on object.
  bool allows(std::vector<std::string> entries, const char* relation, const char* object) {
    std::vector<ScopeEntry> parsed;
    for (const std::string& e : entries) parsed.push_back(parse_scope_entry(e));
    ResolvedScope scope = resolve_scope(parsed, f.model(), f.interner());
    RequestResolver resolve = f.evaluator().resolver();
    Object o = resolve.object(object);
    return f.evaluator().scope_allows(scope, ++key, resolve.relation(o.type, relation), o);
  }

  EvalFixture f;
  uint32_t key = 0;
};

TEST_F(ScopeReach, AFolderScopeCoversItsDocumentsAndNothingElse) {
  EXPECT_TRUE(allows({"viewer@folder:q1"}, "viewer", "document:r1"));
  EXPECT_FALSE(allows({"viewer@folder:q1"}, "viewer", "document:r2"));
  EXPECT_TRUE(allows({"viewer@folder:q1"}, "viewer", "folder:q1"));
  EXPECT_FALSE(allows({"viewer@folder:q1"}, "viewer", "folder:finance"));
  // A scope high in the tree covers everything below it.
  EXPECT_TRUE(allows({"viewer@folder:finance"}, "viewer", "document:r2"));
}

TEST_F(ScopeReach, EntriesNameARelationNotJustAnObject) {
  EXPECT_FALSE(allows({"editor@folder:q2"}, "parent", "document:r2"));
  EXPECT_TRUE(allows({"parent@document:r2"}, "parent", "document:r2"));
  EXPECT_FALSE(allows({"viewer@document:r2"}, "editor", "folder:q2"));
}

TEST_F(ScopeReach, ImpliedRelationsFollowTheModel) {
  // folder viewers include editors: an editor@ scope reaches viewer.
  EXPECT_TRUE(allows({"editor@folder:q1"}, "viewer", "folder:q1"));
  EXPECT_TRUE(allows({"editor@folder:q1"}, "viewer", "document:r1"));
  // ...but viewer never implies editor.
  EXPECT_FALSE(allows({"viewer@folder:q1"}, "editor", "folder:q1"));
}

TEST_F(ScopeReach, GroupMembershipScopes) {
  EXPECT_TRUE(allows({"member@group:eng"}, "viewer", "folder:specs"));
  EXPECT_TRUE(allows({"member@group:core"}, "viewer", "folder:specs"));
  EXPECT_FALSE(allows({"member@group:sales"}, "viewer", "folder:specs"));
}

TEST_F(ScopeReach, TypeWildcardsCoverEveryObjectOfTheType) {
  EXPECT_TRUE(allows({"viewer@document:*"}, "viewer", "document:r1"));
  EXPECT_TRUE(allows({"viewer@document:*"}, "viewer", "document:unknown"));
  EXPECT_FALSE(allows({"viewer@document:*"}, "viewer", "folder:q1"));
  EXPECT_TRUE(allows({"viewer@folder:*"}, "viewer", "document:r2"));
}

TEST_F(ScopeReach, SubtractedBranchesNeverWidenAScope) {
  EXPECT_FALSE(allows({"blocked@document:r1"}, "viewer", "document:r1"));
  EXPECT_TRUE(allows({"viewer@document:r1"}, "viewer", "document:r1"));
  // Either side of an intersection is within reach.
  EXPECT_TRUE(allows({"approver@document:r1"}, "signer", "document:r1"));
}

TEST_F(ScopeReach, SeveralEntriesAreAUnion) {
  EXPECT_TRUE(allows({"viewer@folder:q2", "viewer@folder:q1"}, "viewer", "document:r1"));
  EXPECT_FALSE(allows({"viewer@folder:q2", "owner@document:r1"}, "viewer", "document:r1"));
}

TEST_F(ScopeReach, EntriesTheModelDoesNotKnowReachNothing) {
  EXPECT_FALSE(allows({"viewer@drive:q1", "reader@folder:q1"}, "viewer", "document:r1"));
}

TEST_F(ScopeReach, CyclesTerminate) {
  f.add({"folder:loop1#parent@folder:loop2", "folder:loop2#parent@folder:loop1",
         "document:l#parent@folder:loop1", "group:a#member@group:b#member",
         "group:b#member@group:a#member", "folder:cyc#viewer@group:a#member"});
  EXPECT_FALSE(allows({"viewer@folder:elsewhere"}, "viewer", "document:l"));
  EXPECT_TRUE(allows({"viewer@folder:loop2"}, "viewer", "document:l"));
  EXPECT_FALSE(allows({"member@group:c"}, "viewer", "folder:cyc"));
  EXPECT_TRUE(allows({"member@group:b"}, "viewer", "folder:cyc"));
}

}  // namespace
}  // namespace agentauthz::core
