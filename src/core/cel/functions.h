// CEL's standard functions and operators as OpenFGA's environment has them
// (cel-go's standard library plus ipaddress() and .in_cidr()): the
// overloads the checker resolves against, one runtime implementation per
// function that dispatches on the argument values, and cel-go's rule for
// what each call costs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/cel/types.h"
#include "core/cel/value.h"

namespace agentauthz::core::cel {

// How cel-go's runtime cost model (interpreter/runtimecost.go) charges a call.
enum class CostRule {
  One,       // O(1): 1
  Traverse,  // ceil(0.1 * size(arg0)): startsWith, endsWith, bytes<->string
  MinSize,   // ceil(0.1 * min(size(arg0), size(arg1))): ==, !=, string/bytes ordering
  Concat,    // ceil(0.1 * (size(arg0) + size(arg1))) for strings and bytes, else 1
  InList,    // size(arg1) for lists, else 1
  Contains,  // ceil(0.1 * size(arg0)) * ceil(0.1 * size(arg1))
  Matches,   // ceil(0.1 * (1 + size(arg0))) * ceil(0.25 * size(arg1))
};

struct Overload {
  bool receiver = false;  // called as args[0].name(args[1..])
  std::vector<Type> args;
  Type result;
};

// Evaluates a call whose arguments are neither errors nor unknowns.
using Implementation = Value (*)(const Value* args, size_t count);

struct Function {
  std::string_view name;
  std::vector<Overload> overloads;
  Implementation implementation;
  CostRule cost;
};

const std::vector<Function>& function_table();

// The index of the named function in function_table(), or -1.
int find_function(std::string_view name);

// What one call costs given its arguments.
uint64_t call_cost(CostRule rule, const Value* args, size_t count);

// The error a function returns for arguments it has no overload for.
Value no_such_overload();

// Implementations, grouped by file: operators.cpp, conversions.cpp,
// time_functions.cpp.
Value op_not(const Value* a, size_t n);
Value op_negate(const Value* a, size_t n);
Value op_add(const Value* a, size_t n);
Value op_subtract(const Value* a, size_t n);
Value op_multiply(const Value* a, size_t n);
Value op_divide(const Value* a, size_t n);
Value op_modulo(const Value* a, size_t n);
Value op_equal(const Value* a, size_t n);
Value op_not_equal(const Value* a, size_t n);
Value op_less(const Value* a, size_t n);
Value op_less_equal(const Value* a, size_t n);
Value op_greater(const Value* a, size_t n);
Value op_greater_equal(const Value* a, size_t n);
Value op_in(const Value* a, size_t n);
Value op_index(const Value* a, size_t n);
Value fn_size(const Value* a, size_t n);
Value fn_contains(const Value* a, size_t n);
Value fn_starts_with(const Value* a, size_t n);
Value fn_ends_with(const Value* a, size_t n);
Value fn_matches(const Value* a, size_t n);
Value fn_ipaddress(const Value* a, size_t n);
Value fn_in_cidr(const Value* a, size_t n);
Value to_int(const Value* a, size_t n);
Value to_uint(const Value* a, size_t n);
Value to_double(const Value* a, size_t n);
Value to_string(const Value* a, size_t n);
Value to_bytes(const Value* a, size_t n);
Value to_bool(const Value* a, size_t n);
Value to_duration(const Value* a, size_t n);
Value to_timestamp(const Value* a, size_t n);
Value to_dyn(const Value* a, size_t n);
Value get_full_year(const Value* a, size_t n);
Value get_month(const Value* a, size_t n);
Value get_date(const Value* a, size_t n);
Value get_day_of_month(const Value* a, size_t n);
Value get_day_of_week(const Value* a, size_t n);
Value get_day_of_year(const Value* a, size_t n);
Value get_hours(const Value* a, size_t n);
Value get_minutes(const Value* a, size_t n);
Value get_seconds(const Value* a, size_t n);
Value get_milliseconds(const Value* a, size_t n);

// Timestamp and duration arithmetic, used by op_add and op_subtract.
Value add_time(const Value& a, const Value& b);
Value subtract_time(const Value& a, const Value& b);

}  // namespace agentauthz::core::cel
