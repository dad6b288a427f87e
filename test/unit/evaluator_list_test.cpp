// Unit tests for Evaluator::list_objects and list_subjects: what each rewrite
// kind contributes, wildcards and usersets in results, no duplicates, and a
// property test that both agree with check on random tuple sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;
using testing::Names;
using testing::RandomGraph;

constexpr const char* kDrive = R"(type user
type group
  relations
    define member: [user, user:*, group#member]
type folder
  relations
    define parent: [folder]
    define owner: [user, group#member]
    define viewer: [user, user:*, group#member] or owner or viewer from parent
type document
  relations
    define parent: [folder]
    define owner: [user]
    define blocked: [user, group#member]
    define shared: [user]
    define viewer: [user, user:*, group#member] or owner or viewer from parent
    define reader: viewer but not blocked
    define reviewer: viewer and shared
)";

// ---- list_objects -------------------------------------------------------------
// Every way of holding a relation yields the object, once; subtracted or
// unmatched intersections do not.

TEST(ListObjects, DirectComputedAndParentGrantsAreAllListedOnce) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:anne", "document:2#owner@user:anne", "document:3#parent@folder:a",
         "folder:a#viewer@user:anne", "document:4#parent@folder:b", "folder:b#parent@folder:a",
         // document:1 is reachable three ways; it must appear once.
         "document:1#owner@user:anne", "document:1#parent@folder:a", "document:9#viewer@user:bob"});
  EXPECT_EQ(f.objects("user:anne", "viewer", "document"),
            (Names{"document:1", "document:2", "document:3", "document:4"}));
  EXPECT_EQ(f.objects("user:anne", "viewer", "folder"), (Names{"folder:a", "folder:b"}));
  EXPECT_EQ(f.objects("user:anne", "owner", "document"), (Names{"document:1", "document:2"}));
  EXPECT_EQ(f.objects("user:carl", "viewer", "document"), Names{});
}

// A listing's leaf objects (documents under folders and groups) reach a
// sink as read, without interning each id; the list is the same.
TEST(ListObjects, LeafObjectsReachASinkAsReadWithoutInterning) {
  EvalFixture f(kDrive);
  f.add({"group:eng#member@user:anne", "folder:a#viewer@group:eng#member",
         "folder:b#parent@folder:a", "document:1#parent@folder:a", "document:2#parent@folder:b",
         "document:3#viewer@user:anne", "document:4#viewer@group:eng#member",
         "document:5#owner@user:anne",
         // document:1 and document:3 come again, as read and as met
         "document:1#viewer@user:anne", "document:3#parent@folder:b", "document:9#parent@folder:z",
         "document:8#viewer@user:bob"});
  size_t read = 0;
  Names as_read = f.objects_as_read("user:anne", "viewer", "document", &read);
  EXPECT_EQ(as_read, (Names{"document:1", "document:2", "document:3", "document:4", "document:5"}));
  // 1 and 3 twice each; 5 is met as an owner node (viewer = owner), not read.
  EXPECT_EQ(read, 6u);
  Symbol unused = 0;
  for (const char* id : {"1", "2", "3", "4"})
    EXPECT_FALSE(f.interner().find(id, &unused)) << "document " << id << " was interned";
  EXPECT_TRUE(f.interner().find("5", &unused));
  EXPECT_EQ(as_read, f.objects("user:anne", "viewer", "document"));
  // Not monotone: every object is confirmed by check, so met and interned.
  EXPECT_EQ(f.objects_as_read("user:anne", "reader", "document", &read),
            f.objects("user:anne", "reader", "document"));
  EXPECT_EQ(read, 0u);
  // A relation that leads further (folders' viewers name subfolders) is walked.
  EXPECT_EQ(f.objects_as_read("user:anne", "viewer", "folder", &read),
            (Names{"folder:a", "folder:b"}));
  EXPECT_EQ(read, 0u);
}

// The sink stops a listing by returning false (too many ids: the listing
// is incomplete); ids beyond the depth limit are left out as met nodes
// are. A listing that raises on depth reads nothing into the sink: it must
// know whether each object was met before.
TEST(ListObjects, TheSinkStopsAListingAndDepthIsJudgedAsForNodes) {
  EvalFixture f(kDrive);
  for (int i = 0; i < 50; ++i) f.add({"document:" + std::to_string(i) + "#viewer@user:anne"});
  bool complete = true;
  size_t read = 0;
  Names partial = f.objects_as_read("user:anne", "viewer", "document", &read,
                                    Evaluator::BeyondDepth::Omit, 10, &complete);
  EXPECT_FALSE(complete);
  EXPECT_EQ(read, 10u);
  EXPECT_EQ(partial.size(), 10u);
  EXPECT_EQ(f.objects_as_read("user:anne", "viewer", "document", &read,
                              Evaluator::BeyondDepth::Omit, 51, &complete)
                .size(),
            50u);
  EXPECT_TRUE(complete);
  EXPECT_EQ(read, 50u);

  EvalOptions shallow;
  shallow.max_depth = 2;
  EvalFixture deep(kDrive, shallow);
  deep.add({"folder:a#viewer@user:anne", "folder:b#parent@folder:a", "document:1#parent@folder:a",
            "document:2#parent@folder:b", "document:3#viewer@user:anne"});
  EXPECT_EQ(deep.objects_as_read("user:anne", "viewer", "document"),
            deep.objects("user:anne", "viewer", "document", Evaluator::BeyondDepth::Omit));
  EXPECT_EQ(deep.objects_as_read("user:anne", "viewer", "document"),
            (Names{"document:1", "document:3"}));
  EXPECT_THROW(
      deep.objects_as_read("user:anne", "viewer", "document", &read, Evaluator::BeyondDepth::Raise),
      Error);
  EXPECT_EQ(read, 0u);

  // Reading the documents at the limit finds none: nothing is too deep.
  EvalFixture edge(kDrive, shallow);
  edge.add({"group:a#member@user:anne", "group:b#member@group:a#member",
            "document:1#viewer@group:a#member"});
  Names expected{"document:1"};
  EXPECT_EQ(edge.objects("user:anne", "viewer", "document"), expected);
  EXPECT_EQ(
      edge.objects_as_read("user:anne", "viewer", "document", &read, Evaluator::BeyondDepth::Raise),
      expected);
  EXPECT_EQ(edge.objects_as_read("user:anne", "viewer", "document"), expected);
}

TEST(ListObjects, NestedGroupsGrantTheirMembersAndTheUsersetItself) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@group:all#member", "group:all#member@group:eng#member",
         "group:eng#member@user:anne", "folder:x#owner@group:eng#member"});
  EXPECT_EQ(f.objects("user:anne", "viewer", "document"), Names{"document:1"});
  EXPECT_EQ(f.objects("user:anne", "member", "group"), (Names{"group:all", "group:eng"}));
  EXPECT_EQ(f.objects("group:eng#member", "viewer", "document"), Names{"document:1"});
  EXPECT_EQ(f.objects("group:eng#member", "member", "group"), (Names{"group:all", "group:eng"}));
  EXPECT_EQ(f.objects("group:all#member", "viewer", "folder"), Names{});
  EXPECT_EQ(f.objects("group:eng#member", "viewer", "folder"), Names{"folder:x"});
}

TEST(ListObjects, WildcardTuplesAreListedForEveryUserAndForTheWildcard) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:*", "document:2#viewer@user:anne", "group:everyone#member@user:*",
         "document:3#viewer@group:everyone#member"});
  EXPECT_EQ(f.objects("user:anne", "viewer", "document"),
            (Names{"document:1", "document:2", "document:3"}));
  EXPECT_EQ(f.objects("user:bob", "viewer", "document"), (Names{"document:1", "document:3"}));
  EXPECT_EQ(f.objects("user:*", "viewer", "document"), (Names{"document:1", "document:3"}));
}

TEST(ListObjects, ExclusionAndIntersectionFilterTheCandidates) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:anne", "document:2#viewer@user:anne", "document:3#viewer@user:*",
         "document:2#blocked@user:anne", "document:1#shared@user:anne",
         "document:4#shared@user:anne"});
  EXPECT_EQ(f.objects("user:anne", "reader", "document"), (Names{"document:1", "document:3"}));
  EXPECT_EQ(f.objects("user:anne", "reviewer", "document"), Names{"document:1"});
  EXPECT_EQ(f.objects("user:bob", "reader", "document"), Names{"document:3"});
  EXPECT_EQ(f.objects("user:*", "reader", "document"), Names{"document:3"});
}

TEST(ListObjects, TuplesTheModelDoesNotAllowAreNotListed) {
  EvalFixture f(kDrive);
  f.add({"document:1#shared@user:*", "document:2#owner@group:eng#member",
         "group:eng#member@user:anne", "document:3#parent@document:4",
         "document:4#viewer@user:anne", "document:5#reader@user:anne"});
  EXPECT_EQ(f.objects("user:anne", "shared", "document"), Names{});
  EXPECT_EQ(f.objects("user:anne", "owner", "document"), Names{});
  EXPECT_EQ(f.objects("user:anne", "viewer", "document"), Names{"document:4"});
  EXPECT_EQ(f.objects("user:anne", "reader", "document"), Names{"document:4"});
}

TEST(ListObjects, CyclicGroupsAndFoldersTerminate) {
  EvalFixture f(kDrive);
  f.add({"group:a#member@group:b#member", "group:b#member@group:a#member",
         "group:b#member@user:anne", "folder:x#parent@folder:y", "folder:y#parent@folder:x",
         "folder:y#viewer@group:a#member"});
  EXPECT_EQ(f.objects("user:anne", "member", "group"), (Names{"group:a", "group:b"}));
  EXPECT_EQ(f.objects("user:anne", "viewer", "folder"), (Names{"folder:x", "folder:y"}));
  EXPECT_EQ(f.objects("user:bob", "viewer", "folder"), Names{});
}

// ---- list_subjects ------------------------------------------------------------
// Subjects of the filter type are listed once, wildcards as `type:*`,
// usersets (including the object's own) for a `type#relation` filter.

TEST(ListSubjects, DirectComputedParentAndGroupGrantsAreListedOnce) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:anne", "document:1#owner@user:anne", "document:1#owner@user:bob",
         "document:1#parent@folder:a", "folder:a#viewer@user:carl",
         "folder:a#viewer@group:eng#member", "group:eng#member@user:dora",
         "group:eng#member@user:anne"});
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"),
            (Names{"user:anne", "user:bob", "user:carl", "user:dora"}));
  EXPECT_EQ(f.subjects("document:1", "owner", "user"), (Names{"user:anne", "user:bob"}));
  EXPECT_EQ(f.subjects("document:2", "viewer", "user"), Names{});
}

TEST(ListSubjects, UsersetFilterListsNestedGroupsAndTheObjectItself) {
  // OpenFGA's nested_usersets_are_recursively_expanded.
  EvalFixture f(kDrive);
  f.add({"group:eng#member@group:fga#member", "group:fga#member@group:fga-backend#member",
         "document:1#viewer@group:eng#member"});
  EXPECT_EQ(f.subjects("group:eng", "member", "group#member"),
            (Names{"group:eng#member", "group:fga#member", "group:fga-backend#member"}));
  EXPECT_EQ(f.subjects("document:1", "viewer", "group#member"),
            (Names{"group:eng#member", "group:fga#member", "group:fga-backend#member"}));
  EXPECT_EQ(f.subjects("document:1", "viewer", "group"), Names{});
}

TEST(ListSubjects, UsersetFilterFindsAUsersetIncludedThroughAComputedRelation) {
  // member includes admin, so group:eng#admin is part of group:eng#member.
  EvalFixture f(R"(type user
type group
  relations
    define admin: [user]
    define member: [user, group#member] or admin
type document
  relations
    define viewer: [group#member]
)");
  f.add({"document:1#viewer@group:eng#member", "group:eng#member@group:ops#member"});
  EXPECT_TRUE(f.check("group:eng#admin", "viewer", "document:1"));
  EXPECT_EQ(f.subjects("document:1", "viewer", "group#admin"),
            (Names{"group:eng#admin", "group:ops#admin"}));
  EXPECT_EQ(f.objects("group:ops#admin", "viewer", "document"), Names{"document:1"});
}

TEST(ListSubjects, WildcardIsListedAsTypeStar) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:*", "document:1#viewer@user:anne", "group:all#member@user:*",
         "document:2#viewer@group:all#member"});
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"), (Names{"user:*", "user:anne"}));
  EXPECT_EQ(f.subjects("document:2", "viewer", "user"), Names{"user:*"});
}

TEST(ListSubjects, ExcludedSubjectsAreLeftOutButTheWildcardStays) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:*", "document:1#viewer@user:anne", "document:1#viewer@user:bob",
         "document:1#blocked@user:anne", "document:1#shared@user:bob",
         "document:1#shared@user:carl"});
  EXPECT_EQ(f.subjects("document:1", "reader", "user"), (Names{"user:*", "user:bob"}));
  // carl is shared and a viewer through the wildcard: a candidate only via `shared`.
  EXPECT_EQ(f.subjects("document:1", "reviewer", "user"), (Names{"user:bob", "user:carl"}));
}

TEST(ListSubjects, BlockedGroupRemovesItsMembers) {
  EvalFixture f(kDrive);
  f.add({"document:1#viewer@user:anne", "document:1#viewer@user:bob",
         "document:1#blocked@group:bad#member", "group:bad#member@user:bob"});
  EXPECT_EQ(f.subjects("document:1", "reader", "user"), Names{"user:anne"});
}

TEST(ListSubjects, TuplesTheModelDoesNotAllowAreNotListed) {
  EvalFixture f(kDrive);
  f.add({"document:1#owner@user:*", "document:1#owner@group:eng#member",
         "group:eng#member@user:anne", "document:1#shared@folder:x"});
  EXPECT_EQ(f.subjects("document:1", "owner", "user"), Names{});
  EXPECT_EQ(f.subjects("document:1", "owner", "group#member"), Names{});
  EXPECT_EQ(f.subjects("document:1", "shared", "folder"), Names{});
}

// An object with more tuples than the evaluator reads whole is listed
// from reads per relation: every kind of subject, as for a small one.
TEST(ListSubjects, LargeObjectsAreListedLikeSmallOnes) {
  EvalFixture f(kDrive);
  Names expected;
  for (int i = 0; i < 100; ++i) {
    expected.push_back("user:u" + std::to_string(i));
    f.add({"document:big#viewer@" + expected.back()});
  }
  f.add({"document:big#viewer@user:*", "document:big#viewer@group:eng#member",
         "document:big#owner@user:anne", "document:big#parent@folder:a", "folder:a#viewer@user:bob",
         "group:eng#member@user:carl", "document:big#blocked@user:u7"});
  for (const char* extra : {"user:*", "user:anne", "user:bob", "user:carl"})
    expected.push_back(extra);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(f.subjects("document:big", "viewer", "user"), expected);
  expected.erase(std::find(expected.begin(), expected.end(), "user:u7"));
  EXPECT_EQ(f.subjects("document:big", "reader", "user"), expected);
  EXPECT_EQ(f.subjects("document:big", "viewer", "group#member"), Names{"group:eng#member"});
}

TEST(ListSubjects, CyclicGroupsTerminate) {
  EvalFixture f(kDrive);
  f.add({"group:a#member@group:b#member", "group:b#member@group:a#member",
         "group:b#member@user:anne", "document:1#viewer@group:a#member"});
  EXPECT_EQ(f.subjects("document:1", "viewer", "user"), Names{"user:anne"});
  EXPECT_EQ(f.subjects("document:1", "viewer", "group#member"),
            (Names{"group:a#member", "group:b#member"}));
  EXPECT_EQ(f.subjects("group:a", "member", "group#member"),
            (Names{"group:a#member", "group:b#member"}));
}

// ---- property: lists agree with check -------------------------------------------
// On random tuple sets over a model with every rewrite kind, an object is
// listed exactly when check grants it, and a subject is listed only when
// check grants it, and whenever check grants it unless `type:*` is listed
// instead. Neither list ever holds duplicates. Every check and list starts
// from an empty memo, so that this property does not depend on the memo.

// Returns the type of `type:id...`.
std::string type_of(const std::string& text) { return text.substr(0, text.find(':')); }

// Returns the filter (`type` or `type#relation`) a subject matches.
std::string filter_of(const std::string& subject) {
  size_t hash = subject.find('#');
  return type_of(subject) + (hash == std::string::npos ? "" : subject.substr(hash));
}

enum class Answer { Denied, Granted, TooDeep };

struct Agreement {
  int compared_objects = 0;
  int compared_subjects = 0;
  int too_deep = 0;
};

// Checks one random tuple set; returns what it compared.
Agreement check_lists_against_check(EvalFixture& f) {
  Agreement counts;
  std::map<std::string, Answer> answers;  // "subject|relation|object"
  auto answer = [&](const std::string& s, const std::string& r, const std::string& o) {
    std::string key = s + "|" + r + "|" + o;
    auto found = answers.find(key);
    if (found != answers.end()) return found->second;
    f.evaluator().clear_memo();
    Answer a;
    try {
      a = f.check(s, r, o) ? Answer::Granted : Answer::Denied;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded) << error.what();
      a = Answer::TooDeep;
    }
    return answers[key] = a;
  };

  std::vector<std::string> all_subjects = RandomGraph::subjects();
  std::set<std::string> filters;
  for (const std::string& s : all_subjects) filters.insert(filter_of(s));

  for (const std::string& object : RandomGraph::objects()) {
    std::string type = type_of(object);
    for (const std::string& relation : RandomGraph::relations_of(type)) {
      // list_subjects of this object, for every filter.
      for (const std::string& filter : filters) {
        std::string where = "list_subjects(" + object + ", " + relation + ", " + filter + ")";
        Names listed;
        try {
          f.evaluator().clear_memo();
          listed = f.subjects(object, relation, filter);
        } catch (const Error& error) {
          EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded) << where << ": " << error.what();
          ++counts.too_deep;
          continue;
        }
        std::string wildcard = filter + ":*";
        bool wildcard_listed = std::count(listed.begin(), listed.end(), wildcard) > 0;
        if (wildcard_listed) {
          EXPECT_EQ(answer(wildcard, relation, object), Answer::Granted)
              << where << " lists " << wildcard << " but check denies it";
        }
        for (const std::string& s : listed) {
          EXPECT_EQ(filter_of(s), filter) << where << " lists " << s;
          Answer a = answer(s, relation, object);
          EXPECT_NE(a, Answer::Denied) << where << " lists " << s << " but check denies it";
        }
        for (const std::string& s : all_subjects) {
          if (filter_of(s) != filter || s == wildcard) continue;
          Answer a = answer(s, relation, object);
          if (a == Answer::TooDeep) continue;
          bool is_listed = std::count(listed.begin(), listed.end(), s) > 0;
          ++counts.compared_subjects;
          if (a == Answer::Granted)
            EXPECT_TRUE(is_listed || wildcard_listed)
                << where << " misses " << s << ", which check grants";
          else
            EXPECT_FALSE(is_listed) << where << " lists " << s;
        }
      }
    }
  }

  // list_objects: for every subject and relation, against every object of the type.
  std::set<std::string> types;
  for (const std::string& object : RandomGraph::objects()) types.insert(type_of(object));
  for (const std::string& type : types) {
    for (const std::string& relation : RandomGraph::relations_of(type)) {
      for (const std::string& subject : all_subjects) {
        std::string where = "list_objects(" + subject + ", " + relation + ", " + type + ")";
        Names listed;
        try {
          f.evaluator().clear_memo();
          listed = f.objects(subject, relation, type);
          f.evaluator().clear_memo();
          EXPECT_EQ(f.objects_as_read(subject, relation, type), listed) << where << " as read";
        } catch (const Error& error) {
          EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded) << where << ": " << error.what();
          ++counts.too_deep;
          continue;
        }
        for (const std::string& o : listed) {
          EXPECT_EQ(type_of(o), type) << where << " lists " << o;
          EXPECT_NE(answer(subject, relation, o), Answer::Denied)
              << where << " lists " << o << " but check denies it";
        }
        for (const std::string& object : RandomGraph::objects()) {
          if (type_of(object) != type) continue;
          Answer a = answer(subject, relation, object);
          if (a == Answer::TooDeep) continue;
          ++counts.compared_objects;
          bool is_listed = std::count(listed.begin(), listed.end(), object) > 0;
          EXPECT_EQ(is_listed, a == Answer::Granted)
              << where << (is_listed ? " lists " : " misses ") << object;
        }
      }
    }
  }
  return counts;
}

TEST(ListProperty, ListsAgreeWithCheckOnRandomGraphs) {
  std::mt19937 rng(5150);
  Agreement total;
  int granted_trials = 0;
  const int trials = 120;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::string> tuples =
        RandomGraph::tuples(rng, std::uniform_int_distribution<int>(3, 35)(rng));
    EvalFixture f(RandomGraph::kModel);
    f.add_all(tuples);
    Agreement counts = check_lists_against_check(f);
    total.compared_objects += counts.compared_objects;
    total.compared_subjects += counts.compared_subjects;
    total.too_deep += counts.too_deep;
    granted_trials += !f.objects("user:u1", "viewer", "document").empty();
    if (HasFailure()) {
      std::string all;
      for (const std::string& t : tuples) all += "  " + t + "\n";
      FAIL() << "tuples of trial " << trial << ":\n" << all;
    }
  }
  // The comparison must not be vacuous: most pairs compared, and grants common.
  EXPECT_GT(total.compared_objects, trials * 500);
  EXPECT_GT(total.compared_subjects, trials * 500);
  EXPECT_GT(granted_trials, trials / 4);
  EXPECT_LT(total.too_deep, trials * 10);
}

}  // namespace
}  // namespace agentauthz::core
