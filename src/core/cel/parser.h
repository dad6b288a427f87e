// Parses a CEL expression into a syntax tree, expanding the macros has(),
// all(), exists(), exists_one(), map() and filter(). Bounded: at most
// kMaxExpressionBytes of text and trees at most kMaxNestingDepth high.
#pragma once

#include <memory>
#include <string_view>

#include "core/cel/ast.h"
#include "core/cel/compile_error.h"

namespace agentauthz::core::cel {

// Returns the tree, or nullptr with *error set (message, line, column).
std::unique_ptr<Node> parse(std::string_view expression, CompileError* error);

}  // namespace agentauthz::core::cel
