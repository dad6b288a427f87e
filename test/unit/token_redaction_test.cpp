// Token redaction: every token-shaped run loses its secret, whatever its
// case, truncation or neighbours; text without one is left exactly as is.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "core/token.h"
#include "core/token_redaction.h"

namespace agentauthz::core {
namespace {

std::string a_token(int64_t id) {
  TokenSecret secret;
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 53 + id);
  return format_token(id, secret);
}

std::string secret_of(const std::string& token) { return token.substr(token.rfind('.') + 1); }

TEST(TokenRedaction, HidesTheSecretKeepsTheId) {
  std::string token = a_token(42);
  EXPECT_EQ(redact_tokens("SELECT agentauthz.act_for('" + token + "')"),
            "SELECT agentauthz.act_for('aaz1.42.[redacted]')");
  EXPECT_EQ(redact_tokens(token), "aaz1.42.[redacted]");
}

TEST(TokenRedaction, LeavesOtherTextAlone) {
  for (std::string text : {"", "SELECT 1", "aaz1.", "aaz1.42.", "aaz", "aaz1", "baz1.x",
                           "aaz2.1.abc", "aaz1 .1.abc", "'aaz1.'", "name: aaz1.\nnext"}) {
    EXPECT_FALSE(holds_token(text)) << text;
    EXPECT_EQ(redact_tokens(text), text);
    EXPECT_EQ(first_secret_offset(text), std::string_view::npos) << text;
  }
}

TEST(TokenRedaction, HidesEveryTokenOfAText) {
  std::string first = a_token(1), second = a_token(9223372036854775807LL);
  std::string text = "act_for('" + first + "'); act_for('" + second + "'); -- " + first;
  std::string redacted = redact_tokens(text);
  EXPECT_EQ(redacted,
            "act_for('aaz1.1.[redacted]'); act_for('aaz1.9223372036854775807.[redacted]'); "
            "-- aaz1.1.[redacted]");
  EXPECT_EQ(redacted.find(secret_of(first)), std::string::npos);
  EXPECT_EQ(redacted.find(secret_of(second)), std::string::npos);
}

// A truncated token (pg_stat_activity cuts long statements), one in
// another case, one without its id, a run-together pair: the secret goes.
TEST(TokenRedaction, HidesMalformedAndTruncatedTokens) {
  std::string token = a_token(7);
  std::string secret = secret_of(token);
  EXPECT_EQ(redact_tokens(token.substr(0, 12)), "aaz1.7.[redacted]");
  EXPECT_EQ(redact_tokens("x" + token.substr(0, 8)), "xaaz1.7.[redacted]");
  EXPECT_EQ(redact_tokens("AAZ1.7." + secret), "AAZ1.7.[redacted]");
  EXPECT_EQ(redact_tokens("aaz1." + secret), "aaz1.[redacted]");
  EXPECT_EQ(redact_tokens("aaz1.7" + secret), "aaz1.[redacted]");
  EXPECT_EQ(redact_tokens("aaz1.7." + secret + "." + secret), "aaz1.7.[redacted]");
  EXPECT_EQ(redact_tokens("aaz1.7.aaz1.8." + secret), "aaz1.7.[redacted]");
  EXPECT_EQ(redact_tokens("aaaz1.7." + secret + "'"), "aaaz1.7.[redacted]'");
  EXPECT_EQ(redact_tokens("$1 = '" + token + "'"), "$1 = 'aaz1.7.[redacted]'");
}

// The byte values a node dump prints for a constant (debug_print_parse):
// "<length> [ <header bytes> 97 97 122 49 46 ... ]"; pretty-printed, its
// lines are cut at a fixed width (`width`, 0 for none), inside numbers too,
// and go on indented.
std::string as_node_dump(const std::string& text, size_t width) {
  std::string flat = ":constvalue " + std::to_string(text.size() + 4) + " [ -96 0 0 0";
  for (char c : text) flat += " " + std::to_string(static_cast<int>(static_cast<signed char>(c)));
  flat += " ]";
  if (width == 0) return flat;
  const std::string indent = "      ";
  std::string out = indent;
  for (size_t i = 0; i < flat.size(); ++i) {
    if (i > 0 && i % width == 0) out += "\n" + indent;
    out += flat[i];
  }
  return out;
}

// Undoes as_node_dump's wrapping.
std::string unwrapped(const std::string& dump) {
  std::string out;
  for (size_t i = 6; i < dump.size(); ++i) {
    if (dump[i] == '\n') {
      i += 6;
      continue;
    }
    out += dump[i];
  }
  return out;
}

TEST(TokenRedaction, HidesTokensSpeltAsNodeDumpBytes) {
  std::string token = a_token(42);
  for (size_t width : {0, 7, 20, 33, 50, 78}) {
    std::string dump = as_node_dump("'" + token + "'", width);
    ASSERT_TRUE(holds_token(dump)) << dump;
    std::string redacted = redact_tokens(dump);
    EXPECT_FALSE(holds_token(redacted)) << redacted;
    EXPECT_EQ(redact_tokens(redacted), redacted);
    // The prefix's bytes (97 97 122 49 46: "aaz1.") stay; what follows up
    // to the end of the value goes.
    std::string flat = width == 0 ? redacted : unwrapped(redacted);
    EXPECT_EQ(flat.substr(0, 27), ":constvalue 57 [ -96 0 0 0 ");
    EXPECT_NE(flat.find("97 122 49 46 [redacted] ]"), std::string::npos) << redacted;
  }
  // Other numbers are left alone: bytes of other text, a longer number, a
  // prefix without anything after it.
  for (std::string text :
       {as_node_dump("'hello'", 0), as_node_dump("'hello'", 9),
        std::string("[ 197 97 122 49 46 52 46 107 ]"), std::string("[ 97 97 122 49 46 ]"),
        std::string("97 97 122 49 460 52")}) {
    EXPECT_FALSE(holds_token(text)) << text;
    EXPECT_EQ(redact_tokens(text), text);
  }
}

TEST(TokenRedaction, LengthAndOffsetAgreeWithTheText) {
  std::string token = a_token(3);
  std::string text = "statement: SELECT act_for('" + token + "', false); SELECT 1/0";
  ASSERT_TRUE(holds_token(text));
  std::string redacted = redact_tokens(text);
  EXPECT_EQ(redacted_length(text), redacted.size());
  size_t cut = first_secret_offset(text);
  ASSERT_NE(cut, std::string_view::npos);
  EXPECT_EQ(text.substr(0, cut), "statement: SELECT act_for('aaz1.3.");
  EXPECT_FALSE(holds_token(text.substr(0, cut)));
  EXPECT_FALSE(holds_token(redacted));
  EXPECT_EQ(redact_tokens(redacted), redacted);
}

}  // namespace
}  // namespace agentauthz::core
