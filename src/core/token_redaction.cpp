#include "core/token_redaction.h"

namespace agentauthz::core {

namespace {

constexpr std::string_view kPrefix = "aaz1.";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// base64url, and the dots a misspelt or run-together token may carry.
bool is_secret_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_' ||
         c == '.';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool prefix_at(std::string_view text, size_t at) {
  if (text.size() - at < kPrefix.size()) return false;
  for (size_t i = 0; i < kPrefix.size(); ++i)
    if (lower(text[at + i]) != kPrefix[i]) return false;
  return true;
}

// The characters to hide of one token-shaped run: [begin, end).
struct Secret {
  size_t begin = 0;
  size_t end = 0;
};

// Finds the first secret at or after `from`; false when there is none.
bool next_secret(std::string_view text, size_t from, Secret* out) {
  for (size_t at = from; at < text.size(); ++at) {
    if (lower(text[at]) != 'a' || !prefix_at(text, at)) continue;
    size_t begin = at + kPrefix.size();
    size_t digits = begin;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    // The delegation id stays readable when it is spelt as one.
    if (digits > begin && digits < text.size() && text[digits] == '.') begin = digits + 1;
    size_t end = begin;
    while (end < text.size() && is_secret_char(text[end])) ++end;
    if (end > begin) {
      *out = {begin, end};
      return true;
    }
  }
  return false;
}

// Writes the redacted text to `out` when given; returns its length.
size_t redact(std::string_view text, char* out) {
  size_t length = 0;
  auto copy = [&](std::string_view part) {
    if (out) part.copy(out + length, part.size());
    length += part.size();
  };
  size_t done = 0;
  Secret secret;
  while (next_secret(text, done, &secret)) {
    copy(text.substr(done, secret.begin - done));
    copy(kRedactedSecret);
    done = secret.end;
  }
  copy(text.substr(done));
  return length;
}

}  // namespace

bool holds_token(std::string_view text) noexcept {
  Secret secret;
  return next_secret(text, 0, &secret);
}

size_t redacted_length(std::string_view text) noexcept { return redact(text, nullptr); }

size_t write_redacted(std::string_view text, char* out) noexcept { return redact(text, out); }

size_t first_secret_offset(std::string_view text) noexcept {
  Secret secret;
  return next_secret(text, 0, &secret) ? secret.begin : std::string_view::npos;
}

std::string redact_tokens(std::string_view text) {
  std::string out(redacted_length(text), '\0');
  write_redacted(text, out.data());
  return out;
}

}  // namespace agentauthz::core
