// Unit tests for CachingReader: it returns exactly what the reader behind
// it returns, asks that reader once per distinct lookup, keeps lookups that
// differ in any part apart, and forgets everything on clear() or when over
// its byte budget.
#include "core/caching_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/evaluator.h"
#include "core/memory_reader.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::RandomGraph;

// A reader that forwards to another and counts the lookups it forwards.
class CountingReader : public TupleReader {
 public:
  explicit CountingReader(TupleReader& inner) : inner_(inner) {}
  bool contains(const ObjectKey& object, std::string_view relation, const SubjectKey& subject,
                TupleCondition* condition) override {
    ++calls;
    return inner_.contains(object, relation, subject, condition);
  }
  void read_subjects(const ObjectKey& object, std::string_view relation, SubjectFilter filter,
                     SubjectVisitor visit) override {
    ++calls;
    inner_.read_subjects(object, relation, filter, visit);
  }
  void read_objects(const SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, ObjectVisitor visit) override {
    ++calls;
    inner_.read_objects(subject, relation, object_type, visit);
  }
  int calls = 0;

 private:
  TupleReader& inner_;
};

// Returns every subject a read_subjects visits, in order, as text.
std::vector<std::string> subjects(TupleReader& reader, std::string_view object,
                                  std::string_view relation,
                                  SubjectFilter filter = SubjectFilter::All) {
  std::vector<std::string> out;
  reader.read_subjects(split_object(object), relation, filter, [&](const SubjectKey& s) {
    out.push_back(format_subject(s));
    return true;
  });
  return out;
}

// Returns every object a read_objects visits, in order, as text.
std::vector<std::string> objects(TupleReader& reader, std::string_view subject,
                                 std::string_view relation, std::string_view type) {
  std::vector<std::string> out;
  reader.read_objects(split_subject(subject), relation, type, [&](const ObjectKey& o) {
    out.push_back(format_object(o.type, o.id));
    return true;
  });
  return out;
}

// Stores `object#relation@subject` tuples.
void add(MemoryReader& reader, std::initializer_list<const char*> tuples) {
  for (const char* text : tuples) {
    testing::TupleText t = testing::split_tuple(text);
    reader.add(t.object, t.relation, t.subject);
  }
}

// ---- same answers as the inner reader ------------------------------------------
// Whatever is asked, in whatever order, the cache visits the same strings in
// the same order as the reader behind it, first time and every time after.

TEST(CachingReader, ReturnsWhatTheInnerReaderReturnsOnRandomTuples) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 30; ++trial) {
    MemoryReader memory;
    for (const std::string& text : RandomGraph::tuples(rng, 40)) {
      testing::TupleText t = testing::split_tuple(text);
      memory.add(t.object, t.relation, t.subject);
    }
    CachingReader cache(memory);
    std::vector<std::string> objects_all = RandomGraph::objects();
    std::vector<std::string> subjects_all = RandomGraph::subjects();
    for (int round = 0; round < 2; ++round) {
      for (const std::string& object : objects_all) {
        std::string type = object.substr(0, object.find(':'));
        for (const std::string& relation : RandomGraph::relations_of(type)) {
          for (SubjectFilter filter : {SubjectFilter::All, SubjectFilter::UsersetsOnly})
            EXPECT_EQ(subjects(cache, object, relation, filter),
                      subjects(memory, object, relation, filter))
                << object << "#" << relation << " round " << round;
          for (const std::string& subject : subjects_all) {
            EXPECT_EQ(objects(cache, subject, relation, type),
                      objects(memory, subject, relation, type))
                << subject << " " << relation << " " << type;
            EXPECT_EQ(
                cache.contains(split_object(object), relation, split_subject(subject), nullptr),
                memory.contains(split_object(object), relation, split_subject(subject), nullptr));
          }
        }
      }
    }
    EXPECT_GT(cache.hits(), 0u);
    EXPECT_GT(cache.misses(), 0u);
  }
}

TEST(CachingReader, EvaluatorOverTheCacheAnswersLikeOneOverTheStore) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 20; ++trial) {
    testing::EvalFixture direct(RandomGraph::kModel);
    direct.add_all(RandomGraph::tuples(rng, 25));
    CachingReader cache(direct.reader());
    Interner interner;
    Evaluator cached(direct.model_ptr(), cache, interner);
    RequestResolver resolve = cached.resolver();
    for (const std::string& object : RandomGraph::objects()) {
      std::string type = object.substr(0, object.find(':'));
      for (const std::string& relation : RandomGraph::relations_of(type)) {
        for (const std::string& subject : RandomGraph::subjects()) {
          Object o = resolve.object(object);
          bool via_cache =
              cached.check(resolve.subject(subject), resolve.relation(o.type, relation), o);
          EXPECT_EQ(via_cache, direct.check(subject, relation, object))
              << subject << " " << relation << " " << object;
        }
      }
    }
  }
}

// ---- one inner lookup per distinct question ---------------------------------------
// Repeated lookups (empty ones too) reach the inner reader once; point
// lookups always reach it.

TEST(CachingReader, RepeatedLookupsReachTheInnerReaderOnce) {
  MemoryReader memory;
  add(memory, {"document:1#viewer@user:anne", "document:1#viewer@group:eng#member"});
  CountingReader counting(memory);
  CachingReader cache(counting);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(subjects(cache, "document:1", "viewer").size(), 2u);
    EXPECT_EQ(objects(cache, "user:anne", "viewer", "document").size(), 1u);
    EXPECT_TRUE(subjects(cache, "document:2", "viewer").empty());
  }
  EXPECT_EQ(counting.calls, 3);
  EXPECT_GT(cache.hits(), cache.misses());
}

// Without whole-object reads, a point lookup is never cached.
TEST(CachingReader, ContainsIsAnsweredByTheInnerReaderWithoutWholeObjectReads) {
  MemoryReader memory;
  CountingReader counting(memory);
  CachingReader cache(counting);
  ObjectKey doc{"document", "1"};
  SubjectKey anne{"user", "anne", {}};
  EXPECT_FALSE(cache.contains(doc, "viewer", anne, nullptr));
  memory.add("document:1", "viewer", "user:anne");
  EXPECT_TRUE(cache.contains(doc, "viewer", anne, nullptr));
  EXPECT_EQ(counting.calls, 2);
}

// ---- keys ----------------------------------------------------------------------
// Lookups that differ in the filter, the userset relation, the relation or
// the object type are cached apart.

TEST(CachingReader, UsersetsOnlyAndAllAreCachedApart) {
  MemoryReader memory;
  add(memory, {"document:1#viewer@user:anne", "document:1#viewer@group:eng#member"});
  CachingReader cache(memory);
  EXPECT_EQ(subjects(cache, "document:1", "viewer", SubjectFilter::UsersetsOnly),
            std::vector<std::string>{"group:eng#member"});
  EXPECT_EQ(subjects(cache, "document:1", "viewer", SubjectFilter::All).size(), 2u);
  EXPECT_EQ(subjects(cache, "document:1", "viewer", SubjectFilter::UsersetsOnly).size(), 1u);
}

TEST(CachingReader, LookupsDifferingInAnyPartAreCachedApart) {
  MemoryReader memory;
  add(memory, {"document:1#viewer@group:eng", "document:2#viewer@group:eng#member",
               "folder:3#viewer@group:eng#member", "document:4#editor@group:eng#member",
               "document:5#viewer@group:en", "documen:6#viewer@group:eng"});
  CachingReader cache(memory);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(objects(cache, "group:eng", "viewer", "document"),
              std::vector<std::string>{"document:1"});
    EXPECT_EQ(objects(cache, "group:eng#member", "viewer", "document"),
              std::vector<std::string>{"document:2"});
    EXPECT_EQ(objects(cache, "group:eng#member", "viewer", "folder"),
              std::vector<std::string>{"folder:3"});
    EXPECT_EQ(objects(cache, "group:eng#member", "editor", "document"),
              std::vector<std::string>{"document:4"});
    EXPECT_EQ(objects(cache, "group:en", "viewer", "document"),
              std::vector<std::string>{"document:5"});
    EXPECT_EQ(objects(cache, "group:eng", "viewer", "documen"),
              std::vector<std::string>{"documen:6"});
  }
}

// ---- stopping early ------------------------------------------------------------------
// A visitor that stops early sees a prefix; the cache still holds the whole
// answer for the next lookup.

TEST(CachingReader, VisitorStoppingEarlyDoesNotTruncateTheCachedAnswer) {
  MemoryReader memory;
  add(memory, {"document:1#viewer@user:a", "document:1#viewer@user:b", "document:1#viewer@user:c",
               "document:7#viewer@user:a", "document:8#viewer@user:a"});
  CachingReader cache(memory);
  int seen = 0;
  cache.read_subjects(ObjectKey{"document", "1"}, "viewer", SubjectFilter::All,
                      [&](const SubjectKey&) { return ++seen < 1; });
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(subjects(cache, "document:1", "viewer").size(), 3u);
  seen = 0;
  cache.read_objects(SubjectKey{"user", "a", {}}, "viewer", "document",
                     [&](const ObjectKey&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(objects(cache, "user:a", "viewer", "document").size(), 3u);
}

// ---- forgetting --------------------------------------------------------------------------
// Answers are kept until clear() (the owner's signal that tuples changed),
// and a cache over its byte budget starts over instead of growing.

TEST(CachingReader, KeepsAnswersUntilClearedThenSeesTheChange) {
  MemoryReader memory;
  add(memory, {"document:1#viewer@user:anne"});
  CachingReader cache(memory);
  EXPECT_EQ(subjects(cache, "document:1", "viewer").size(), 1u);
  memory.add("document:1", "viewer", "user:bob");
  memory.remove("document:1", "viewer", "user:anne");
  EXPECT_EQ(subjects(cache, "document:1", "viewer"), std::vector<std::string>{"user:anne"});
  size_t used = cache.bytes();
  EXPECT_GT(used, 0u);
  cache.clear();
  EXPECT_LT(cache.bytes(), used);  // what remains is an empty index
  EXPECT_EQ(subjects(cache, "document:1", "viewer"), std::vector<std::string>{"user:bob"});
  EXPECT_EQ(objects(cache, "user:bob", "viewer", "document"),
            std::vector<std::string>{"document:1"});
}

TEST(CachingReader, SmallByteBudgetBoundsMemoryAndKeepsAnswersRight) {
  MemoryReader memory;
  for (int i = 0; i < 500; ++i)
    memory.add("document:" + std::to_string(i), "viewer", "user:u" + std::to_string(i % 7));
  CountingReader counting(memory);
  CachingReader cache(counting, 4096);
  size_t peak = 0;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 500; ++i) {
      std::string object = "document:" + std::to_string(i);
      EXPECT_EQ(subjects(cache, object, "viewer"),
                std::vector<std::string>{"user:u" + std::to_string(i % 7)});
      peak = std::max(peak, cache.bytes());
    }
  }
  // The budget, one more entry and the entries' table grown by doubling;
  // unbounded, the 500 lists would take about 60 kB.
  EXPECT_LT(peak, 4096u + 2048u);
  EXPECT_GT(counting.calls, 500);  // it had to forget and ask again
}

}  // namespace
}  // namespace agentauthz::core
