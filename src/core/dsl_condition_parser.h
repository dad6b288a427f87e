// Parses one condition block of the OpenFGA DSL (schema 1.1):
//
//   condition in_region(region: string, allowed: list<string>) {
//     region in allowed
//   }
//
// as OpenFGA's grammar (openfga/language OpenFGAParser.g4) writes it: at
// least one `name: type` parameter, line breaks allowed before each
// parameter and before `)`, the `{` on the line of the `)`, and the CEL
// expression up to the matching `}`. Syntax only: names, types and the
// expression are checked by the validator (model_validator.h).
#pragma once

#include "core/dsl_lexer.h"
#include "core/model_ast.h"

namespace agentauthz::core {

// Parses a condition starting at the `condition` keyword, which must be the
// next token, through its closing `}`; throws ModelError at the first
// syntax error.
ConditionAst parse_condition(DslLexer& lexer);

}  // namespace agentauthz::core
