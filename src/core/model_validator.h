// Semantic validation of a parsed model, following what OpenFGA rejects:
// its DSL validator (openfga/language) and its server's model checks
// (openfga/openfga pkg/typesystem). A model either of them refuses is
// refused here too.
#pragma once

#include "core/model_ast.h"

namespace agentauthz::core {

// Checks model; throws ModelError at the offending definition or reference
// for the first problem found: names, undefined or duplicate types and
// relations, misused `from`, relations with no entry point, cycles of
// computed relations.
void validate_model(const ModelAst& model);

}  // namespace agentauthz::core
