// Unit tests for the JSON document model and its strict text parser.
#include "core/json/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace agentauthz::core::json {
namespace {

Value parsed(std::string_view text) {
  Value value;
  std::string error;
  EXPECT_TRUE(parse(text, &value, &error)) << text << ": " << error;
  return value;
}

std::string error_of(std::string_view text) {
  Value value;
  std::string error;
  EXPECT_FALSE(parse(text, &value, &error)) << text;
  return error;
}

TEST(JsonParse, ParsesEveryKind) {
  Value value = parsed(R"( {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}} )");
  ASSERT_EQ(value.kind(), Kind::Object);
  const Value* a = value.find("a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->items().size(), 5u);
  EXPECT_EQ(a->items()[1].text(), "-2.5e3");
  EXPECT_EQ(a->items()[4].kind(), Kind::Null);
  EXPECT_EQ(value.find("b")->find("c")->text(), "d");
  EXPECT_EQ(value.dump(), R"({"a":[1,-2.5e3,true,false,null],"b":{"c":"d"}})");
}

TEST(JsonParse, KeepsNumberText) {
  EXPECT_EQ(parsed("18446744073709551615").text(), "18446744073709551615");
  EXPECT_EQ(parsed("0.10").text(), "0.10");
}

TEST(JsonParse, DecodesEscapes) {
  EXPECT_EQ(parsed(R"("a\"b\\c\/d\n\t\u00e9\ud83d\ude00")").text(),
            "a\"b\\c/d\n\t\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(parsed(R"("\u0001")").dump(), R"("\u0001")");
}

TEST(JsonParse, LaterDuplicateKeysWin) {
  Value value = parsed(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_EQ(value.members().size(), 2u);
  EXPECT_EQ(value.find("a")->text(), "3");
  EXPECT_EQ(value.members()[0].first, "a");
}

TEST(JsonParse, RejectsMalformedText) {
  EXPECT_EQ(error_of(""), "unexpected end of text at offset 0");
  EXPECT_EQ(error_of("[1,]"), "unexpected character at offset 3");
  EXPECT_EQ(error_of("{\"a\" 1}"), "expected ':' at offset 5");
  EXPECT_EQ(error_of("01"), "leading zero in a number at offset 1");
  EXPECT_EQ(error_of("1."), "expected a digit after '.' at offset 2");
  EXPECT_EQ(error_of("tru"), "unexpected character at offset 0");
  EXPECT_EQ(error_of("\"a"), "unterminated string at offset 2");
  EXPECT_EQ(error_of("\"\\x\""), "bad escape in a string at offset 2");
  EXPECT_EQ(error_of(R"("\ud83d")"), "unpaired high surrogate at offset 7");
  EXPECT_EQ(error_of("\"a\nb\""), "control character in a string at offset 2");
  EXPECT_EQ(error_of("1 2"), "unexpected text after the value at offset 2");
  EXPECT_EQ(error_of("NaN"), "unexpected character at offset 0");
  EXPECT_EQ(error_of("\"\xff\""), "invalid UTF-8 in a string at offset 1");
  EXPECT_EQ(error_of("\"\xed\xa0\x80\""), "invalid UTF-8 in a string at offset 1");
  EXPECT_EQ(parsed("\"\xc3\xa9\"").text(), "\xc3\xa9");
}

TEST(JsonParse, BoundsNesting) {
  std::string deep(kMaxJsonDepth, '[');
  deep += std::string(kMaxJsonDepth, ']');
  parsed(deep);
  std::string deeper(kMaxJsonDepth + 1, '[');
  deeper += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(error_of(deeper), "nesting too deep at offset 64");
}

}  // namespace
}  // namespace agentauthz::core::json
