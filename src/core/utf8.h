// UTF-8 encoding and validation, shared by the CEL lexer and the JSON
// parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentauthz::core {

// Appends the UTF-8 encoding of a code point.
void append_utf8(uint32_t code_point, std::string* out);

// True if text is well-formed UTF-8 (no surrogates, no overlongs).
bool valid_utf8(std::string_view text);

}  // namespace agentauthz::core
