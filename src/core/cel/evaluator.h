// Walks a checked syntax tree over parameter values with CEL's semantics:
// errors and unknowns propagate through strict functions and are absorbed
// by &&, || and ?: as cel-spec and cel-go say; every step is charged by
// cel-go's runtime cost model and evaluation stops once the limit is passed.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cel/ast.h"
#include "core/cel/value.h"

namespace agentauthz::core::cel {

struct Evaluation {
  Value value;  // may be an Error or an Unknown
  uint64_t cost = 0;
  bool cost_exceeded = false;  // value is then the cost-limit error
};

// Evaluates root; parameters[i] is the value of parameter i (an Unknown
// naming it when no source supplied it).
Evaluation evaluate_tree(const Node& root, const std::vector<Value>& parameters,
                         uint64_t cost_limit);

}  // namespace agentauthz::core::cel
