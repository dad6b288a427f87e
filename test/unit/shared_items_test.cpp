// The shared cache's encoding of a lookup's items: what is encoded decodes
// to the same list, and bytes that are not an encoding are refused (a
// reader must never take a torn or foreign entry for a list).
#include "core/shared_items.h"

#include <gtest/gtest.h>

#include <string>

namespace agentauthz::core {
namespace {

SharedItems two_items() {
  SharedItems items;
  items.add({"user:", "anne"});
  items.append("viewer");
  items.append("\x1d");
  items.add({"group:g1#member"});
  return items;
}

TEST(SharedItems, EncodedListDecodesToTheSameItems) {
  std::string bytes;
  two_items().encode(&bytes);
  SharedItems decoded;
  ASSERT_TRUE(decoded.decode(bytes));
  ASSERT_TRUE(decoded.complete());
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded.at(0), "user:anne");
  EXPECT_EQ(decoded.at(1), "viewer\x1dgroup:g1#member");
}

TEST(SharedItems, ATooLongListKeepsOnlyItsLimit) {
  SharedItems items = two_items();
  items.set_more_than(40);
  std::string bytes;
  items.encode(&bytes);
  SharedItems decoded;
  ASSERT_TRUE(decoded.decode(bytes));
  EXPECT_FALSE(decoded.complete());
  EXPECT_EQ(decoded.more_than(), 40u);
  EXPECT_EQ(decoded.size(), 0u);
}

TEST(SharedItems, AnEmptyListIsAListNotAnError) {
  std::string bytes;
  SharedItems().encode(&bytes);
  SharedItems decoded;
  ASSERT_TRUE(decoded.decode(bytes));
  EXPECT_TRUE(decoded.complete());
  EXPECT_EQ(decoded.size(), 0u);
}

TEST(SharedItems, RefusesBytesThatAreNotAnEncoding) {
  std::string good;
  two_items().encode(&good);
  SharedItems decoded;
  // Cut anywhere: header, ends or data.
  for (size_t length = 0; length < good.size(); ++length)
    EXPECT_FALSE(decoded.decode(std::string_view(good).substr(0, length))) << length;
  // Trailing bytes the ends do not account for.
  EXPECT_FALSE(decoded.decode(good + "x"));
  // An item count larger than the bytes hold.
  std::string huge = good;
  huge[8] = '\xff';
  huge[9] = '\xff';
  EXPECT_FALSE(decoded.decode(huge));
  // Ends that go backwards.
  std::string backwards = good;
  backwards[12] = '\x7f';  // the first item's end, past the second's
  EXPECT_FALSE(decoded.decode(backwards));
}

}  // namespace
}  // namespace agentauthz::core
