#include "core/integer_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace agentauthz::core {
namespace {

TEST(IntegerSetTest, EmptyContainsNothing) {
  IntegerSet set;
  set.assign({});
  EXPECT_EQ(set.size(), 0u);
  EXPECT_FALSE(set.contains(0));
  EXPECT_FALSE(set.contains(-1));
}

TEST(IntegerSetTest, DenseIdsUseABitmapAndCountDuplicatesOnce) {
  IntegerSet set;
  set.assign({5, 7, 5, 6, 1000});
  EXPECT_EQ(set.size(), 4u);
  for (int64_t id : {5, 6, 7, 1000}) EXPECT_TRUE(set.contains(id)) << id;
  for (int64_t id : {4, 8, 999, 1001, -5, 0}) EXPECT_FALSE(set.contains(id)) << id;
  EXPECT_LE(set.bytes(), 1000u / 8 + 16);
}

TEST(IntegerSetTest, SparseIdsAndTheExtremesOfInt64) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  IntegerSet set;
  set.assign({kMin, kMax, 0});
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.contains(kMin));
  EXPECT_TRUE(set.contains(kMax));
  EXPECT_TRUE(set.contains(0));
  EXPECT_FALSE(set.contains(kMin + 1));
  EXPECT_FALSE(set.contains(kMax - 1));
  EXPECT_FALSE(set.contains(1));
}

TEST(IntegerSetTest, NegativeDenseRange) {
  IntegerSet set;
  set.assign({-3, -1, -2});
  EXPECT_TRUE(set.contains(-3));
  EXPECT_TRUE(set.contains(-1));
  EXPECT_FALSE(set.contains(-4));
  EXPECT_FALSE(set.contains(0));
}

TEST(IntegerSetTest, ReassignForgetsThePreviousIds) {
  IntegerSet set;
  set.assign({1, 2, 3});
  set.assign({std::numeric_limits<int64_t>::max()});
  EXPECT_FALSE(set.contains(1));
  EXPECT_EQ(set.size(), 1u);
  set.assign({10});
  EXPECT_FALSE(set.contains(std::numeric_limits<int64_t>::max()));
  EXPECT_TRUE(set.contains(10));
}

// Against std::set, for ids drawn from ranges that make the set dense,
// borderline and sparse.
TEST(IntegerSetTest, AgreesWithStdSet) {
  std::mt19937_64 random(42);
  for (uint64_t spread : {10ull, 1000ull, 256ull * 200, 1ull << 40, ~0ull}) {
    for (int round = 0; round < 20; ++round) {
      std::uniform_int_distribution<size_t> count_of(0, 300);
      std::vector<int64_t> ids(count_of(random));
      int64_t base = static_cast<int64_t>(random());
      for (int64_t& id : ids)
        id = static_cast<int64_t>(static_cast<uint64_t>(base) + random() % spread);
      std::set<int64_t> expected(ids.begin(), ids.end());
      IntegerSet set;
      set.assign(ids);
      ASSERT_EQ(set.size(), expected.size());
      for (int64_t id : ids) ASSERT_TRUE(set.contains(id));
      for (int probe = 0; probe < 500; ++probe) {
        int64_t id =
            static_cast<int64_t>(static_cast<uint64_t>(base) + random() % (spread | 1) - 3);
        ASSERT_EQ(set.contains(id), expected.count(id) == 1) << id;
      }
    }
  }
}

// A listing reports an object once per path: 300 paths to the same 3,000
// ids hold no more than about twice the distinct ids, and come out sorted
// without repeats.
TEST(IntegerCollector, RepeatsAreSortedOutAsTheListDoubles) {
  IntegerCollector collector;
  size_t most = 0;
  for (int path = 0; path < 300; ++path) {
    for (int64_t id = 2999; id >= 0; --id) {
      collector.add(id * 7 - 10000);
      most = std::max(most, collector.size());
    }
  }
  EXPECT_LE(most, 2 * 3000 + 4096u);
  const std::vector<int64_t>& ids = collector.ids();
  ASSERT_EQ(ids.size(), 3000u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(ids.front(), -10000);
  EXPECT_EQ(ids.back(), 2999 * 7 - 10000);
  IntegerCollector empty;
  EXPECT_TRUE(empty.ids().empty());
}

}  // namespace
}  // namespace agentauthz::core
