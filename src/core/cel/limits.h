// Bounds on what the CEL front end and evaluator accept, so hostile
// expressions and contexts cost bounded memory, time and stack.
#pragma once

#include <cstddef>
#include <cstdint>

namespace agentauthz::core::cel {

// Longest expression compile accepts, in bytes (cel-go: 100,000 code points).
inline constexpr std::size_t kMaxExpressionBytes = 100000;

// Deepest syntactic nesting (parentheses, operands, calls, literals).
inline constexpr int kMaxNestingDepth = 100;

// Deepest nesting of comprehensions (macros inside macros).
inline constexpr int kMaxComprehensionDepth = 8;

// OpenFGA's DefaultMaxConditionEvaluationCost (pkg/server/config).
inline constexpr uint64_t kDefaultCostLimit = 100;

}  // namespace agentauthz::core::cel
