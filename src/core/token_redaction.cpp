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

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The characters to hide of one token-shaped run: [begin, end).
struct Secret {
  size_t begin = 0;
  size_t end = 0;
};

// A token as written: `aaz1.` (any case), then base64url characters and
// dots, the id kept when spelt as digits and a dot.
bool written_secret_at(std::string_view text, size_t at, Secret* out) {
  for (size_t i = 0; i < kPrefix.size(); ++i)
    if (at + i >= text.size() || lower(text[at + i]) != kPrefix[i]) return false;
  size_t begin = at + kPrefix.size();
  size_t digits = begin;
  while (digits < text.size() && is_digit(text[digits])) ++digits;
  // The delegation id stays readable when it is spelt as one.
  if (digits > begin && digits < text.size() && text[digits] == '.') begin = digits + 1;
  size_t end = begin;
  while (end < text.size() && is_secret_char(text[end])) ++end;
  if (end == begin) return false;
  *out = {begin, end};
  return true;
}

// Whether the decimal byte values from `at` on spell `expected` (in any
// case), as a node dump prints a constant: "97 97 122 49 46". A
// pretty-printed dump wraps its lines at a fixed width, also inside a
// number ("12\n      2" is 122), so a number may go on across a line break;
// where that is ambiguous both readings are tried. *end: past the last one.
bool bytes_spell(std::string_view text, size_t at, std::string_view expected, size_t* end) {
  int value = 0;
  int digits = 0;
  for (size_t pos = at;;) {
    if (pos < text.size() && is_digit(text[pos])) {
      value = value * 10 + (text[pos++] - '0');
      if (++digits > 3) return false;
      continue;
    }
    if (digits == 0) return false;
    bool number_ends = pos == text.size() || is_space(text[pos]) || text[pos] == ']';
    if (number_ends && lower(static_cast<char>(value)) == expected[0] && value < 128) {
      if (expected.size() == 1) {
        *end = pos;
        return true;
      }
      size_t next = pos;
      while (next < text.size() && is_space(text[next])) ++next;
      if (next > pos && bytes_spell(text, next, expected.substr(1), end)) return true;
    }
    if (pos == text.size() || text[pos] != '\n') return false;
    size_t wrapped = pos + 1;
    while (wrapped < text.size() && (text[wrapped] == ' ' || text[wrapped] == '\t')) ++wrapped;
    if (wrapped == text.size() || !is_digit(text[wrapped])) return false;
    pos = wrapped;
  }
}

// A token in a node dump (debug_print_parse, _rewritten, _plan): the bytes
// of `aaz1.`; everything after them up to the end of the value (`]`) is
// hidden, the id included -- the wrapping makes finer cuts unreliable.
bool dumped_secret_at(std::string_view text, size_t at, Secret* out) {
  bool number_starts = at == 0 || is_space(text[at - 1]) || text[at - 1] == '[';
  size_t prefix_end;
  if (!number_starts || !bytes_spell(text, at, kPrefix, &prefix_end)) return false;
  size_t begin = prefix_end;
  while (begin < text.size() && is_space(text[begin])) ++begin;
  size_t end = text.find(']', begin);
  if (end == std::string_view::npos) end = text.size();
  while (end > begin && is_space(text[end - 1])) --end;
  for (size_t i = begin; i < end; ++i) {
    if (is_digit(text[i])) {
      *out = {begin, end};
      return true;
    }
  }
  return false;
}

// Finds the first secret at or after `from`; false when there is none.
bool next_secret(std::string_view text, size_t from, Secret* out) {
  for (size_t at = from; at < text.size(); ++at) {
    char c = text[at];
    if ((c == 'a' || c == 'A') && written_secret_at(text, at, out)) return true;
    if ((c == '9' || c == '6') && dumped_secret_at(text, at, out)) return true;
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
