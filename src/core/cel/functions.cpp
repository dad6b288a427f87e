#include "core/cel/functions.h"

#include <cmath>

namespace agentauthz::core::cel {

namespace {

Type T(Kind kind) { return Type::of(kind); }
Type A() { return Type::type_param(0); }
Type B() { return Type::type_param(1); }

Overload global(std::vector<Type> args, Type result) {
  return Overload{false, std::move(args), std::move(result)};
}
Overload member(std::vector<Type> args, Type result) {
  return Overload{true, std::move(args), std::move(result)};
}

// Overloads (T, T) -> result for each kind.
std::vector<Overload> same_typed(std::initializer_list<Kind> kinds, const Type& result) {
  std::vector<Overload> overloads;
  for (Kind kind : kinds) overloads.push_back(global({T(kind), T(kind)}, result));
  return overloads;
}

// Overloads (kind) -> result, global style.
std::vector<Overload> conversions(std::initializer_list<Kind> from, const Type& result) {
  std::vector<Overload> overloads;
  for (Kind kind : from) overloads.push_back(global({T(kind)}, result));
  return overloads;
}

// timestamp.getX() and timestamp.getX(zone); duration.getX() when asked.
std::vector<Overload> getters(bool with_duration) {
  std::vector<Overload> overloads = {member({T(Kind::Timestamp)}, T(Kind::Int)),
                                     member({T(Kind::Timestamp), T(Kind::String)}, T(Kind::Int))};
  if (with_duration) overloads.push_back(member({T(Kind::Duration)}, T(Kind::Int)));
  return overloads;
}

// Builds the table once.
std::vector<Function> build_table() {
  using K = Kind;
  const Type kBool = T(K::Bool);
  const Type kInt = T(K::Int);
  const Type kString = T(K::String);
  const std::initializer_list<Kind> kOrdered = {K::Bool,   K::Int,   K::Uint,      K::Double,
                                                K::String, K::Bytes, K::Timestamp, K::Duration};
  std::vector<Function> table;
  auto add = [&](std::string_view name, std::vector<Overload> overloads, Implementation impl,
                 CostRule cost = CostRule::One) {
    table.push_back(Function{name, std::move(overloads), impl, cost});
  };
  // The evaluator itself runs these three: they are not strict in their arguments.
  add("_&&_", {global({kBool, kBool}, kBool)}, nullptr);
  add("_||_", {global({kBool, kBool}, kBool)}, nullptr);
  add("_?_:_", {global({kBool, A(), A()}, A())}, nullptr);
  add("!_", {global({kBool}, kBool)}, op_not);
  add("-_", {global({kInt}, kInt), global({T(K::Double)}, T(K::Double))}, op_negate);

  std::vector<Overload> plus = same_typed({K::Int, K::Uint, K::Double, K::String, K::Bytes}, {});
  for (Overload& overload : plus) overload.result = overload.args[0];
  plus.push_back(global({Type::list(A()), Type::list(A())}, Type::list(A())));
  plus.push_back(global({T(K::Timestamp), T(K::Duration)}, T(K::Timestamp)));
  plus.push_back(global({T(K::Duration), T(K::Timestamp)}, T(K::Timestamp)));
  plus.push_back(global({T(K::Duration), T(K::Duration)}, T(K::Duration)));
  add("_+_", plus, op_add, CostRule::Concat);

  std::vector<Overload> minus = same_typed({K::Int, K::Uint, K::Double}, {});
  for (Overload& overload : minus) overload.result = overload.args[0];
  minus.push_back(global({T(K::Timestamp), T(K::Timestamp)}, T(K::Duration)));
  minus.push_back(global({T(K::Timestamp), T(K::Duration)}, T(K::Timestamp)));
  minus.push_back(global({T(K::Duration), T(K::Duration)}, T(K::Duration)));
  add("_-_", minus, op_subtract);

  std::vector<Overload> arithmetic = same_typed({K::Int, K::Uint, K::Double}, {});
  for (Overload& overload : arithmetic) overload.result = overload.args[0];
  add("_*_", arithmetic, op_multiply);
  add("_/_", arithmetic, op_divide);
  std::vector<Overload> modulo = same_typed({K::Int, K::Uint}, {});
  for (Overload& overload : modulo) overload.result = overload.args[0];
  add("_%_", modulo, op_modulo);

  add("_==_", {global({A(), A()}, kBool)}, op_equal, CostRule::MinSize);
  add("_!=_", {global({A(), A()}, kBool)}, op_not_equal, CostRule::MinSize);
  add("_<_", same_typed(kOrdered, kBool), op_less, CostRule::MinSize);
  add("_<=_", same_typed(kOrdered, kBool), op_less_equal, CostRule::MinSize);
  add("_>_", same_typed(kOrdered, kBool), op_greater, CostRule::MinSize);
  add("_>=_", same_typed(kOrdered, kBool), op_greater_equal, CostRule::MinSize);
  add("@in", {global({A(), Type::list(A())}, kBool), global({A(), Type::map(A(), B())}, kBool)},
      op_in, CostRule::InList);
  add("_[_]", {global({Type::list(A()), kInt}, A()), global({Type::map(A(), B()), A()}, B())},
      op_index);

  std::vector<Overload> size;
  for (const Type& type : {kString, T(K::Bytes), Type::list(A()), Type::map(A(), B())}) {
    size.push_back(global({type}, kInt));
    size.push_back(member({type}, kInt));
  }
  add("size", size, fn_size);
  add("contains", {member({kString, kString}, kBool)}, fn_contains, CostRule::Contains);
  add("startsWith", {member({kString, kString}, kBool)}, fn_starts_with, CostRule::Traverse);
  add("matches", {global({kString, kString}, kBool), member({kString, kString}, kBool)}, fn_matches,
      CostRule::Matches);
  add("endsWith", {member({kString, kString}, kBool)}, fn_ends_with, CostRule::Traverse);

  add("ipaddress", {global({kString}, T(K::IpAddress))}, fn_ipaddress);
  add("in_cidr", {member({T(K::IpAddress), kString}, kBool)}, fn_in_cidr);

  add("int", conversions({K::Int, K::Uint, K::Double, K::String, K::Timestamp}, kInt), to_int);
  add("uint", conversions({K::Int, K::Uint, K::Double, K::String}, T(K::Uint)), to_uint);
  add("double", conversions({K::Int, K::Uint, K::Double, K::String}, T(K::Double)), to_double);
  add("string",
      conversions(
          {K::Int, K::Uint, K::Double, K::Bool, K::String, K::Bytes, K::Timestamp, K::Duration},
          kString),
      to_string, CostRule::Traverse);
  add("bytes", conversions({K::String, K::Bytes}, T(K::Bytes)), to_bytes, CostRule::Traverse);
  add("bool", conversions({K::Bool, K::String}, kBool), to_bool);
  add("duration", conversions({K::String, K::Duration}, T(K::Duration)), to_duration);
  add("timestamp", conversions({K::String, K::Timestamp, K::Int}, T(K::Timestamp)), to_timestamp);
  add("dyn", {global({A()}, T(K::Dyn))}, to_dyn);

  add("getFullYear", getters(false), get_full_year);
  add("getMonth", getters(false), get_month);
  add("getDate", getters(false), get_date);
  add("getDayOfMonth", getters(false), get_day_of_month);
  add("getDayOfWeek", getters(false), get_day_of_week);
  add("getDayOfYear", getters(false), get_day_of_year);
  add("getHours", getters(true), get_hours);
  add("getMinutes", getters(true), get_minutes);
  add("getSeconds", getters(true), get_seconds);
  add("getMilliseconds", getters(true), get_milliseconds);
  return table;
}

uint64_t traversal(uint64_t size) {
  return static_cast<uint64_t>(std::ceil(static_cast<double>(size) * 0.1));
}

bool is_text(const Value& value) {
  return value.kind() == ValueKind::String || value.kind() == ValueKind::Bytes;
}

}  // namespace

const std::vector<Function>& function_table() {
  static const std::vector<Function> table = build_table();
  return table;
}

int find_function(std::string_view name) {
  const std::vector<Function>& table = function_table();
  for (size_t i = 0; i < table.size(); ++i)
    if (table[i].name == name) return static_cast<int>(i);
  return -1;
}

// Applies the cost rule to the actual arguments, as cel-go's costCall.
uint64_t call_cost(CostRule rule, const Value* args, size_t count) {
  switch (rule) {
    case CostRule::One:
      return 1;
    case CostRule::Traverse:
      // string() and bytes() only traverse text; conversions of scalars cost 1.
      return is_text(args[0]) ? traversal(args[0].size()) : 1;
    case CostRule::MinSize:
      if (count < 2) return 1;
      return traversal(std::min(args[0].size(), args[1].size()));
    case CostRule::Concat:
      if (count == 2 && is_text(args[0]) && is_text(args[1]))
        return traversal(args[0].size() + args[1].size());
      return 1;
    case CostRule::InList:
      return count == 2 && args[1].kind() == ValueKind::List ? args[1].size() : 1;
    case CostRule::Contains:
      return count == 2 ? traversal(args[0].size()) * traversal(args[1].size()) : 1;
    case CostRule::Matches:
      if (count != 2) return 1;
      return traversal(1 + args[0].size()) *
             static_cast<uint64_t>(std::ceil(static_cast<double>(args[1].size()) * 0.25));
  }
  return 1;
}

Value no_such_overload() { return Value::error("no such overload"); }

}  // namespace agentauthz::core::cel
