#include "core/token.h"

#include <cstdint>

namespace agentauthz::core {

namespace {

constexpr std::string_view kPrefix = "aaz1.";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kSecretChars = (kTokenSecretBytes * 8 + 5) / 6;  // 43

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

// Spells a delegation token: prefix, id, '.', the secret in URL-safe 6-bit characters.
std::string format_token(int64_t delegation_id, const TokenSecret& secret) {
  std::string out(kPrefix);
  out += std::to_string(delegation_id);
  out += '.';
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : secret) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

// Parses a token; nullopt when it is not one.
std::optional<ParsedToken> parse_token(std::string_view text) {
  if (text.size() > 80 || text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return std::nullopt;
  ParsedToken token;
  uint64_t id = 0;
  for (char c : text.substr(0, dot)) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  if (id > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  token.delegation_id = static_cast<int64_t>(id);
  if (text[0] == '0' || token.delegation_id <= 0) return std::nullopt;
  std::string_view secret = text.substr(dot + 1);
  if (secret.size() != kSecretChars) return std::nullopt;
  uint32_t buffer = 0;
  int bits = 0;
  size_t written = 0;
  for (char c : secret) {
    int value = decode_char(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (written < kTokenSecretBytes)
        token.secret[written++] = static_cast<uint8_t>((buffer >> bits) & 0xff);
    }
  }
  // The padding bits of the last character must be zero: one secret, one
  // spelling, so an altered token never matches.
  if (written != kTokenSecretBytes || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return token;
}

bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t length) {
  uint8_t difference = 0;
  for (size_t i = 0; i < length; ++i) difference |= a[i] ^ b[i];
  return difference == 0;
}

}  // namespace agentauthz::core
