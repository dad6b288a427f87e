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
//  - conditions: more than 25; invalid, over-long (50 bytes) or duplicate
//    names; no parameter or more than 25; invalid or duplicate parameter
//    names; a parameter type other than bool, string, int, uint, double,
//    duration, timestamp, ipaddress, any, list<T> or map<T> (T one of those
//    but a container); an empty expression, one over 512 bytes, one that
//    does not compile against the parameters or does not yield a bool
//    (pointing at the CEL error's place in the model);
//  - type restrictions naming undefined types or relations, or repeated;
//  - computed relations undefined on the type, or referring to themselves;
//  - `X from Y` where Y is not a relation of the type, is not defined by a
//    type restriction alone, lists a userset or wildcard, or where none of
//    its types defines X;
//  - the same operand twice in one `or`, `and` or `but not`;
//  - `with` naming a condition the model does not declare;
//  - relations no finite set of tuples can grant (no entry point);
//  - cycles of computed relations, even ones with a way in;
//  - conditions no type restriction uses (openfga/language refuses them).
void validate_model(const ModelAst& model);

// Maps a 1-based (line, column) within condition's expression, as the CEL
// compiler reports it, to the model text.
SourcePos expression_position(const ConditionAst& condition, int line, int column);

}  // namespace agentauthz::core
