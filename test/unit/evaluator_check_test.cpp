// Unit tests for Evaluator::check: each rewrite kind and their nesting,
// usersets, wildcards, type-restriction filtering, cycles, the memo, and a
// property test against a small reference evaluator on random tuple sets.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;
using testing::RandomGraph;
using testing::TupleText;

// ---- direct and computed relations ------------------------------------------
// A stored tuple grants exactly its subject; computed relations follow their
// target; tuples on relations that cannot be assigned directly are ignored.

constexpr const char* kDocs = R"(type user
type document
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: editor
)";

TEST(CheckDirect, StoredTupleGrantsItsSubjectOnly) {
  EvalFixture f(kDocs);
  f.add({"document:1#owner@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "owner", "document:1"));
  EXPECT_FALSE(f.check("user:bob", "owner", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "owner", "document:2"));
}

TEST(CheckDirect, ComputedRelationsFollowTheirTarget) {
  EvalFixture f(kDocs);
  f.add({"document:1#owner@user:anne", "document:1#editor@user:bob"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:bob", "owner", "document:1"));
}

TEST(CheckDirect, TupleOnARelationWithoutTypeRestrictionsIsIgnored) {
  EvalFixture f(kDocs);
  f.add({"document:1#viewer@user:anne"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
}

TEST(CheckDirect, EmptyStoreDeniesEverything) {
  EvalFixture f(kDocs);
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:*", "viewer", "document:1"));
}

// ---- union, intersection, exclusion and their nesting -----------------------
// For every nesting of the three operators, check agrees with the boolean
// formula for all eight ways anne can hold the leaves a, b and c, whether the
// leaves are direct tuples or reached through a userset, a parent and a
// wildcard.

constexpr const char* kOperators = R"(type user
type group
  relations
    define member: [user]
type folder
  relations
    define b: [user]
type doc
  relations
    define parent: [folder]
    define a_set: [group#member]
    define a: [user] or a_set
    define b: [user] or b from parent
    define c: [user, user:*]
    define u: a or b or c
    define i: a and b and c
    define e: a but not b
    define e_of_i: (a and b) but not c
    define e_of_u: a but not (b or c)
    define e_of_e: a but not (b but not c)
    define e_then_e: (a but not b) but not c
    define i_of_u: (a or b) and c
    define i_of_e: (a but not b) and (c but not b)
    define u_of_i: (a and b) or c
    define u_of_e: (a but not b) or c
    define u_of_i_and_e: (a and c) or (b but not c)
)";

struct OperatorCase {
  const char* relation;
  std::function<bool(bool, bool, bool)> expected;
};

// Returns each operator expression with its expected truth function.
const std::vector<OperatorCase>& operator_cases() {
  static const std::vector<OperatorCase> cases = {
      {"a", [](bool a, bool, bool) { return a; }},
      {"b", [](bool, bool b, bool) { return b; }},
      {"c", [](bool, bool, bool c) { return c; }},
      {"u", [](bool a, bool b, bool c) { return a || b || c; }},
      {"i", [](bool a, bool b, bool c) { return a && b && c; }},
      {"e", [](bool a, bool b, bool) { return a && !b; }},
      {"e_of_i", [](bool a, bool b, bool c) { return (a && b) && !c; }},
      {"e_of_u", [](bool a, bool b, bool c) { return a && !(b || c); }},
      {"e_of_e", [](bool a, bool b, bool c) { return a && !(b && !c); }},
      {"e_then_e", [](bool a, bool b, bool c) { return (a && !b) && !c; }},
      {"i_of_u", [](bool a, bool b, bool c) { return (a || b) && c; }},
      {"i_of_e", [](bool a, bool b, bool c) { return (a && !b) && (c && !b); }},
      {"u_of_i", [](bool a, bool b, bool c) { return (a && b) || c; }},
      {"u_of_e", [](bool a, bool b, bool c) { return (a && !b) || c; }},
      {"u_of_i_and_e", [](bool a, bool b, bool c) { return (a && c) || (b && !c); }},
  };
  return cases;
}

// Gives anne the leaves a, b, c of doc:1 as requested, with plain tuples or
// through a group, a parent folder and a wildcard.
void grant_leaves(EvalFixture& f, bool a, bool b, bool c, bool indirect) {
  if (indirect) {
    f.add({"doc:1#a_set@group:g#member", "doc:1#parent@folder:f"});
    if (a) f.add({"group:g#member@user:anne"});
    if (b) f.add({"folder:f#b@user:anne"});
    if (c) f.add({"doc:1#c@user:*"});
  } else {
    if (a) f.add({"doc:1#a@user:anne"});
    if (b) f.add({"doc:1#b@user:anne"});
    if (c) f.add({"doc:1#c@user:anne"});
  }
}

// Checks every operator expression against all eight grants of a, b and c.
void expect_operator_truth_tables(bool indirect) {
  for (int bits = 0; bits < 8; ++bits) {
    bool a = bits & 1, b = bits & 2, c = bits & 4;
    EvalFixture f(kOperators);
    grant_leaves(f, a, b, c, indirect);
    for (const OperatorCase& op : operator_cases()) {
      EXPECT_EQ(f.check("user:anne", op.relation, "doc:1"), op.expected(a, b, c))
          << op.relation << " with a=" << a << " b=" << b << " c=" << c
          << (indirect ? " (indirect leaves)" : "");
      // Nobody else holds anything, except through the wildcard.
      bool bob_c = indirect && c;
      EXPECT_EQ(f.check("user:bob", op.relation, "doc:1"), op.expected(false, false, bob_c))
          << op.relation << " for bob";
    }
  }
}

TEST(CheckOperators, NestedOperatorsFollowTheirTruthTablesWithDirectLeaves) {
  expect_operator_truth_tables(false);
}

TEST(CheckOperators, NestedOperatorsFollowTheirTruthTablesWithIndirectLeaves) {
  expect_operator_truth_tables(true);
}

TEST(CheckOperators, ResultsDoNotDependOnTheOrderOfEarlierChecks) {
  // The same questions in reverse order on one evaluator (shared memo).
  EvalFixture f(kOperators);
  grant_leaves(f, true, false, true, true);
  std::vector<bool> forward, backward;
  for (const OperatorCase& op : operator_cases())
    forward.push_back(f.check("user:anne", op.relation, "doc:1"));
  f.evaluator().clear_memo();
  for (auto it = operator_cases().rbegin(); it != operator_cases().rend(); ++it)
    backward.insert(backward.begin(), f.check("user:anne", it->relation, "doc:1"));
  EXPECT_EQ(forward, backward);
}

// ---- tuple to userset -------------------------------------------------------
// `X from Y` follows every parent named by Y, over several parent types;
// parents whose type lacks X, and parents of types Y does not allow, are
// skipped without error.

constexpr const char* kParents = R"(type user
type group
  relations
    define member: [user]
type folder
  relations
    define parent: [folder]
    define viewer: [user] or viewer from parent
type document
  relations
    define parent: [folder, document, group]
    define viewer: [user] or viewer from parent
)";

TEST(CheckTupleToUserset, FollowsParentsOfEveryAllowedType) {
  EvalFixture f(kParents);
  f.add({"document:1#parent@folder:f", "folder:f#viewer@user:anne", "document:2#parent@document:1",
         "document:3#parent@document:2"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:3"));
  EXPECT_FALSE(f.check("user:bob", "viewer", "document:3"));
}

TEST(CheckTupleToUserset, FollowsNestedParents) {
  EvalFixture f(kParents);
  f.add({"folder:a#parent@folder:b", "folder:b#parent@folder:c", "folder:c#viewer@user:anne",
         "document:1#parent@folder:a"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "folder:a"));
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "folder:d"));
}

TEST(CheckTupleToUserset, SkipsAParentWhoseTypeLacksTheRelation) {
  EvalFixture f(kParents);
  f.add({"document:1#parent@group:eng", "group:eng#member@user:anne", "document:1#parent@folder:f",
         "folder:f#viewer@user:bob"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:1"));
}

TEST(CheckTupleToUserset, IgnoresParentsTheTuplesetDoesNotAllow) {
  EvalFixture f(kParents);
  // folder#parent allows folders only; usersets and wildcards never name parents.
  f.add({"folder:a#parent@document:1", "document:1#viewer@user:anne",
         "folder:b#parent@folder:c#viewer", "folder:c#viewer@user:anne",
         "folder:d#parent@folder:*"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "folder:a"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "folder:b"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "folder:d"));
}

TEST(CheckTupleToUserset, ComputedTargetOnTheParentIsFollowed) {
  EvalFixture f(R"(type user
type folder
  relations
    define owner: [user]
    define viewer: owner
type document
  relations
    define parent: [folder]
    define viewer: viewer from parent
)");
  f.add({"document:1#parent@folder:f", "folder:f#owner@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
}

// ---- usersets ---------------------------------------------------------------
// `group:x#member` tuples grant the group's members, nested groups included;
// a userset can itself be the subject of a check, and always has its own
// relation on its own object.

constexpr const char* kGroups = R"(type user
type group
  relations
    define admin: [user]
    define member: [user, group#member] or admin
type document
  relations
    define viewer: [user, group#member]
    define editor: [group#admin]
)";

TEST(CheckUsersets, GroupTupleGrantsItsMembers) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:eng#member", "group:eng#member@user:anne",
         "group:eng#admin@user:bob"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:carl", "viewer", "document:1"));
}

TEST(CheckUsersets, NestedGroupsGrantTheirMembers) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:all#member", "group:all#member@group:eng#member",
         "group:eng#member@group:backend#member", "group:backend#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:all"));
  EXPECT_FALSE(f.check("user:anne", "member", "group:other"));
}

TEST(CheckUsersets, UsersetHasItsOwnRelationWithoutAnyTuple) {
  EvalFixture f(kGroups);
  EXPECT_TRUE(f.check("group:eng#member", "member", "group:eng"));
  EXPECT_FALSE(f.check("group:eng#member", "member", "group:ops"));
  EXPECT_FALSE(f.check("group:eng#admin", "member", "group:ops"));
}

TEST(CheckUsersets, UsersetSubjectIsGrantedThroughNesting) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:all#member", "group:all#member@group:eng#member"});
  EXPECT_TRUE(f.check("group:eng#member", "viewer", "document:1"));
  EXPECT_TRUE(f.check("group:all#member", "viewer", "document:1"));
  EXPECT_FALSE(f.check("group:ops#member", "viewer", "document:1"));
}

TEST(CheckUsersets, UsersetSubjectIsGrantedThroughAComputedRelation) {
  // member includes admin, so group:x#admin is part of group:x#member.
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:eng#member"});
  EXPECT_TRUE(f.check("group:eng#admin", "member", "group:eng"));
  EXPECT_TRUE(f.check("group:eng#admin", "viewer", "document:1"));
}

TEST(CheckUsersets, UsersetOfARelationTheRestrictionDoesNotNameIsIgnored) {
  EvalFixture f(kGroups);
  // viewer allows group#member only; editor allows group#admin only.
  f.add({"document:1#viewer@group:eng#admin", "group:eng#admin@user:anne",
         "document:1#editor@group:eng#member", "group:eng#member@user:bob"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:bob", "editor", "document:1"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:eng"));
}

// ---- wildcards ----------------------------------------------------------------
// `type:*` tuples grant every subject of that type (and `type:*` itself),
// only when the model allows the wildcard, and combine with intersections
// and exclusions like any other grant.

constexpr const char* kPublic = R"(type user
type employee
type group
  relations
    define member: [user, user:*]
type document
  relations
    define blocked: [user, user:*]
    define shared: [user]
    define public: [user:*]
    define viewer: [user, user:*, employee, group#member]
    define open_viewer: [user:*] but not blocked
    define shared_viewer: [user:*] and shared
)";

TEST(CheckWildcards, WildcardTupleGrantsEverySubjectOfItsType) {
  EvalFixture f(kPublic);
  f.add({"document:1#viewer@user:*"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:*", "viewer", "document:1"));
  EXPECT_FALSE(f.check("employee:bob", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:2"));
}

TEST(CheckWildcards, WildcardSubjectNeedsAWildcardTuple) {
  EvalFixture f(kPublic);
  f.add({"document:1#viewer@user:anne"});
  EXPECT_FALSE(f.check("user:*", "viewer", "document:1"));
}

TEST(CheckWildcards, WildcardMemberOfAGroupGrantsThroughTheUserset) {
  EvalFixture f(kPublic);
  f.add({"document:1#viewer@group:all#member", "group:all#member@user:*"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:*", "viewer", "document:1"));
  EXPECT_FALSE(f.check("employee:bob", "viewer", "document:1"));
}

TEST(CheckWildcards, WildcardMinusABlockedUserExcludesOnlyThatUser) {
  EvalFixture f(kPublic);
  f.add({"document:1#open_viewer@user:*", "document:1#blocked@user:anne"});
  EXPECT_FALSE(f.check("user:anne", "open_viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "open_viewer", "document:1"));
  EXPECT_TRUE(f.check("user:*", "open_viewer", "document:1"));
}

TEST(CheckWildcards, BlockingTheWildcardBlocksEveryone) {
  EvalFixture f(kPublic);
  f.add({"document:1#open_viewer@user:*", "document:1#blocked@user:*"});
  EXPECT_FALSE(f.check("user:anne", "open_viewer", "document:1"));
  EXPECT_FALSE(f.check("user:*", "open_viewer", "document:1"));
}

TEST(CheckWildcards, WildcardIntersectedWithARelationGrantsOnlyItsHolders) {
  EvalFixture f(kPublic);
  f.add({"document:1#shared_viewer@user:*", "document:1#shared@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "shared_viewer", "document:1"));
  EXPECT_FALSE(f.check("user:bob", "shared_viewer", "document:1"));
  // The wildcard itself is not `shared` (that relation allows no wildcard).
  EXPECT_FALSE(f.check("user:*", "shared_viewer", "document:1"));
}

TEST(CheckWildcards, WildcardTheModelDoesNotAllowIsIgnored) {
  EvalFixture f(kPublic);
  f.add({"document:1#shared@user:*", "document:1#public@user:anne"});
  EXPECT_FALSE(f.check("user:anne", "shared", "document:1"));
  EXPECT_FALSE(f.check("user:*", "shared", "document:1"));
  // `public` allows only the wildcard: a plain user tuple does not count.
  EXPECT_FALSE(f.check("user:anne", "public", "document:1"));
}

TEST(CheckWildcards, WildcardGrantsAUsersetSubjectOfItsType) {
  // OpenFGA short-circuits on a `type:*` tuple whose type is the request
  // subject's type, usersets included.
  EvalFixture f(R"(type user
type group
  relations
    define member: [user]
type document
  relations
    define viewer: [group:*, group#member]
)");
  f.add({"document:1#viewer@group:*"});
  EXPECT_TRUE(f.check("group:eng#member", "viewer", "document:1"));
  EXPECT_TRUE(f.check("group:*", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
}

// ---- type-restriction filtering -----------------------------------------------
// Stored tuples the active model does not allow are invisible, and a model
// change can hide or reveal existing tuples.

TEST(CheckFiltering, TupleWithASubjectTypeTheModelDoesNotAllowIsIgnored) {
  EvalFixture f(kPublic);
  f.add({"document:1#shared@employee:bob", "document:1#shared@group:eng#member",
         "group:eng#member@user:anne"});
  EXPECT_FALSE(f.check("employee:bob", "shared", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "shared", "document:1"));
  EXPECT_FALSE(f.check("group:eng#member", "shared", "document:1"));
}

TEST(CheckFiltering, TupleNamingAnUnknownTypeOrRelationIsIgnored) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@robot:r2#member", "document:1#viewer@group:eng#nosuch",
         "document:1#viewer@robot:r2"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
}

constexpr const char* kSharingV1 = R"(type user
type group
  relations
    define member: [user]
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [folder]
    define viewer: [user, group#member] or viewer from parent
)";

constexpr const char* kSharingV2 = R"(type user
type group
  relations
    define member: [user]
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [document]
    define viewer: [user] or viewer from parent
)";

TEST(CheckFiltering, ModelChangeHidesTuplesItNoLongerAllowsAndRevealsThemWhenRestored) {
  EvalFixture f(kSharingV1);
  f.add({"document:1#viewer@group:eng#member", "group:eng#member@user:anne",
         "document:2#parent@folder:f", "folder:f#viewer@user:bob", "document:3#viewer@user:carl"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:2"));

  f.set_model(kSharingV2);
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));  // usersets no longer allowed
  EXPECT_FALSE(f.check("user:bob", "viewer", "document:2"));   // folders no longer parents
  EXPECT_TRUE(f.check("user:carl", "viewer", "document:3"));   // still allowed
  EXPECT_EQ(f.objects("user:anne", "viewer", "document"), testing::Names{});
  EXPECT_EQ(f.subjects("document:1", "viewer", "group#member"), testing::Names{});

  f.set_model(kSharingV1);
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:2"));
}

// ---- cycles -------------------------------------------------------------------
// Cyclic data (groups in each other, folders their own ancestors, exclusions
// that reach themselves) terminates and is false unless another path grants.

TEST(CheckCycles, MutuallyNestedGroupsTerminate) {
  EvalFixture f(kGroups);
  f.add({"group:a#member@group:b#member", "group:b#member@group:a#member"});
  EXPECT_FALSE(f.check("user:anne", "member", "group:a"));
  f.add({"group:b#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "member", "group:a"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:b"));
  EXPECT_FALSE(f.check("user:bob", "member", "group:a"));
}

TEST(CheckCycles, GroupContainingItselfTerminates) {
  EvalFixture f(kGroups);
  f.add({"group:a#member@group:a#member"});
  EXPECT_FALSE(f.check("user:anne", "member", "group:a"));
  EXPECT_TRUE(f.check("group:a#member", "member", "group:a"));
}

TEST(CheckCycles, LongGroupRingGrantsFromAnyPoint) {
  EvalFixture f(kGroups);
  for (int i = 0; i < 10; ++i)
    f.add({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string((i + 1) % 10) +
           "#member"});
  f.add({"group:g7#member@user:anne"});
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(f.check("user:anne", "member", "group:g" + std::to_string(i))) << i;
    EXPECT_FALSE(f.check("user:bob", "member", "group:g" + std::to_string(i))) << i;
  }
}

TEST(CheckCycles, ParentCycleTerminates) {
  EvalFixture f(kParents);
  f.add({"folder:a#parent@folder:b", "folder:b#parent@folder:a", "document:1#parent@document:2",
         "document:2#parent@document:1"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "folder:a"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  f.add({"folder:b#viewer@user:anne", "document:2#parent@folder:a"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "folder:a"));
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
}

constexpr const char* kExclusionCycle = R"(type user
type team
  relations
    define member: [user, team#member, document#reader]
type document
  relations
    define viewer: [user]
    define banned: [user, team#member]
    define reader: viewer but not banned
)";

TEST(CheckCycles, ExclusionReachingItselfThroughItsSubtractIsFalse) {
  // reader(d1) subtracts banned(d1) = team:t, whose members are d1's
  // readers: the subtract depends on the result itself. OpenFGA reports the
  // cycle and denies.
  EvalFixture f(kExclusionCycle);
  f.add({"document:d1#viewer@user:anne", "document:d1#banned@team:t#member",
         "team:t#member@document:d1#reader"});
  EXPECT_FALSE(f.check("user:anne", "reader", "document:d1"));
  EXPECT_FALSE(f.check("user:anne", "member", "team:t"));
}

TEST(CheckCycles, ExclusionCycleBetweenTwoObjectsIsFalseAndStable) {
  EvalFixture f(kExclusionCycle);
  f.add({"document:d1#viewer@user:anne", "document:d2#viewer@user:anne",
         "document:d1#banned@team:t2#member", "team:t2#member@document:d2#reader",
         "document:d2#banned@team:t1#member", "team:t1#member@document:d1#reader"});
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(f.check("user:anne", "reader", "document:d1")) << round;
    EXPECT_FALSE(f.check("user:anne", "reader", "document:d2")) << round;
  }
}

TEST(CheckCycles, CycleInOneUnionBranchDoesNotHideAGrantFromAnother) {
  EvalFixture f(kExclusionCycle);
  f.add({"team:a#member@team:b#member", "team:b#member@team:a#member",
         "document:d1#viewer@user:anne", "document:d1#banned@team:a#member",
         "document:d1#banned@user:bob", "document:d1#viewer@user:bob"});
  EXPECT_TRUE(f.check("user:bob", "banned", "document:d1"));
  EXPECT_FALSE(f.check("user:anne", "banned", "document:d1"));
  f.add({"team:b#member@user:carl"});
  EXPECT_TRUE(f.check("user:carl", "banned", "document:d1"));
}

TEST(CheckCycles, CycleMetWhileEvaluatingASubtractDenies) {
  // As in OpenFGA, whose exclusion returns false when the subtracted branch
  // reports a cycle: anne is not banned, but finding that out runs into
  // the team cycle, so she is not a reader either.
  EvalFixture f(kExclusionCycle);
  f.add({"team:a#member@team:b#member", "team:b#member@team:a#member", "team:b#member@user:bob",
         "document:d1#viewer@user:anne", "document:d1#banned@team:a#member"});
  EXPECT_FALSE(f.check("user:anne", "reader", "document:d1"));
  EXPECT_FALSE(f.check("user:bob", "reader", "document:d1"));
}

// ---- the memo -----------------------------------------------------------------
// Results remembered across calls stay specific to their subject, and
// clear_memo makes new and deleted tuples visible.

TEST(CheckMemo, RememberedResultsDoNotLeakBetweenSubjects) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:eng#member", "group:eng#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:bob", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_TRUE(f.check("group:eng#member", "viewer", "document:1"));
  EXPECT_FALSE(f.check("group:eng#admin", "viewer", "document:2"));
  EXPECT_GT(f.evaluator().memo_size(), 0u);
}

TEST(CheckMemo, WildcardAndConcreteSubjectsAreRememberedApart) {
  EvalFixture f(kPublic);
  f.add({"document:1#open_viewer@user:*", "document:1#blocked@user:anne"});
  EXPECT_TRUE(f.check("user:*", "open_viewer", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "open_viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "open_viewer", "document:1"));
}

TEST(CheckMemo, ClearMemoMakesAddedAndRemovedTuplesVisible) {
  EvalFixture f(kGroups);
  f.add({"document:1#viewer@group:eng#member"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  f.reader().add("group:eng", "member", "user:anne");
  f.evaluator().clear_memo();
  EXPECT_EQ(f.evaluator().memo_size(), 0u);
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  f.reader().remove("group:eng", "member", "user:anne");
  f.evaluator().clear_memo();
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
}

TEST(CheckMemo, CyclicChecksLeaveNoStaleResultsForLaterChecks) {
  // A node cut short by a cycle in one check must not be remembered as
  // false for a later check that reaches it from elsewhere.
  EvalFixture f(kGroups);
  f.add({"group:a#member@group:b#member", "group:b#member@group:a#member",
         "group:b#member@group:c#member", "group:c#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "member", "group:a"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:b"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:c"));
  EXPECT_FALSE(f.check("user:bob", "member", "group:a"));
  EXPECT_FALSE(f.check("user:bob", "member", "group:b"));
}

// Regression: a union-only check used to settle the cycle-cut nodes it
// found false as plain false in the memo, so a later exclusion over the
// same cyclic groups flipped from deny to allow depending on what the
// statement had asked before.
TEST(CheckMemo, AnswerDoesNotDependOnWhetherAUnionOnlyCheckRanBefore) {
  EvalFixture f(R"(type user
type group
  relations
    define member: [user, group#member]
type document
  relations
    define viewer: [user]
    define banned: [user, group#member]
    define reader: viewer but not banned
)");
  f.add({"group:a#member@group:b#member", "group:b#member@group:a#member",
         "document:d1#viewer@user:anne", "document:d1#banned@group:a#member"});
  bool fresh = f.check("user:anne", "reader", "document:d1");
  f.evaluator().clear_memo();
  EXPECT_FALSE(f.check("user:anne", "member", "group:a"));  // union-only, fills the memo
  bool after = f.check("user:anne", "reader", "document:d1");
  EXPECT_EQ(fresh, after) << "check(user:anne, reader, document:d1) was " << fresh
                          << " on a fresh memo but " << after
                          << " after check(user:anne, member, group:a)";
}

TEST(CheckMemo, MemoLimitBoundsTheMemoAndKeepsResultsRight) {
  EvalOptions options;
  options.max_cache_bytes = 2048;  // the memo's smallest table is 64 slots (1.5 kB)
  EvalFixture f(kGroups, options);
  f.add({"document:1#viewer@group:a#member", "group:a#member@group:b#member",
         "group:b#member@user:anne"});
  // Fifty different subjects would leave ~100 remembered results unbounded.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 50; ++i) {
      EXPECT_FALSE(f.check("user:u" + std::to_string(i), "viewer", "document:1"));
      EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
      EXPECT_LE(f.evaluator().memo_size(), 32u + 4u);  // what 64 slots hold, plus one check's nodes
    }
  }
}

// However many distinct objects and subjects are checked, each cache kept
// across checks starts over at the limit: the evaluator's memory stays
// within a few times it (four caches, tables grown by doubling), and answers stay right.
TEST(CheckMemo, CachesStayBoundedOverManyDistinctObjectsAndSubjects) {
  EvalOptions options;
  options.max_cache_bytes = 64 * 1024;
  EvalFixture f(kParents, options);
  std::vector<std::string> tuples;
  for (int i = 0; i < 20000; ++i)
    tuples.push_back("document:" + std::to_string(i) + "#parent@folder:f" +
                     std::to_string(i % 100));
  tuples.push_back("folder:f7#viewer@user:anne");
  f.add_all(tuples);
  size_t peak = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string document = "document:" + std::to_string(i);
    EXPECT_EQ(f.check("user:anne", "viewer", document), i % 100 == 7) << document;
    EXPECT_FALSE(f.check("user:u" + std::to_string(i), "viewer", document)) << document;
    peak = std::max(peak, f.evaluator().bytes());
  }
  EXPECT_LT(peak, 4u * options.max_cache_bytes);
  // Unbounded, the same checks leave far more behind.
  EvalFixture unbounded(kParents);
  unbounded.add_all(tuples);
  for (int i = 0; i < 20000; ++i) {
    std::string document = "document:" + std::to_string(i);
    unbounded.check("user:anne", "viewer", document);
    unbounded.check("user:u" + std::to_string(i), "viewer", document);
  }
  EXPECT_GT(unbounded.evaluator().bytes(), 10 * peak);
}

// ---- cost ---------------------------------------------------------------------
// Checks over cyclic data stay polynomial: each (object, relation) node is
// explored a bounded number of times, whatever the rewrite operators.

// Returns options whose interrupt callback fails the check after roughly
// `budget` evaluation steps (the evaluator polls once every 64).
EvalOptions step_budget(uint64_t budget, std::shared_ptr<uint64_t> polls) {
  EvalOptions options;
  options.interrupted = [budget, polls] { return ++*polls * 64 > budget; };
  return options;
}

// `n` groups that all contain each other, and a document shared with the first.
void add_mutually_nested_groups(EvalFixture& f, int n) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (i != j)
        f.add({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string(j) + "#member"});
  f.add({"document:1#viewer@group:g0#member"});
}

constexpr const char* kNestedGroupsWithExclusion = R"(type user
type group
  relations
    define member: [user, group#member]
type document
  relations
    define blocked: [user]
    define viewer: [group#member]
    define reader: viewer but not blocked
)";

TEST(CheckCost, UnionOnlyCheckOverMutuallyNestedGroupsIsPolynomial) {
  auto polls = std::make_shared<uint64_t>(0);
  EvalFixture f(kNestedGroupsWithExclusion, step_budget(200000, polls));
  add_mutually_nested_groups(f, 12);
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
}

// Regression: a check whose relation has an exclusion used to re-explore
// every simple path through the union-only part below it (n! paths for n
// mutually nested groups; 11 groups took ~45 s).
TEST(CheckCost, NonMonotoneCheckOverMutuallyNestedGroupsIsPolynomial) {
  auto polls = std::make_shared<uint64_t>(0);
  EvalFixture f(kNestedGroupsWithExclusion, step_budget(200000, polls));
  add_mutually_nested_groups(f, 12);
  try {
    EXPECT_FALSE(f.check("user:anne", "reader", "document:1"));
  } catch (const Error& error) {
    ADD_FAILURE() << "check over 12 mutually nested groups took more than 200000 steps ("
                  << error.what() << ")";
  }
}

// ---- property: check against a reference evaluator ------------------------------
// On random tuple sets over a model with every rewrite kind, check agrees
// with a direct, memo-free reading of OpenFGA's rules, whatever was checked
// before on the same evaluator and after tuples change.

// The reference: a plain recursive evaluation with path-based cycle
// detection, no memo and no shortcuts, over its own copy of the tuples.
class ReferenceChecker {
 public:
  enum class Result { False, True, Cycle, Depth };

  ReferenceChecker(const Model& model, const std::vector<std::string>& tuples, int max_depth)
      : model_(model), max_depth_(max_depth) {
    for (const std::string& text : tuples) {
      TupleText t = testing::split_tuple(text);
      subjects_[t.object + "#" + t.relation].insert(t.subject);
    }
  }

  Result check(const std::string& subject, const std::string& relation, const std::string& object) {
    path_.clear();
    return resolve(Subject::parse(subject), object, relation, 0);
  }

 private:
  struct Subject {
    std::string type, id, relation;
    std::string text() const { return type + ":" + id + (relation.empty() ? "" : "#" + relation); }
    static Subject parse(const std::string& text) {
      size_t colon = text.find(':'), hash = text.find('#');
      Subject s;
      s.type = text.substr(0, colon);
      s.id =
          text.substr(colon + 1, hash == std::string::npos ? std::string::npos : hash - colon - 1);
      if (hash != std::string::npos) s.relation = text.substr(hash + 1);
      return s;
    }
  };

  static std::string type_of(const std::string& object) {
    return object.substr(0, object.find(':'));
  }

  bool stored(const std::string& object, const std::string& relation, const std::string& subject) {
    auto found = subjects_.find(object + "#" + relation);
    return found != subjects_.end() && found->second.count(subject) > 0;
  }

  std::vector<std::string> stored_subjects(const std::string& object, const std::string& relation) {
    auto found = subjects_.find(object + "#" + relation);
    if (found == subjects_.end()) return {};
    return std::vector<std::string>(found->second.begin(), found->second.end());
  }

  // Union: any grant wins, then a depth error, then a cycle.
  static Result any_of(const std::vector<Result>& results) {
    bool depth = false, cycle = false;
    for (Result r : results) {
      if (r == Result::True) return Result::True;
      depth |= r == Result::Depth;
      cycle |= r == Result::Cycle;
    }
    return depth ? Result::Depth : cycle ? Result::Cycle : Result::False;
  }

  Result resolve(const Subject& s, const std::string& object, const std::string& relation,
                 int depth) {
    if (depth >= max_depth_) return Result::Depth;
    if (!s.relation.empty() && s.relation == relation && s.type + ":" + s.id == object)
      return Result::True;
    std::string node = object + "#" + relation;
    if (!path_.insert(node).second) return Result::Cycle;
    TypeId type = model_.find_type(type_of(object));
    const RelationInfo& info = model_.relation(model_.find_relation(type, relation));
    Result r = rewrite(info.rewrite, info, s, object, depth);
    path_.erase(node);
    return r;
  }

  // Evaluates a rewrite node the slow, obvious way.
  Result rewrite(const RewriteNode& node, const RelationInfo& info, const Subject& s,
                 const std::string& object, int depth) {
    switch (node.kind) {
      case RewriteKind::Direct:
        return direct(info, s, object, depth);
      case RewriteKind::Computed:
        return resolve(s, object, model_.relation(node.relation).name, depth + 1);
      case RewriteKind::TupleToUserset: {
        std::vector<Result> results;
        const RelationInfo& tupleset = model_.relation(node.tupleset);
        for (const std::string& parent : stored_subjects(object, tupleset.name)) {
          Subject p = Subject::parse(parent);
          if (!p.relation.empty() || p.id == "*") continue;
          TypeId pt = model_.find_type(p.type);
          if (pt < 0 || !model_.allows(tupleset.id, pt, -1, false)) continue;
          if (model_.find_relation(pt, node.computed_name) < 0) continue;
          results.push_back(resolve(s, parent, node.computed_name, depth + 1));
        }
        return any_of(results);
      }
      case RewriteKind::Union: {
        std::vector<Result> results;
        for (const RewriteNode& child : node.children)
          results.push_back(rewrite(child, info, s, object, depth));
        return any_of(results);
      }
      case RewriteKind::Intersection: {
        // The first operand (in order) that is false or cyclic decides.
        bool depth_error = false;
        for (const RewriteNode& child : node.children) {
          Result r = rewrite(child, info, s, object, depth);
          if (r == Result::False || r == Result::Cycle) return r;
          depth_error |= r == Result::Depth;
        }
        return depth_error ? Result::Depth : Result::True;
      }
      case RewriteKind::Exclusion: {
        Result base = rewrite(node.children[0], info, s, object, depth);
        if (base == Result::False || base == Result::Cycle) return base;
        Result sub = rewrite(node.children[1], info, s, object, depth);
        if (sub == Result::Cycle) return Result::Cycle;
        if (sub == Result::True) return Result::False;
        if (base == Result::Depth || sub == Result::Depth) return Result::Depth;
        return Result::True;
      }
    }
    return Result::False;
  }

  // Evaluates the directly assignable part: the exact tuple, a wildcard, or a userset.
  Result direct(const RelationInfo& info, const Subject& s, const std::string& object, int depth) {
    TypeId st = model_.find_type(s.type);
    RelationId sr = s.relation.empty() ? -1 : model_.find_relation(st, s.relation);
    bool wildcard = s.id == "*";
    if (model_.allows(info.id, st, sr, wildcard) && stored(object, info.name, s.text()))
      return Result::True;
    if (!wildcard && model_.allows(info.id, st, -1, true) &&
        stored(object, info.name, s.type + ":*"))
      return Result::True;
    std::vector<Result> results;
    for (const std::string& text : stored_subjects(object, info.name)) {
      Subject u = Subject::parse(text);
      if (u.relation.empty()) continue;
      TypeId ut = model_.find_type(u.type);
      if (ut < 0) continue;
      RelationId ur = model_.find_relation(ut, u.relation);
      if (ur < 0 || !model_.allows(info.id, ut, ur, false)) continue;
      results.push_back(resolve(s, u.type + ":" + u.id, u.relation, depth + 1));
    }
    return any_of(results);
  }

  const Model& model_;
  int max_depth_;
  std::map<std::string, std::set<std::string>> subjects_;
  std::set<std::string> path_;
};

struct Question {
  std::string subject, relation, object;
};

// Every (subject, relation, object) question over the random universe.
std::vector<Question> all_questions() {
  std::vector<Question> questions;
  for (const std::string& object : RandomGraph::objects()) {
    std::string type = object.substr(0, object.find(':'));
    for (const std::string& relation : RandomGraph::relations_of(type))
      for (const std::string& subject : RandomGraph::subjects())
        questions.push_back({subject, relation, object});
  }
  return questions;
}

// Compares every question with the reference, in random order; with
// `fresh`, the memo is cleared before each question, otherwise it is shared
// across subjects and relations. Returns how many were compared exactly.
int compare_with_reference(EvalFixture& f, const std::vector<std::string>& tuples,
                           std::mt19937& rng, bool fresh, const std::string& label) {
  ReferenceChecker limited(f.model(), tuples, 25);
  ReferenceChecker unlimited(f.model(), tuples, 1 << 20);
  std::vector<Question> questions = all_questions();
  std::shuffle(questions.begin(), questions.end(), rng);
  int exact = 0;
  for (const Question& q : questions) {
    if (fresh) f.evaluator().clear_memo();
    ReferenceChecker::Result expected = limited.check(q.subject, q.relation, q.object);
    std::string where = label + ": check(" + q.subject + ", " + q.relation + ", " + q.object + ")";
    if (expected != ReferenceChecker::Result::Depth) {
      ++exact;
      try {
        EXPECT_EQ(f.check(q.subject, q.relation, q.object),
                  expected == ReferenceChecker::Result::True)
            << where;
      } catch (const Error& error) {
        ADD_FAILURE() << where << " raised " << error.what();
      }
      continue;
    }
    // Too deep for the reference: the evaluator may raise the depth error,
    // or answer from results it remembered, but never answer wrongly.
    try {
      bool got = f.check(q.subject, q.relation, q.object);
      EXPECT_EQ(got,
                unlimited.check(q.subject, q.relation, q.object) == ReferenceChecker::Result::True)
          << where << " (beyond the depth limit)";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded) << where << ": " << error.what();
    }
  }
  return exact;
}

// Runs `trials` random tuple sets through compare_with_reference, stopping
// at the first trial that fails (and printing its tuples).
void run_reference_trials(unsigned seed, int trials, bool fresh) {
  std::mt19937 rng(seed);
  int exact = 0;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::string> tuples =
        RandomGraph::tuples(rng, std::uniform_int_distribution<int>(3, 30)(rng));
    EvalFixture f(RandomGraph::kModel);
    f.add_all(tuples);
    exact += compare_with_reference(f, tuples, rng, fresh, "trial " + std::to_string(trial));
    if (::testing::Test::HasFailure()) {
      std::string all;
      for (const std::string& t : tuples) all += "  " + t + "\n";
      FAIL() << "tuples of trial " << trial << ":\n" << all;
    }
  }
  // The comparison must not be vacuous.
  EXPECT_GT(exact, trials * static_cast<int>(all_questions().size()) * 9 / 10);
}

TEST(CheckProperty, FreshChecksAgreeWithTheReferenceOnRandomGraphs) {
  run_reference_trials(20240611, 150, /*fresh=*/true);
}

TEST(CheckProperty, ChecksSharingTheMemoAgreeWithTheReferenceOnRandomGraphs) {
  run_reference_trials(424242, 150, /*fresh=*/false);
}

TEST(CheckProperty, AgreesWithTheReferenceAfterTuplesChangeAndTheMemoIsCleared) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<std::string> tuples = RandomGraph::tuples(rng, 20);
    EvalFixture f(RandomGraph::kModel);
    f.add_all(tuples);
    // Fill the memo, then delete a few tuples and add a few, clear the memo
    // and ask again on the same evaluator.
    for (const Question& q : all_questions()) {
      try {
        f.check(q.subject, q.relation, q.object);
      } catch (const Error&) {
      }
    }
    for (int k = 0; k < 5 && !tuples.empty(); ++k) {
      size_t victim = std::uniform_int_distribution<size_t>(0, tuples.size() - 1)(rng);
      testing::TupleText t = testing::split_tuple(tuples[victim]);
      f.reader().remove(t.object, t.relation, t.subject);
      tuples.erase(tuples.begin() + victim);
    }
    std::vector<std::string> more = RandomGraph::tuples(rng, 5);
    for (const std::string& text : more) {
      testing::TupleText t = testing::split_tuple(text);
      f.reader().add(t.object, t.relation, t.subject);
    }
    tuples.insert(tuples.end(), more.begin(), more.end());
    // A tuple deleted and drawn again appears twice in `tuples`: harmless.
    f.evaluator().clear_memo();
    compare_with_reference(f, tuples, rng, /*fresh=*/true, "trial " + std::to_string(trial));
    if (HasFailure()) FAIL() << "stopping at trial " << trial;
  }
}

}  // namespace
}  // namespace agentauthz::core

namespace agentauthz::core {
namespace {

// Objects with more tuples than the evaluator reads whole are answered by
// reads per relation, with the same results as small ones.
TEST(CheckLargeObjects, AnswerLikeSmallOnes) {
  EvalFixture f(R"(type user
type group
  relations
    define member: [user, group#member]
type document
  relations
    define blocked: [user]
    define viewer: [user, user:*, group#member] but not blocked
)");
  for (int i = 0; i < 150; ++i) f.add({"document:big#viewer@user:u" + std::to_string(i)});
  f.add({"document:big#viewer@group:eng#member", "group:eng#member@user:anne",
         "document:big#blocked@user:u7", "document:open#viewer@user:*"});
  for (int i = 0; i < 150; ++i) f.add({"document:open#blocked@user:b" + std::to_string(i)});
  EXPECT_TRUE(f.check("user:u3", "viewer", "document:big"));
  EXPECT_TRUE(f.check("user:u149", "viewer", "document:big"));
  EXPECT_FALSE(f.check("user:u7", "viewer", "document:big"));
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:big"));
  EXPECT_FALSE(f.check("user:zoe", "viewer", "document:big"));
  EXPECT_TRUE(f.check("user:zoe", "viewer", "document:open"));
  EXPECT_FALSE(f.check("user:b99", "viewer", "document:open"));
  EXPECT_TRUE(f.check("user:*", "viewer", "document:open"));
}

}  // namespace
}  // namespace agentauthz::core
