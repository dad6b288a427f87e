// Delegation tokens: one spelling per secret, strict parsing, and a
// comparison whose time does not depend on where two hashes differ.
#include <gtest/gtest.h>

#include <string>

#include "core/token.h"

namespace agentauthz::core {
namespace {

TokenSecret counting_secret() {
  TokenSecret secret;
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 37 + 11);
  return secret;
}

TEST(Token, RoundTrips) {
  for (int64_t id : {1LL, 42LL, 9223372036854775807LL}) {
    TokenSecret secret = counting_secret();
    std::string text = format_token(id, secret);
    EXPECT_EQ(text.substr(0, 5), "aaz1.");
    std::optional<ParsedToken> parsed = parse_token(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(parsed->delegation_id, id);
    EXPECT_EQ(parsed->secret, secret);
  }
}

TEST(Token, SecretIsFortyThreeBase64UrlCharacters) {
  std::string text = format_token(7, counting_secret());
  std::string secret = text.substr(text.rfind('.') + 1);
  EXPECT_EQ(secret.size(), 43u);
  EXPECT_EQ(
      secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

// Every malformed, truncated or altered form is refused without a throw.
TEST(Token, RejectsEverythingElse) {
  std::string good = format_token(12, counting_secret());
  std::string secret = good.substr(good.rfind('.') + 1);
  for (const std::string& bad : {std::string(),
                                 std::string("aaz1."),
                                 std::string("aaz1.12"),
                                 std::string("aaz1.12."),
                                 good.substr(0, good.size() - 1),
                                 good + "A",
                                 "aaz2" + good.substr(4),
                                 "AAZ1" + good.substr(4),
                                 "aaz1.012." + secret,
                                 "aaz1.0." + secret,
                                 "aaz1.-12." + secret,
                                 "aaz1. 12." + secret,
                                 "aaz1.12 ." + secret,
                                 "aaz1.1x." + secret,
                                 "aaz1.9223372036854775808." + secret,
                                 "aaz1.12345678901234567890." + secret,
                                 "aaz1.12." + secret.substr(0, 42) + "=",
                                 "aaz1.12." + secret.substr(0, 42) + "+",
                                 "aaz1.12." + secret.substr(0, 42) + "/",
                                 good + "\n",
                                 " " + good,
                                 std::string(1000, 'a')}) {
    EXPECT_FALSE(parse_token(bad).has_value()) << bad;
  }
}

// The last character carries 4 bits and 2 bits of padding: only the
// spelling with zero padding is accepted, so no two texts name one secret.
TEST(Token, PaddingBitsMustBeZero) {
  std::string good = format_token(12, counting_secret());
  char last = good.back();
  int value =
      std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").find(last);
  ASSERT_EQ(value & 3, 0);
  std::string other = good;
  other.back() = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[value | 1];
  EXPECT_FALSE(parse_token(other).has_value());
}

TEST(Token, ConstantTimeEqualCompares) {
  uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 5}, d[4] = {0, 2, 3, 4};
  EXPECT_TRUE(constant_time_equal(a, b, 4));
  EXPECT_FALSE(constant_time_equal(a, c, 4));
  EXPECT_FALSE(constant_time_equal(a, d, 4));
  EXPECT_TRUE(constant_time_equal(a, c, 0));
}

}  // namespace
}  // namespace agentauthz::core
