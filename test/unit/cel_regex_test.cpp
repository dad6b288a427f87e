// Unit tests for matches(): the RE2 subset, unanchored search, errors for
// what is not supported, and linear time on patterns that make
// backtracking engines explode.
#include "core/cel/regex.h"

#include <gtest/gtest.h>

#include <string>

#include "core/cel/program.h"

namespace agentauthz::core::cel {
namespace {

bool matches(std::string_view pattern, std::string_view text) {
  std::string error;
  auto regex = Regex::compile(pattern, &error);
  EXPECT_TRUE(regex) << pattern << ": " << error;
  return regex && regex->search(text);
}

std::string error_of(std::string_view pattern) {
  std::string error;
  EXPECT_FALSE(Regex::compile(pattern, &error)) << pattern;
  return error;
}

TEST(CelRegex, Basics) {
  EXPECT_TRUE(matches("abc", "xxabcxx"));
  EXPECT_FALSE(matches("^abc", "xxabc"));
  EXPECT_TRUE(matches("^abc$", "abc"));
  EXPECT_FALSE(matches("^abc$", "abcd"));
  EXPECT_TRUE(matches("a.c", "abc"));
  EXPECT_FALSE(matches("a.c", "a\nc"));
  EXPECT_TRUE(matches("^(ab|cd)+$", "abcdab"));
  EXPECT_FALSE(matches("^(ab|cd)+$", "abce"));
  EXPECT_TRUE(matches("^a{2,3}$", "aaa"));
  EXPECT_FALSE(matches("^a{2,3}$", "aaaa"));
  EXPECT_TRUE(matches("^a{2,}$", "aaaaa"));
  EXPECT_TRUE(matches("^a{2}$", "aa"));
  EXPECT_TRUE(matches("^x?y*z+$", "zz"));
  EXPECT_TRUE(matches("^a+?b*?$", "aab"));
  EXPECT_TRUE(matches("a{,2}", "a{,2}"));  // not a repetition: literal
  EXPECT_TRUE(matches("", "anything"));
}

TEST(CelRegex, Classes) {
  EXPECT_TRUE(matches("^[a-c]+$", "abcba"));
  EXPECT_FALSE(matches("^[a-c]+$", "abd"));
  EXPECT_TRUE(matches("^[^0-9]+$", "abc"));
  EXPECT_TRUE(matches("^\\d{3}-\\d{4}$", "555-1234"));
  EXPECT_TRUE(matches("^\\w+@\\w+\\.com$", "ann_1@example.com"));
  EXPECT_TRUE(matches("\\s", "a b"));
  EXPECT_FALSE(matches("\\S", "  \t"));
  EXPECT_TRUE(matches("^[\\d.]+$", "1.2.3"));
  EXPECT_TRUE(matches("^[]a]+$", "]a"));
  EXPECT_TRUE(matches("^[a-]+$", "a-a"));
  EXPECT_TRUE(matches("^é+$", "éé"));
  EXPECT_TRUE(matches("^[à-ÿ]$", "é"));
  EXPECT_TRUE(matches("^\\x41\\x{263a}$", "A\xE2\x98\xBA"));
  EXPECT_TRUE(matches("^\\.\\*\\\\$", ".*\\"));
}

TEST(CelRegex, Errors) {
  EXPECT_EQ(error_of("(a"), "error parsing regexp: missing closing ): `(a`");
  EXPECT_EQ(error_of("a)"), "error parsing regexp: unexpected ): `a)`");
  EXPECT_EQ(error_of("[a"), "error parsing regexp: missing closing ]: `[a`");
  EXPECT_EQ(error_of("*a"), "error parsing regexp: missing argument to repetition operator: `*a`");
  EXPECT_EQ(error_of("a**"), "error parsing regexp: invalid nested repetition operator: `a**`");
  EXPECT_EQ(error_of("a{1001}"), "error parsing regexp: invalid repeat count: `a{1001}`");
  EXPECT_EQ(error_of("[z-a]"), "error parsing regexp: invalid character class range: `[z-a]`");
  EXPECT_EQ(error_of("\\q"), "error parsing regexp: invalid escape sequence: \\q: `\\q`");
  EXPECT_NE(error_of("(?i)a"), "");
  EXPECT_NE(error_of("\\bword"), "");
  EXPECT_NE(error_of("((a{1000}){1000}){1000}"), "");
}

TEST(CelRegex, LinearTimeOnHostilePatterns) {
  std::string text(5000, 'a');
  EXPECT_FALSE(matches("^(a+)+$", text + "b"));
  EXPECT_FALSE(matches("(a|aa)*c", text));
  EXPECT_TRUE(matches("(x+x+)+y", std::string(3000, 'x') + "y"));
}

TEST(CelRegex, MatchesInExpressions) {
  auto run = [](std::string_view expression) {
    auto program = Program::compile(expression, {}, nullptr);
    EXPECT_TRUE(program) << expression;
    return program ? program->evaluate(Activation()) : Outcome{};
  };
  EXPECT_EQ(run("'user-42'.matches('^user-\\\\d+$')").result, Result::True);
  EXPECT_EQ(run("matches('abc', 'b')").result, Result::True);
  Outcome bad = run("'a'.matches('(')");
  EXPECT_EQ(bad.result, Result::Error);
  EXPECT_EQ(bad.error, "error parsing regexp: missing closing ): `(`");
  // cost: ceil(0.1 * (1 + 1)) * ceil(0.25 * 5) = 2.
  EXPECT_EQ(run("'a'.matches('a|b|c')").cost, 2u);
}

}  // namespace
}  // namespace agentauthz::core::cel
