// Turns DSL text into a checked model AST in one call.
#pragma once

#include <string_view>

#include "core/dsl_parser.h"
#include "core/model_ast.h"
#include "core/model_validator.h"

namespace agentauthz::core {

// Parses and validates dsl; throws ModelError on the first syntax or
// semantic error.
inline ModelAst parse_and_validate_model(std::string_view dsl) {
  ModelAst model = parse_dsl(dsl);
  validate_model(model);
  return model;
}

}  // namespace agentauthz::core
