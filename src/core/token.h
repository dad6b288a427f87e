// Delegation bearer tokens: `aaz1.<delegation id>.<secret>`, the secret 32
// random bytes in unpadded base64url. Only a hash of the secret is stored;
// the token is shown once, to whoever issued the delegation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentauthz::core {

constexpr size_t kTokenSecretBytes = 32;  // 256 bits
using TokenSecret = std::array<uint8_t, kTokenSecretBytes>;

struct ParsedToken {
  int64_t delegation_id = 0;
  TokenSecret secret{};
};

// Formats a token from its delegation id and secret.
std::string format_token(int64_t delegation_id, const TokenSecret& secret);
// Parses a token strictly (prefix, decimal id, exactly 43 base64url
// characters); nullopt for anything else. Never throws.
std::optional<ParsedToken> parse_token(std::string_view text);

// Compares two byte strings in time that depends only on their length.
bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t length);

}  // namespace agentauthz::core
