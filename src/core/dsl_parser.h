// Parses the OpenFGA DSL (schema 1.1, with conditions, without modules) into
// a ModelAst. Syntax only: names are not resolved here (see
// model_validator.h).
#pragma once

#include <string_view>

#include "core/model_ast.h"

namespace agentauthz::core {

// Parses text into a ModelAst; throws ModelError(line, column, message) at
// the first syntax error, for input over 1 MiB and for parentheses nested
// deeper than 64 levels.
ModelAst parse_dsl(std::string_view text);

}  // namespace agentauthz::core
