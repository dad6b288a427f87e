// Hiding delegation tokens in text bound for the server log or
// pg_stat_activity. A token-shaped run is `aaz1.` (any case) followed by
// base64url characters and dots; its id (`<digits>.` right after the prefix)
// stays readable and the rest becomes kRedactedSecret:
//   act_for('aaz1.42.kJ3...')  ->  act_for('aaz1.42.[redacted]')
// The match is deliberately loose -- a truncated, misspelt or run-together
// token is hidden too -- since what it costs is a marker in a log line.
// A token spelt as the byte values of a node dump (debug_print_parse and
// the like: `97 97 122 49 46 ...`, lines wrapped anywhere) loses everything
// after its `aaz1.` up to the end of the value.
// Nothing here allocates or throws, so an error-reporting hook may use it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentauthz::core {

inline constexpr std::string_view kRedactedSecret = "[redacted]";

// Whether `text` holds a secret to hide.
bool holds_token(std::string_view text) noexcept;
// The length of `text` once every secret in it is replaced by the marker.
size_t redacted_length(std::string_view text) noexcept;
// Writes the redacted text to `out`, which has room for redacted_length(text)
// characters (no terminator is written); returns how many were written.
size_t write_redacted(std::string_view text, char* out) noexcept;
// Where the first secret begins, std::string_view::npos if none: the text
// cut there holds no secret (the fallback when no memory is left for a copy).
size_t first_secret_offset(std::string_view text) noexcept;
// The redacted text as a string.
std::string redact_tokens(std::string_view text);

}  // namespace agentauthz::core
