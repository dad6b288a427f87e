// The operators and string functions of CEL's standard library, with
// cel-go's overflow and division errors.
#include <cmath>
#include <limits>

#include "core/cel/functions.h"
#include "core/cel/ipaddress.h"
#include "core/cel/regex.h"

namespace agentauthz::core::cel {

namespace {

using K = ValueKind;

Value int_overflow() { return Value::error("integer overflow"); }
Value uint_overflow() { return Value::error("unsigned integer overflow"); }

bool both(const Value* a, K kind) { return a[0].kind() == kind && a[1].kind() == kind; }

bool is_time(K kind) { return kind == K::Timestamp || kind == K::Duration; }

}  // namespace

Value op_not(const Value* a, size_t) {
  if (a[0].kind() != K::Bool) return no_such_overload();
  return Value::boolean(!a[0].as_bool());
}

Value op_negate(const Value* a, size_t) {
  if (a[0].kind() == K::Int) {
    if (a[0].as_int() == std::numeric_limits<int64_t>::min()) return int_overflow();
    return Value::integer(-a[0].as_int());
  }
  if (a[0].kind() == K::Double) return Value::floating(-a[0].as_double());
  return no_such_overload();
}

// Adds numbers, concatenates strings, bytes and lists, or shifts time.
Value op_add(const Value* a, size_t) {
  int64_t i;
  if (both(a, K::Int)) {
    if (__builtin_add_overflow(a[0].as_int(), a[1].as_int(), &i)) return int_overflow();
    return Value::integer(i);
  }
  if (both(a, K::Uint)) {
    uint64_t u;
    if (__builtin_add_overflow(a[0].as_uint(), a[1].as_uint(), &u)) return uint_overflow();
    return Value::unsigned_integer(u);
  }
  if (both(a, K::Double)) return Value::floating(a[0].as_double() + a[1].as_double());
  if (both(a, K::String)) return Value::string(a[0].text() + a[1].text());
  if (both(a, K::Bytes)) return Value::bytes(a[0].text() + a[1].text());
  if (both(a, K::List)) {
    std::vector<Value> items = a[0].items();
    items.insert(items.end(), a[1].items().begin(), a[1].items().end());
    return Value::list(std::move(items));
  }
  if (is_time(a[0].kind()) && is_time(a[1].kind())) return add_time(a[0], a[1]);
  return no_such_overload();
}

Value op_subtract(const Value* a, size_t) {
  if (both(a, K::Int)) {
    int64_t i;
    if (__builtin_sub_overflow(a[0].as_int(), a[1].as_int(), &i)) return int_overflow();
    return Value::integer(i);
  }
  if (both(a, K::Uint)) {
    uint64_t u;
    if (__builtin_sub_overflow(a[0].as_uint(), a[1].as_uint(), &u)) return uint_overflow();
    return Value::unsigned_integer(u);
  }
  if (both(a, K::Double)) return Value::floating(a[0].as_double() - a[1].as_double());
  if (is_time(a[0].kind()) && is_time(a[1].kind())) return subtract_time(a[0], a[1]);
  return no_such_overload();
}

Value op_multiply(const Value* a, size_t) {
  if (both(a, K::Int)) {
    int64_t i;
    if (__builtin_mul_overflow(a[0].as_int(), a[1].as_int(), &i)) return int_overflow();
    return Value::integer(i);
  }
  if (both(a, K::Uint)) {
    uint64_t u;
    if (__builtin_mul_overflow(a[0].as_uint(), a[1].as_uint(), &u)) return uint_overflow();
    return Value::unsigned_integer(u);
  }
  if (both(a, K::Double)) return Value::floating(a[0].as_double() * a[1].as_double());
  return no_such_overload();
}

Value op_divide(const Value* a, size_t) {
  if (both(a, K::Int)) {
    if (a[1].as_int() == 0) return Value::error("division by zero");
    if (a[0].as_int() == std::numeric_limits<int64_t>::min() && a[1].as_int() == -1)
      return int_overflow();
    return Value::integer(a[0].as_int() / a[1].as_int());
  }
  if (both(a, K::Uint)) {
    if (a[1].as_uint() == 0) return Value::error("division by zero");
    return Value::unsigned_integer(a[0].as_uint() / a[1].as_uint());
  }
  if (both(a, K::Double)) return Value::floating(a[0].as_double() / a[1].as_double());
  return no_such_overload();
}

Value op_modulo(const Value* a, size_t) {
  if (both(a, K::Int)) {
    if (a[1].as_int() == 0) return Value::error("modulus by zero");
    if (a[0].as_int() == std::numeric_limits<int64_t>::min() && a[1].as_int() == -1)
      return int_overflow();
    return Value::integer(a[0].as_int() % a[1].as_int());
  }
  if (both(a, K::Uint)) {
    if (a[1].as_uint() == 0) return Value::error("modulus by zero");
    return Value::unsigned_integer(a[0].as_uint() % a[1].as_uint());
  }
  return no_such_overload();
}

Value op_equal(const Value* a, size_t) { return Value::boolean(equal(a[0], a[1])); }
Value op_not_equal(const Value* a, size_t) { return Value::boolean(!equal(a[0], a[1])); }

namespace {

// Applies an ordering test; NaN makes every ordering false.
template <typename Test>
Value ordered(const Value* a, Test test) {
  int order = 0;
  if (!compare(a[0], a[1], &order)) return no_such_overload();
  if (order == 2) return Value::boolean(false);
  return Value::boolean(test(order));
}

}  // namespace

Value op_less(const Value* a, size_t) {
  return ordered(a, [](int order) { return order < 0; });
}
Value op_less_equal(const Value* a, size_t) {
  return ordered(a, [](int order) { return order <= 0; });
}
Value op_greater(const Value* a, size_t) {
  return ordered(a, [](int order) { return order > 0; });
}
Value op_greater_equal(const Value* a, size_t) {
  return ordered(a, [](int order) { return order >= 0; });
}

Value op_in(const Value* a, size_t) {
  if (a[1].kind() == K::List) {
    for (const Value& item : a[1].items())
      if (equal(item, a[0])) return Value::boolean(true);
    return Value::boolean(false);
  }
  if (a[1].kind() == K::Map) return Value::boolean(a[1].find(a[0]) != nullptr);
  return no_such_overload();
}

// Indexes a list by an integral number or a map by a key.
Value op_index(const Value* a, size_t) {
  if (a[0].kind() == K::List) {
    const Value& index = a[1];
    int64_t position;
    if (index.kind() == K::Int) {
      position = index.as_int();
    } else if (index.kind() == K::Uint) {
      position = index.as_uint() > INT64_MAX ? -1 : static_cast<int64_t>(index.as_uint());
    } else if (index.kind() == K::Double && std::trunc(index.as_double()) == index.as_double() &&
               std::fabs(index.as_double()) < 9.2e18) {
      position = static_cast<int64_t>(index.as_double());
    } else {
      return no_such_overload();
    }
    if (position < 0 || static_cast<uint64_t>(position) >= a[0].items().size())
      return Value::error("index out of range: " + debug_string(index));
    return a[0].items()[position];
  }
  if (a[0].kind() == K::Map) {
    const Value* found = a[0].find(a[1]);
    if (!found) return Value::error("no such key: " + debug_string(a[1]));
    return *found;
  }
  return no_such_overload();
}

Value fn_size(const Value* a, size_t) {
  K kind = a[0].kind();
  if (kind != K::String && kind != K::Bytes && kind != K::List && kind != K::Map)
    return no_such_overload();
  return Value::integer(static_cast<int64_t>(a[0].size()));
}

Value fn_contains(const Value* a, size_t) {
  if (!both(a, K::String)) return no_such_overload();
  return Value::boolean(a[0].text().find(a[1].text()) != std::string::npos);
}

Value fn_starts_with(const Value* a, size_t) {
  if (!both(a, K::String)) return no_such_overload();
  return Value::boolean(a[0].text().compare(0, a[1].text().size(), a[1].text()) == 0 &&
                        a[0].text().size() >= a[1].text().size());
}

Value fn_ends_with(const Value* a, size_t) {
  if (!both(a, K::String)) return no_such_overload();
  const std::string& text = a[0].text();
  const std::string& suffix = a[1].text();
  return Value::boolean(text.size() >= suffix.size() &&
                        text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0);
}

// RE2-style search; the pattern is compiled on each call (patterns are short).
Value fn_matches(const Value* a, size_t) {
  if (!both(a, K::String)) return no_such_overload();
  std::string error;
  std::unique_ptr<Regex> regex = Regex::compile(a[1].text(), &error);
  if (!regex) return Value::error(error);
  return Value::boolean(regex->search(a[0].text()));
}

Value fn_ipaddress(const Value* a, size_t) {
  if (a[0].kind() != K::String) return no_such_overload();
  IpAddress address;
  std::string error;
  if (!parse_ip_address(a[0].text(), &address, &error)) return Value::error(error);
  return Value::ip(address);
}

// Tests an address against a CIDR string, with OpenFGA's messages.
Value fn_in_cidr(const Value* a, size_t) {
  if (a[1].kind() != K::String) return Value::error("a CIDR string is required for comparison");
  IpPrefix prefix;
  if (!parse_ip_prefix(a[1].text(), &prefix))
    return Value::error("'" + a[1].text() + "' is a malformed CIDR string");
  if (a[0].kind() != K::IpAddress)
    return Value::error("an IPAddress parameter value is required for comparison");
  return Value::boolean(prefix_contains(prefix, a[0].ip_address()));
}

}  // namespace agentauthz::core::cel
