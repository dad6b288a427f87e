// Unit tests for the evaluator's errors: the depth limit (exactly at it and
// one past, for computed, userset and parent chains, in check and in both
// lists), cancellation through EvalOptions::interrupted, unknown or
// malformed names in requests, and recovery after each error.
#include <gtest/gtest.h>

#include <algorithm>

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;
using testing::Names;

// Runs `action` and returns the kind of core::Error it raised; fails the
// test if it raised nothing.
template <typename Action>
ErrorKind error_kind(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "expected a core::Error";
  return ErrorKind::Internal;
}

// A document type whose relation a1 is a chain of `hops` computed relations
// a1 -> a2 -> ... ending in `a<hops+1>: [user]`.
std::string computed_chain(int hops) {
  std::string body = "type user\ntype document\n  relations\n";
  for (int i = 1; i <= hops; ++i)
    body += "    define a" + std::to_string(i) + ": a" + std::to_string(i + 1) + "\n";
  body += "    define a" + std::to_string(hops + 1) + ": [user]\n";
  body += "    define viewer: [user] and a1\n";
  return body;
}

constexpr const char* kGroups = R"(type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define parent: [folder]
    define viewer: [user] or viewer from parent
type document
  relations
    define viewer: [group#member]
)";

// group:g0 contains g1 contains ... g<last>.
void add_group_chain(EvalFixture& f, int last) {
  for (int i = 0; i < last; ++i)
    f.add({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string(i + 1) + "#member"});
}

// folder:f0's parent is f1, whose parent is ... f<last>.
void add_folder_chain(EvalFixture& f, int last) {
  for (int i = 0; i < last; ++i)
    f.add({"folder:f" + std::to_string(i) + "#parent@folder:f" + std::to_string(i + 1)});
}

// ---- depth: computed chains ---------------------------------------------------
// Every computed hop counts: 24 hops resolve, 25 raise DepthExceeded even
// with no tuples at all (OpenFGA's resolution_depth test).

TEST(DepthComputed, ChainOf24HopsResolves) {
  EvalFixture f(computed_chain(24));
  EXPECT_FALSE(f.check("user:anne", "a1", "document:1"));
  f.add({"document:1#a25@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "a1", "document:1"));
}

TEST(DepthComputed, ChainOf25HopsRaisesEvenWithoutTuples) {
  EvalFixture f(computed_chain(25));
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "a1", "document:1"); }),
            ErrorKind::DepthExceeded);
  f.add({"document:1#a26@user:anne"});
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "a1", "document:1"); }),
            ErrorKind::DepthExceeded);
}

TEST(DepthComputed, ListObjectsRaisesWhenItsConfirmingCheckIsTooDeep) {
  // OpenFGA's list_objects_with_subcheck_resolution_depth_exceeded.
  EvalFixture f(computed_chain(25));
  f.add({"document:1#viewer@user:jon"});
  EXPECT_EQ(error_kind([&] { f.objects("user:jon", "viewer", "document"); }),
            ErrorKind::DepthExceeded);
}

TEST(DepthComputed, MaxDepthOptionMovesTheLimit) {
  EvalOptions options;
  options.max_depth = 3;
  EvalFixture f(computed_chain(2), options);
  f.add({"document:1#a3@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "a1", "document:1"));
  f.set_model(computed_chain(3), options);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "a1", "document:1"); }),
            ErrorKind::DepthExceeded);
}

// ---- depth: userset and parent chains ---------------------------------------------
// Each userset or parent hop counts; check and both lists agree on where
// the limit lies, and a grant found before the limit wins.

TEST(DepthUsersets, MemberOf24GroupsDownResolvesInCheckAndLists) {
  EvalFixture f(kGroups);
  add_group_chain(f, 24);
  f.add({"group:g24#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "member", "group:g0"));
  EXPECT_EQ(f.objects("user:anne", "member", "group").size(), 25u);
  EXPECT_EQ(f.subjects("group:g0", "member", "user"), Names{"user:anne"});
}

TEST(DepthUsersets, MemberOf25GroupsDownRaisesInCheckAndLists) {
  EvalFixture f(kGroups);
  add_group_chain(f, 25);
  f.add({"group:g25#member@user:anne"});
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "member", "group:g0"); }),
            ErrorKind::DepthExceeded);
  EXPECT_EQ(error_kind([&] { f.objects("user:anne", "member", "group"); }),
            ErrorKind::DepthExceeded);
  EXPECT_EQ(error_kind([&] { f.subjects("group:g0", "member", "user"); }),
            ErrorKind::DepthExceeded);
}

// The actor's allowed set under row-level security leaves out what lies
// beyond the limit, as a single actor check denies it, and keeps what a
// shorter path grants.
TEST(DepthUsersets, OmittingListingLeavesOutOnlyWhatIsTooDeep) {
  EvalFixture f(kGroups);
  add_group_chain(f, 30);
  f.add({"group:g26#member@user:anne"});
  EXPECT_EQ(error_kind([&] { f.objects("user:anne", "member", "group"); }),
            ErrorKind::DepthExceeded);
  Names omitted = f.objects("user:anne", "member", "group", Evaluator::BeyondDepth::Omit);
  EXPECT_EQ(omitted.size(), 25u);  // g26 down to g2: within 25 hops
  EXPECT_TRUE(std::find(omitted.begin(), omitted.end(), "group:g2") != omitted.end());
  EXPECT_TRUE(std::find(omitted.begin(), omitted.end(), "group:g1") == omitted.end());
  f.add({"group:g1#member@user:anne"});
  Names shorter = f.objects("user:anne", "member", "group", Evaluator::BeyondDepth::Omit);
  EXPECT_TRUE(std::find(shorter.begin(), shorter.end(), "group:g0") != shorter.end());
}

// A confirming check that is too deep leaves the candidate out, too.
TEST(DepthComputed, OmittingListingLeavesOutATooDeepConfirmation) {
  EvalFixture f(computed_chain(25));
  f.add({"document:1#viewer@user:jon"});
  EXPECT_TRUE(f.objects("user:jon", "viewer", "document", Evaluator::BeyondDepth::Omit).empty());
}

TEST(DepthUsersets, DeniedCheckOverATooLongChainRaises) {
  EvalFixture f(kGroups);
  add_group_chain(f, 25);
  EXPECT_EQ(error_kind([&] { f.check("user:bob", "member", "group:g0"); }),
            ErrorKind::DepthExceeded);
}

TEST(DepthUsersets, GrantFoundBeforeTheLimitWins) {
  EvalFixture f(kGroups);
  add_group_chain(f, 30);
  f.add({"group:g3#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "member", "group:g0"));
}

// A result remembered from a shallow check is not reused where less depth
// remains: the answer does not depend on what was asked before.
TEST(DepthUsersets, RememberedResultsDoNotHideTheLimit) {
  EvalFixture f(kGroups);
  add_group_chain(f, 30);
  f.add({"group:g30#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "member", "group:g20"));
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "member", "group:g0"); }),
            ErrorKind::DepthExceeded);
  // Denials too: g20 is false for bob at 10 hops, not at 30.
  EXPECT_FALSE(f.check("user:bob", "member", "group:g20"));
  EXPECT_EQ(error_kind([&] { f.check("user:bob", "member", "group:g0"); }),
            ErrorKind::DepthExceeded);
  // Found deep first, then shallower: reused.
  EXPECT_TRUE(f.check("user:anne", "member", "group:g25"));
}

TEST(DepthUsersets, UsersetHopFromADocumentCounts) {
  // document viewer -> g0 is one more hop than the group chain itself.
  EvalFixture f(kGroups);
  add_group_chain(f, 23);
  f.add({"document:1#viewer@group:g0#member", "group:g23#member@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "document:1"));
  f.add({"group:g23#member@group:g24#member", "group:g24#member@user:bob"});
  EXPECT_EQ(error_kind([&] { f.check("user:bob", "viewer", "document:1"); }),
            ErrorKind::DepthExceeded);
}

TEST(DepthParents, ParentChainOf24ResolvesAnd25Raises) {
  EvalFixture f(kGroups);
  add_folder_chain(f, 24);
  f.add({"folder:f24#viewer@user:anne"});
  EXPECT_TRUE(f.check("user:anne", "viewer", "folder:f0"));
  EXPECT_EQ(f.subjects("folder:f0", "viewer", "user"), Names{"user:anne"});
  f.add({"folder:f24#parent@folder:f25", "folder:f25#viewer@user:bob"});
  EXPECT_EQ(error_kind([&] { f.check("user:bob", "viewer", "folder:f0"); }),
            ErrorKind::DepthExceeded);
  EXPECT_EQ(error_kind([&] { f.objects("user:bob", "viewer", "folder"); }),
            ErrorKind::DepthExceeded);
}

// ---- depth errors: message and recovery ---------------------------------------------
// The error names the limit, and an evaluator that raised it keeps giving
// right answers afterwards.

TEST(DepthErrors, MessageNamesTheLimitAndTheRequest) {
  EvalFixture f(computed_chain(25));
  try {
    f.check("user:anne", "a1", "document:1");
    FAIL() << "expected DepthExceeded";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("25"), std::string::npos) << error.what();
    EXPECT_NE(error.detail().find("user:anne"), std::string::npos) << error.detail();
    EXPECT_NE(error.detail().find("document:1"), std::string::npos) << error.detail();
  }
}

TEST(DepthErrors, EvaluatorAnswersCorrectlyAfterADepthError) {
  EvalFixture f(kGroups);
  add_group_chain(f, 25);
  f.add({"group:g1#member@user:anne"});
  EXPECT_EQ(error_kind([&] { f.check("user:bob", "member", "group:g0"); }),
            ErrorKind::DepthExceeded);
  EXPECT_TRUE(f.check("user:anne", "member", "group:g0"));
  EXPECT_TRUE(f.check("user:anne", "member", "group:g1"));
  EXPECT_FALSE(f.check("user:bob", "member", "group:g24"));
  // Asked again, the question may be answered from remembered results
  // (bob is not in g24) instead of raising; it must never be granted.
  try {
    EXPECT_FALSE(f.check("user:bob", "member", "group:g0"));
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded) << error.what();
  }
}

// ---- cancellation ---------------------------------------------------------------------
// A true `interrupted` callback stops check and both lists with Cancelled;
// a later evaluation on the same evaluator still answers correctly.

// 200 empty groups shared with document:1, and anne a member of 200 groups.
void add_wide_data(EvalFixture& f) {
  for (int i = 0; i < 200; ++i) {
    f.add({"document:1#viewer@group:e" + std::to_string(i) + "#member",
           "group:m" + std::to_string(i) + "#member@user:anne"});
  }
}

// Returns options whose callback reports the shared flag.
EvalOptions interruptible(const std::shared_ptr<bool>& flag) {
  EvalOptions options;
  options.interrupted = [flag] { return *flag; };
  return options;
}

TEST(Cancellation, InterruptedCheckRaisesCancelled) {
  auto flag = std::make_shared<bool>(true);
  EvalFixture f(kGroups, interruptible(flag));
  add_wide_data(f);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "viewer", "document:1"); }),
            ErrorKind::Cancelled);
}

TEST(Cancellation, InterruptedListsRaiseCancelled) {
  auto flag = std::make_shared<bool>(true);
  EvalFixture f(kGroups, interruptible(flag));
  add_wide_data(f);
  EXPECT_EQ(error_kind([&] { f.objects("user:anne", "member", "group"); }), ErrorKind::Cancelled);
  EXPECT_EQ(error_kind([&] { f.subjects("document:1", "viewer", "user"); }), ErrorKind::Cancelled);
}

TEST(Cancellation, CallbackThatStaysFalseLetsEvaluationFinish) {
  auto flag = std::make_shared<bool>(false);
  EvalFixture f(kGroups, interruptible(flag));
  add_wide_data(f);
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_EQ(f.objects("user:anne", "member", "group").size(), 200u);
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"), Names{});
}

TEST(Cancellation, EvaluatorAnswersCorrectlyAfterACancelledCheck) {
  auto flag = std::make_shared<bool>(true);
  EvalFixture f(kGroups, interruptible(flag));
  add_wide_data(f);
  f.add({"group:e99#member@user:bob"});
  // A denial walks all 200 groups, far past the first poll.
  EXPECT_EQ(error_kind([&] { f.check("user:carl", "viewer", "document:1"); }),
            ErrorKind::Cancelled);
  *flag = false;
  EXPECT_FALSE(f.check("user:carl", "viewer", "document:1"));
  EXPECT_TRUE(f.check("user:bob", "viewer", "document:1"));
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"), Names{"user:bob"});
}

// ---- names in requests -------------------------------------------------------------
// Unknown types and relations raise UndefinedName, malformed strings
// InvalidArgument, never a silent false.

TEST(RequestNames, UnknownTypeOrRelationRaisesUndefinedName) {
  EvalFixture f(kGroups);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "viewer", "robot:1"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.check("robot:r2", "viewer", "document:1"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "editor", "document:1"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.check("group:eng#admin", "viewer", "document:1"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.objects("user:anne", "viewer", "robot"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.subjects("document:1", "viewer", "group#admin"); }),
            ErrorKind::UndefinedName);
  EXPECT_EQ(error_kind([&] { f.subjects("document:1", "viewer", "robot"); }),
            ErrorKind::UndefinedName);
}

TEST(RequestNames, MalformedStringsRaiseInvalidArgument) {
  EvalFixture f(kGroups);
  EXPECT_EQ(error_kind([&] { f.check("anne", "viewer", "document:1"); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "viewer", "document:*"); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.check("user:an ne", "viewer", "document:1"); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "view er", "document:1"); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.check("user:anne", "", "document:1"); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.subjects("document:1", "viewer", ""); }),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(error_kind([&] { f.subjects("document:1", "viewer", "group#"); }),
            ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace agentauthz::core
