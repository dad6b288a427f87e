// Finds where the CEL body of a condition ends: `condition c(x: int) { ... }`.
//
// OpenFGA's grammar ends the body at the first `}` token, which cannot be
// inside a CEL string or `//` comment. We end it at the `}` that balances
// the opening `{`, so map literals (`{'a': 1}`) work too; for every body
// OpenFGA accepts the two rules agree, as a CEL expression with no `}`
// has no `{` either.
//
// Comments are removed from the expression, as OpenFGA does before it
// stores it: `//` comments (CEL's) and the DSL's `#` comments (a `#` that
// opens a line or follows a blank). Unlike OpenFGA, which cuts every line at
// " #" before lexing, a `#` inside a string literal stays in the string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentauthz::core {

struct ScannedConditionBody {
  static constexpr std::size_t kNone = std::string_view::npos;

  std::size_t close = kNone;  // offset of the closing `}`; kNone when there is none
  // Offset of a triple-quoted string that is never closed; kNone when none.
  std::size_t unclosed_string = kNone;
  // The expression without comments and surrounding whitespace. Each
  // character keeps its line and column (comments end their line), and a
  // lone '\r' outside strings becomes '\n', so that CEL, which breaks lines
  // at '\n' only, counts lines as the DSL does.
  std::string expression;
  std::size_t start = kNone;  // offset of the expression's first character; close when empty
};

// Scans text from offset from (just after the `{`) to the matching `}`.
ScannedConditionBody scan_condition_body(std::string_view text, std::size_t from);

}  // namespace agentauthz::core
