// Type-checks a parsed expression against the declared parameters, as
// cel-go's checker does for OpenFGA: unknown names, operands of the wrong
// type and calls without a matching overload are compile errors (with
// cel-go's wording), and the expression must have type bool.
#pragma once

#include <string>
#include <vector>

#include "core/cel/ast.h"
#include "core/cel/compile_error.h"
#include "core/cel/types.h"

namespace agentauthz::core::cel {

// Annotates the tree in place (types, resolved names, functions). Returns
// false with *error set on the first problem.
bool check(Node* root, const std::vector<Parameter>& parameters, CompileError* error);

}  // namespace agentauthz::core::cel
