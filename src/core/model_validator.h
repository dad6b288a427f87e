// Semantic validation of a parsed model, following what OpenFGA rejects:
// its DSL validator (openfga/language) and its server's model checks
// (openfga/openfga pkg/typesystem). A model either of them refuses is
// refused here too.
#pragma once

#include "core/model_ast.h"

namespace agentauthz::core {

// Checks model; throws ModelError at the offending name for the first
// problem found, in this order:
//  - schema other than 1.1; no type at all;
//  - invalid, over-long (254 / 50 bytes), `self`/`this` or duplicate type
//    and relation names;
//  - type restrictions naming undefined types or relations, or repeated;
//  - computed relations undefined on the type, or referring to themselves;
//  - `X from Y` where Y is not a relation of the type, is not defined by a
//    type restriction alone, lists a userset or wildcard, or where none of
//    its types defines X;
//  - the same operand twice in one `or`, `and` or `but not`;
//  - relations no finite set of tuples can grant (no entry point);
//  - cycles of computed relations, even ones with a way in.
void validate_model(const ModelAst& model);

}  // namespace agentauthz::core
