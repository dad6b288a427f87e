// IdList sorts in byte order, as std::sort on strings does, and drops
// repeats: ids shorter and longer than its eight-byte prefix, ids that
// differ only past it, high bytes, and a random mix compared with std::set.
#include "core/id_list.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace agentauthz::core {
namespace {

std::vector<std::string> sorted(const std::vector<std::string>& ids) {
  IdList list;
  for (const std::string& id : ids) list.add(id);
  list.sort_unique();
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) out.emplace_back(list[i]);
  return out;
}

TEST(IdList, SortsInByteOrderAcrossThePrefixAndDropsRepeats) {
  EXPECT_EQ(sorted({"d10016", "d100002", "d100369", "d100002", "d1"}),
            (std::vector<std::string>{"d1", "d100002", "d10016", "d100369"}));
  // Equal first eight bytes: decided by what follows, shorter first.
  EXPECT_EQ(sorted({"abcdefghz", "abcdefgh", "abcdefghb", "abcdefgha", "abcdefghz"}),
            (std::vector<std::string>{"abcdefgh", "abcdefgha", "abcdefghb", "abcdefghz"}));
  // Bytes above 0x7f sort after ASCII, as unsigned bytes.
  EXPECT_EQ(sorted({"\xc3\xa9t\xc3\xa9", "zoo", "", "a"}),
            (std::vector<std::string>{"", "a", "zoo", "\xc3\xa9t\xc3\xa9"}));
  EXPECT_TRUE(sorted({}).empty());
}

TEST(IdList, AgreesWithAnOrderedSetOnRandomIds) {
  std::mt19937 rng(42);
  const std::string alphabet = "ab\x7f\x80z09-";
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::string> ids;
    std::set<std::string> expected;
    for (int i = 0; i < 300; ++i) {
      std::string id = "doc";
      for (size_t n = rng() % 14; n > 0; --n) id += alphabet[rng() % alphabet.size()];
      ids.push_back(id);
      expected.insert(id);
    }
    IdList list;
    size_t longest = 0;
    for (const std::string& id : ids) {
      list.add(id);
      longest = std::max(longest, id.size());
    }
    list.sort_unique();
    EXPECT_EQ(list.longest(), longest);
    EXPECT_EQ(sorted(ids), std::vector<std::string>(expected.begin(), expected.end()));
  }
}

}  // namespace
}  // namespace agentauthz::core
