// Unit tests for Interner: one symbol per distinct text, the wildcard
// always 0, and clear() forgets every symbol, frees what they took and
// says so through generation().
#include "core/interner.h"

#include <gtest/gtest.h>

#include <string>

namespace agentauthz::core {
namespace {

TEST(InternerTest, OneSymbolPerDistinctTextAndTheWildcardIsZero) {
  Interner interner;
  EXPECT_EQ(interner.intern("*"), Interner::kWildcard);
  Symbol a = interner.intern("anne");
  EXPECT_EQ(interner.intern("anne"), a);
  EXPECT_NE(interner.intern("bob"), a);
  EXPECT_EQ(interner.text(a), "anne");
  Symbol found = 0;
  EXPECT_TRUE(interner.find("bob", &found));
  EXPECT_EQ(interner.text(found), "bob");
  EXPECT_FALSE(interner.find("carol", &found));
}

TEST(InternerTest, BytesCountEveryTextAndTable) {
  Interner interner;
  size_t empty = interner.bytes();
  for (int i = 0; i < 100000; ++i) interner.intern("document-" + std::to_string(i));
  // At least the texts themselves, a view, a hash and a slot per symbol.
  EXPECT_GE(interner.bytes() - empty, 100000u * (14 + 16 + 4 + 4));
}

TEST(InternerTest, ClearFreesWhatTheSymbolsTookAndChangesTheGeneration) {
  Interner interner;
  size_t empty = interner.bytes();
  uint64_t generation = interner.generation();
  for (int i = 0; i < 100000; ++i) interner.intern(std::to_string(i));
  EXPECT_GT(interner.bytes(), 20 * empty);
  interner.clear();
  EXPECT_EQ(interner.bytes(), empty);
  EXPECT_NE(interner.generation(), generation);
  EXPECT_EQ(interner.size(), 1u);
  EXPECT_EQ(interner.intern("*"), Interner::kWildcard);
  Symbol found = 0;
  EXPECT_FALSE(interner.find("42", &found));
}

}  // namespace
}  // namespace agentauthz::core
