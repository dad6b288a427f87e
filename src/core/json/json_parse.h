// A strict JSON text parser (RFC 8259) for tests and fuzzers; production
// contexts arrive as jsonb. Nesting is bounded so hostile text cannot
// exhaust the stack.
#pragma once

#include <string>
#include <string_view>

#include "core/json/json_value.h"

namespace agentauthz::core::json {

// Deepest array/object nesting parse accepts.
inline constexpr int kMaxJsonDepth = 64;

// Parses text into *out. Returns false and sets *error ("... at offset N")
// on malformed text, trailing garbage, invalid UTF-8 escapes or nesting
// deeper than kMaxJsonDepth.
bool parse(std::string_view text, Value* out, std::string* error);

}  // namespace agentauthz::core::json
