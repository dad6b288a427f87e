// Bounds on what the DSL front end accepts. Models arrive from SQL callers
// and fuzzers alike, so every input is bounded before it can cost memory,
// time or stack.
#pragma once

#include <cstddef>

namespace agentauthz::core {

// Largest model text parse_dsl accepts, in bytes.
inline constexpr std::size_t kMaxDslBytes = std::size_t{1024} * 1024;

// Deepest nesting of parentheses inside one relation definition.
inline constexpr int kMaxParenDepth = 64;

// Deepest rewrite tree validate_model walks. Parsed trees stay well below
// it (each parenthesis level adds at most one node); the bound protects the
// recursion against trees built by other code.
inline constexpr int kMaxRewriteDepth = 128;

// OpenFGA's API limits on conditions (openfga/api authzmodel.proto):
// conditions per model, parameters per condition, bytes per expression.
inline constexpr std::size_t kMaxConditions = 25;
inline constexpr std::size_t kMaxConditionParameters = 25;
inline constexpr std::size_t kMaxConditionExpressionBytes = 512;

}  // namespace agentauthz::core
