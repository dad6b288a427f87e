// Unit tests for conditions in evaluation, with OpenFGA's semantics: a
// tuple counts when its condition is met under the request's context
// merged with the tuple's own (the tuple's wins); a parameter without a
// value is an error unless a grant elsewhere decides; errors fold through
// union, intersection and exclusion as OpenFGA's check does; tuples whose
// condition the model does not allow are ignored; lists fail on an error;
// results never carry over from one context to another.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;
using testing::Names;
using testing::split_tuple;

constexpr const char* kModel = R"(type user
type group
  relations
    define member: [user, user with in_region, group#member with in_region]
type folder
  relations
    define viewer: [user with below_limit]
type document
  relations
    define parent: [folder, folder with below_limit]
    define blocked: [user with below_limit]
    define owner: [user]
    define writer: [user with below_limit, group#member]
    define viewer: [user, user:* with below_limit] or writer or viewer from parent
    define both: writer and owner
    define allowed: viewer but not blocked

condition below_limit(amount: int, limit: int) {
  amount <= limit
}

condition in_region(region: string, allowed: list<string>) {
  region in allowed
}
)";

class Conditions : public ::testing::Test {
 protected:
  Conditions() : f(kModel) {}

  // Stores a tuple with a condition and its context (JSON text).
  void add(std::string_view tuple, std::string_view condition = {}, std::string_view context = {}) {
    auto t = split_tuple(tuple);
    f.reader().add(t.object, t.relation, t.subject, condition, context);
    f.evaluator().clear_memo();
  }
  void context(std::string_view json) {
    f.evaluator().set_context(ConditionContext::from_json(json));
  }
  // The message of the error check() raises, or "" when it answers.
  std::string check_error(std::string_view subject, std::string_view relation,
                          std::string_view object) {
    try {
      f.check(subject, relation, object);
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::ConditionFailed);
      return error.what();
    }
    return "";
  }

  EvalFixture f;
};

TEST_F(Conditions, DirectTupleMetNotMetAndMissing) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  EXPECT_EQ(check_error("user:jon", "writer", "document:1"),
            "failed to evaluate relationship condition 'below_limit': tuple "
            "'document:1#writer@user:jon' is missing context parameters '[amount]'");
  context(R"({"amount": 10})");
  EXPECT_TRUE(f.check("user:jon", "writer", "document:1"));
  context(R"({"amount": 101})");
  EXPECT_FALSE(f.check("user:jon", "writer", "document:1"));
  // Computed from writer: the same answers.
  EXPECT_FALSE(f.check("user:jon", "viewer", "document:1"));
  context(R"({"amount": 100})");
  EXPECT_TRUE(f.check("user:jon", "viewer", "document:1"));
}

TEST_F(Conditions, TheTuplesContextWinsOverTheRequests) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  context(R"({"amount": 50, "limit": 10})");
  EXPECT_TRUE(f.check("user:jon", "writer", "document:1"));
  context(R"({"amount": 150, "limit": 1000})");
  EXPECT_FALSE(f.check("user:jon", "writer", "document:1"));
}

TEST_F(Conditions, AWrongTypeOrAnEvaluationFailureIsAnError) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  context(R"({"amount": "ten"})");
  EXPECT_NE(check_error("user:jon", "writer", "document:1").find("amount"), std::string::npos);
  context(R"({"amount": 1.5})");
  EXPECT_NE(check_error("user:jon", "writer", "document:1").find("below_limit"), std::string::npos);
}

// The request's values are converted once per context and reused for each
// tuple; a tuple's own value still replaces the request's before either is
// converted, so a request value of the wrong type fails only the tuples
// that use it, and the first parameter in declared order that fails names
// the error.
TEST_F(Conditions, RequestValuesAreBoundPerTupleAsIfMerged) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  add("document:2#writer@user:jon", "below_limit", R"({"limit": 100, "amount": 5})");
  add("document:3#writer@user:jon", "below_limit", R"({"limit": 1})");
  context(R"({"amount": "ten"})");
  EXPECT_TRUE(f.check("user:jon", "writer", "document:2"));
  EXPECT_EQ(check_error("user:jon", "writer", "document:1"),
            "failed to evaluate relationship condition 'below_limit': failed to convert context "
            "parameter 'amount': expected a int64 value, but found invalid string value 'ten'");
  context(R"({"amount": 50, "limit": "x"})");
  EXPECT_TRUE(f.check("user:jon", "writer", "document:1"));
  EXPECT_FALSE(f.check("user:jon", "writer", "document:3"));
  EXPECT_TRUE(f.check("user:jon", "writer", "document:2"));
  context(R"({"amount": true, "limit": "x"})");
  add("document:4#writer@user:jon", "below_limit", R"({})");
  EXPECT_NE(check_error("user:jon", "writer", "document:4").find("parameter 'amount'"),
            std::string::npos);
}

TEST_F(Conditions, AGrantElsewhereDecidesOverAnError) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  add("document:1#viewer@user:jon");
  // viewer = [user] or writer: the plain tuple grants, the error is moot.
  EXPECT_TRUE(f.check("user:jon", "viewer", "document:1"));
  EXPECT_NE(check_error("user:jon", "writer", "document:1"), "");
}

TEST_F(Conditions, ErrorsFoldThroughIntersectionAndExclusion) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  // both = writer and owner: owner false decides, the error does not matter.
  EXPECT_FALSE(f.check("user:jon", "both", "document:1"));
  add("document:1#owner@user:jon");
  EXPECT_NE(check_error("user:jon", "both", "document:1"), "");
  context(R"({"amount": 1})");
  EXPECT_TRUE(f.check("user:jon", "both", "document:1"));

  // allowed = viewer but not blocked.
  context("{}");
  add("document:2#viewer@user:ann");
  add("document:2#blocked@user:ann", "below_limit", R"({"limit": 5})");
  EXPECT_NE(check_error("user:ann", "allowed", "document:2"), "");  // subtracted: error
  context(R"({"amount": 3})");
  EXPECT_FALSE(f.check("user:ann", "allowed", "document:2"));  // blocked
  context(R"({"amount": 30})");
  EXPECT_TRUE(f.check("user:ann", "allowed", "document:2"));
  // A base that is false decides whatever the subtraction would say.
  context("{}");
  EXPECT_FALSE(f.check("user:bob", "allowed", "document:2"));
}

TEST_F(Conditions, UsersetAndParentTuplesAreGated) {
  add("document:1#writer@group:eng#member");
  add("group:eng#member@group:fga#member", "in_region", R"({"allowed": ["eu"]})");
  add("group:fga#member@user:jon");
  context(R"({"region": "eu"})");
  EXPECT_TRUE(f.check("user:jon", "writer", "document:1"));
  context(R"({"region": "us"})");
  EXPECT_FALSE(f.check("user:jon", "writer", "document:1"));
  // The userset subject itself is not reached through an unmet tuple.
  EXPECT_FALSE(f.check("group:fga#member", "writer", "document:1"));

  add("document:2#parent@folder:f", "below_limit", R"({"limit": 10})");
  add("folder:f#viewer@user:kim", "below_limit", R"({"limit": 1000})");
  context(R"({"amount": 5})");
  EXPECT_TRUE(f.check("user:kim", "viewer", "document:2"));
  context(R"({"amount": 50})");
  EXPECT_FALSE(f.check("user:kim", "viewer", "document:2"));  // the parent tuple fails
  context("{}");
  EXPECT_NE(check_error("user:kim", "viewer", "document:2"), "");
}

TEST_F(Conditions, WildcardWithCondition) {
  add("document:1#viewer@user:*", "below_limit", R"({"limit": 10})");
  context(R"({"amount": 5})");
  EXPECT_TRUE(f.check("user:anyone", "viewer", "document:1"));
  context(R"({"amount": 50})");
  EXPECT_FALSE(f.check("user:anyone", "viewer", "document:1"));
}

TEST_F(Conditions, TuplesTheRestrictionDoesNotAllowAreIgnored) {
  // viewer allows `user` only unconditionally; owner has no conditions;
  // writer allows `user` only with below_limit; a condition the model does
  // not define never counts.
  add("document:1#owner@user:a", "below_limit", R"({"limit": 10})");
  add("document:1#writer@user:b");
  add("document:1#writer@user:c", "no_such_condition", "{}");
  add("document:1#writer@user:d", "in_region", R"({"allowed": []})");
  context(R"({"amount": 1, "region": "eu"})");
  EXPECT_FALSE(f.check("user:a", "owner", "document:1"));
  EXPECT_FALSE(f.check("user:b", "writer", "document:1"));
  EXPECT_FALSE(f.check("user:c", "writer", "document:1"));
  EXPECT_FALSE(f.check("user:d", "writer", "document:1"));
}

TEST_F(Conditions, ResultsDoNotCarryOverFromOneContextToAnother) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  for (int i = 0; i < 3; ++i) {
    context(R"({"amount": 10})");
    EXPECT_TRUE(f.check("user:jon", "viewer", "document:1"));
    EXPECT_TRUE(f.check("user:jon", "viewer", "document:1"));
    context(R"({"amount": 1000})");
    EXPECT_FALSE(f.check("user:jon", "viewer", "document:1"));
  }
}

TEST_F(Conditions, ListsFollowCheckAndFailOnAnError) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  add("document:2#writer@user:jon", "below_limit", R"({"limit": 5})");
  add("document:3#owner@user:jon");
  context(R"({"amount": 10})");
  EXPECT_EQ(f.objects("user:jon", "writer", "document"), Names({"document:1"}));
  EXPECT_EQ(f.subjects("document:1", "writer", "user"), Names({"user:jon"}));
  EXPECT_EQ(f.subjects("document:2", "writer", "user"), Names({}));
  context("{}");
  EXPECT_THROW(f.objects("user:jon", "writer", "document"), Error);
  EXPECT_THROW(f.subjects("document:1", "writer", "user"), Error);
  EXPECT_EQ(f.objects("user:jon", "owner", "document"), Names({"document:3"}));
}

TEST_F(Conditions, ListSubjectsFailsOnAnErrorOnAnyPath) {
  // Two parents, one met and one missing its parameter: check grants,
  // list_subjects fails as OpenFGA's ListUsers does.
  add("document:1#parent@folder:a", "below_limit", R"({"amount": 1})");
  add("document:1#parent@folder:b", "below_limit", R"({"limit": 1})");
  add("folder:a#viewer@user:jon", "below_limit", R"({"amount": 1})");
  add("folder:b#viewer@user:jon", "below_limit", R"({"amount": 1})");
  context(R"({"limit": 10})");
  EXPECT_THROW(f.subjects("document:1", "viewer", "user"), Error);
  add("document:1#parent@folder:b", "below_limit", R"({"limit": 1, "amount": 5})");
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"), Names({"user:jon"}));
  EXPECT_TRUE(f.check("user:jon", "viewer", "document:1"));
}

TEST_F(Conditions, ListSubjectsFailsOnAnErrorInsideAnIntersection) {
  // jon's writer tuple misses its amount; `both` is writer and owner, and
  // jon is no owner, so check says false without an error -- but the
  // listing met the error on its way, as OpenFGA's ListUsers does.
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  add("document:1#owner@user:ann");
  EXPECT_FALSE(f.check("user:jon", "both", "document:1"));
  EXPECT_THROW(f.subjects("document:1", "both", "user"), Error);
  // A listing of usersets reads no plain subject, so meets no error.
  EXPECT_EQ(f.subjects("document:1", "writer", "group#member"), Names({}));
  context(R"({"amount": 5})");
  EXPECT_EQ(f.subjects("document:1", "writer", "user"), Names({"user:jon"}));
}

TEST_F(Conditions, ExplainShowsTheConditionAndItsValues) {
  add("document:1#writer@user:jon", "below_limit", R"({"limit": 100})");
  context(R"({"amount": 10, "unrelated": true})");
  Proof proof;
  EXPECT_TRUE(f.explain("user:jon", "writer", "document:1", &proof));
  std::vector<const Proof*> stack{&proof};
  const Proof* step = nullptr;
  while (!stack.empty()) {
    const Proof* p = stack.back();
    stack.pop_back();
    if (!p->condition.empty()) step = p;
    for (const Proof& c : p->children) stack.push_back(&c);
  }
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->condition, "below_limit");
  EXPECT_EQ(step->condition_values, R"({"amount":10,"limit":100})");
  EXPECT_TRUE(step->condition_met);
}

TEST(ContextMerger, SameValuesMergeDifferentValuesFail) {
  ContextMerger merger;
  merger.add("delegation 1", ConditionContext::from_json(R"({"a": 1, "b": "x"})").values());
  merger.add("set_context", ConditionContext::from_json(R"({"b": "x", "c": true})").values());
  EXPECT_TRUE(merger.has("c"));
  EXPECT_EQ(merger.result().text(), R"({"a":1,"b":"x","c":true})");
  try {
    merger.add("the row", ConditionContext::from_json(R"({"a": 2})").values());
    ADD_FAILURE() << "expected a conflict";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(error.what()).find("\"a\""), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("delegation 1"), std::string::npos);
  }
  EXPECT_THROW(ConditionContext::from_json("[1]"), Error);
  EXPECT_THROW(ConditionContext::from_json("{"), Error);
}

// A number is one value however it is written; distinct integers beyond a
// double's precision, a number and its string, stay different values.
TEST(ContextMerger, NumbersCompareByValue) {
  auto merges = [](const char* first, const char* second) {
    ContextMerger merger;
    merger.add("delegation 1", ConditionContext::from_json(first).values());
    try {
      merger.add("the row", ConditionContext::from_json(second).values());
    } catch (const Error&) {
      return false;
    }
    return true;
  };
  EXPECT_TRUE(merges(R"({"a": 100})", R"({"a": 100.0})"));
  EXPECT_TRUE(merges(R"({"a": 100})", R"({"a": 1e2})"));
  EXPECT_TRUE(merges(R"({"a": 0})", R"({"a": -0})"));
  EXPECT_FALSE(merges(R"({"a": 100})", R"({"a": 100.5})"));
  EXPECT_FALSE(merges(R"({"a": 9007199254740993})", R"({"a": 9007199254740992})"));
  EXPECT_FALSE(merges(R"({"a": 18446744073709551615})", R"({"a": 18446744073709551614})"));
  EXPECT_FALSE(merges(R"({"a": 100})", R"({"a": "100"})"));
  EXPECT_FALSE(merges(R"({"a": 1e99999})", R"({"a": 2e99999})"));
  EXPECT_TRUE(merges(R"({"a": 1e99999})", R"({"a": 1e99999})"));
}

}  // namespace
}  // namespace agentauthz::core
