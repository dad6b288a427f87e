#include "core/cel/convert.h"

#include <charconv>
#include <cmath>

#include "core/cel/ipaddress.h"
#include "core/cel/time_util.h"

namespace agentauthz::core::cel {

namespace {

using JKind = json::Kind;

// Go's reflect type name of the value structpb's AsInterface() yields.
std::string go_type(const json::Value& value) {
  switch (value.kind()) {
    case JKind::Null:
      return "%!s(<nil>)";
    case JKind::Bool:
      return "bool";
    case JKind::Number:
      return "float64";
    case JKind::String:
      return "string";
    case JKind::Array:
      return "[]interface {}";
    case JKind::Object:
      return "map[string]interface {}";
  }
  return "?";
}

// Go's %T for the same values (nil prints as <nil>).
std::string go_type_verb(const json::Value& value) {
  return value.kind() == JKind::Null ? "<nil>" : go_type(value);
}

// An approximation of Go's %v: scalars as text, containers as JSON.
std::string go_value(const json::Value& value) {
  switch (value.kind()) {
    case JKind::Null:
      return "<nil>";
    case JKind::Bool:
      return value.as_bool() ? "true" : "false";
    case JKind::Number:
    case JKind::String:
      return value.text();
    default:
      return value.dump();
  }
}

// A decimal number split into its digits and a power of ten.
struct Decimal {
  bool negative = false;
  std::string digits;  // without leading zeros; empty for zero
  int64_t exponent = 0;
};

// Reads [+-]digits[.digits][e[+-]digits] (at least one digit).
bool parse_decimal(const std::string& text, Decimal* out) {
  size_t at = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) out->negative = text[at++] == '-';
  std::string digits;
  int64_t fraction_digits = 0;
  bool any = false;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    digits.push_back(text[at++]);
    any = true;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      digits.push_back(text[at++]);
      ++fraction_digits;
      any = true;
    }
  }
  if (!any) return false;
  int64_t exponent = 0;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    bool negative_exponent = false;
    if (at < text.size() && (text[at] == '+' || text[at] == '-'))
      negative_exponent = text[at++] == '-';
    if (at >= text.size()) return false;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (exponent < 1000000) exponent = exponent * 10 + (text[at] - '0');
      ++at;
    }
    if (negative_exponent) exponent = -exponent;
  }
  if (at != text.size()) return false;
  size_t first = digits.find_first_not_of('0');
  out->digits = first == std::string::npos ? "" : digits.substr(first);
  out->exponent = exponent - fraction_digits;
  while (!out->digits.empty() && out->digits.back() == '0') {
    out->digits.pop_back();
    ++out->exponent;
  }
  return true;
}

enum class Integral { Ok, Fraction, Range };

// The magnitude of an integral decimal, if it fits in uint64.
Integral magnitude_of(const Decimal& decimal, uint64_t* magnitude) {
  *magnitude = 0;
  if (decimal.digits.empty()) return Integral::Ok;
  if (decimal.exponent < 0) return Integral::Fraction;
  if (static_cast<int64_t>(decimal.digits.size()) + decimal.exponent > 20) return Integral::Range;
  uint64_t value = 0;
  for (char c : decimal.digits)
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value))
      return Integral::Range;
  for (int64_t i = 0; i < decimal.exponent; ++i)
    if (__builtin_mul_overflow(value, 10, &value)) return Integral::Range;
  *magnitude = value;
  return Integral::Ok;
}

// Converts a number or numeric string to int, uint or double.
Value convert_numeric(const json::Value& value, cel::Kind kind, std::string* error) {
  const char* go_name = kind == cel::Kind::Int    ? "int64"
                        : kind == cel::Kind::Uint ? "uint64"
                                                  : "float64";
  if (value.kind() != JKind::Number && value.kind() != JKind::String) {
    *error =
        std::string("expected type value '") + go_name + "', but found '" + go_type(value) + "'";
    return Value();
  }
  Decimal decimal;
  if (!parse_decimal(value.text(), &decimal)) {
    *error = std::string("expected a ") + go_name + " value, but found invalid string value '" +
             value.text() + "'";
    return Value();
  }
  if (kind == cel::Kind::Double) {
    double d = 0;
    const std::string& text = value.text();
    const char* begin = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
    auto result = std::from_chars(begin, text.data() + text.size(), d);
    if (result.ec != std::errc() || std::isinf(d)) {
      *error = "expected a double value, but found out-of-range numeric value '" + text + "'";
      return Value();
    }
    return Value::floating(d);
  }
  const char* article = kind == cel::Kind::Int ? "an int" : "a uint";
  uint64_t magnitude = 0;
  Integral integral = magnitude_of(decimal, &magnitude);
  if (integral == Integral::Fraction) {
    *error = std::string("expected ") + article + " value, but found numeric value '" +
             value.text() + "'";
    return Value();
  }
  if (kind == cel::Kind::Uint && decimal.negative && !decimal.digits.empty()) {
    *error = "expected a uint value, but found int64 value '" + value.text() + "'";
    return Value();
  }
  bool fits = integral == Integral::Ok &&
              (kind == cel::Kind::Uint ||
               magnitude <= (decimal.negative ? (1ULL << 63) : (1ULL << 63) - 1));
  if (!fits) {
    *error = std::string("expected ") + article + " value, but found out-of-range numeric value '" +
             value.text() + "'";
    return Value();
  }
  if (kind == cel::Kind::Uint) return Value::unsigned_integer(magnitude);
  return Value::integer(decimal.negative ? static_cast<int64_t>(0 - magnitude)
                                         : static_cast<int64_t>(magnitude));
}

// Converts JSON for an `any` parameter as cel-go adapts structpb values:
// numbers become doubles, arrays lists, objects maps with string keys.
Value convert_any(const json::Value& value, std::string* error) {
  switch (value.kind()) {
    case JKind::Null:
      return Value();
    case JKind::Bool:
      return Value::boolean(value.as_bool());
    case JKind::String:
      return Value::string(value.text());
    case JKind::Number:
      return convert_numeric(value, cel::Kind::Double, error);
    case JKind::Array: {
      std::vector<Value> items;
      for (const json::Value& item : value.items()) {
        items.push_back(convert_any(item, error));
        if (!error->empty()) return Value();
      }
      return Value::list(std::move(items));
    }
    case JKind::Object: {
      std::vector<Value::Entry> entries;
      for (const json::Value::Member& member : value.members()) {
        Value item = convert_any(member.second, error);
        if (!error->empty()) return Value();
        entries.emplace_back(Value::string(member.first), std::move(item));
      }
      return Value::map(std::move(entries));
    }
  }
  return Value();
}

}  // namespace

// Dispatches on the declared type.
Value convert(const json::Value& value, const Type& type, std::string* error) {
  std::string local;
  if (!error) error = &local;
  error->clear();
  const bool is_string = value.kind() == JKind::String;
  switch (type.kind) {
    case cel::Kind::Any:
      return convert_any(value, error);
    case cel::Kind::Bool:
      if (value.kind() == JKind::Bool) return Value::boolean(value.as_bool());
      *error = "expected type value 'bool', but found '" + go_type(value) + "'";
      return Value();
    case cel::Kind::String:
      if (is_string) return Value::string(value.text());
      *error = "expected type value 'string', but found '" + go_type(value) + "'";
      return Value();
    case cel::Kind::Int:
    case cel::Kind::Uint:
    case cel::Kind::Double:
      return convert_numeric(value, type.kind, error);
    case cel::Kind::Duration: {
      int64_t nanos = 0;
      if (!is_string) {
        *error = "expected a duration string, but found: " + go_type_verb(value) + " '" +
                 go_value(value) + "'";
      } else if (!parse_duration(value.text(), &nanos)) {
        *error = "expected a valid duration string, but found: '" + value.text() + "'";
      } else {
        return Value::duration(nanos);
      }
      return Value();
    }
    case cel::Kind::Timestamp: {
      int64_t seconds = 0;
      int32_t nanos = 0;
      if (!is_string) {
        *error = "expected RFC 3339 formatted timestamp string, but found: " + go_type_verb(value) +
                 " '" + go_value(value) + "'";
      } else if (!parse_timestamp(value.text(), &seconds, &nanos)) {
        *error = "expected RFC 3339 formatted timestamp string, but found '" + value.text() + "'";
      } else {
        return Value::timestamp(seconds, nanos);
      }
      return Value();
    }
    case cel::Kind::IpAddress: {
      IpAddress address;
      if (!is_string) {
        *error = "expected an ipaddress string, but found: " + go_type_verb(value) + " '" +
                 go_value(value) + "'";
      } else if (!parse_ip_address(value.text(), &address, nullptr)) {
        *error = "expected a well-formed IP address, but found: '" + value.text() + "'";
      } else {
        return Value::ip(address);
      }
      return Value();
    }
    case cel::Kind::List: {
      if (value.kind() != JKind::Array) {
        *error = "list requires a list, found: " + go_type_verb(value);
        return Value();
      }
      std::vector<Value> items;
      items.reserve(value.items().size());
      for (size_t i = 0; i < value.items().size(); ++i) {
        std::string why;
        items.push_back(convert(value.items()[i], *type.element, &why));
        if (!why.empty()) {
          *error = "found an invalid list item at index `" + std::to_string(i) + "`: " + why;
          return Value();
        }
      }
      return Value::list(std::move(items));
    }
    case cel::Kind::Map: {
      if (value.kind() != JKind::Object) {
        *error = "map requires a map, found: " + go_type_verb(value);
        return Value();
      }
      std::vector<Value::Entry> entries;
      entries.reserve(value.members().size());
      for (const json::Value::Member& member : value.members()) {
        std::string why;
        Value item = convert(member.second, *type.element, &why);
        if (!why.empty()) {
          *error = "found an invalid value for key `" + member.first + "`: " + why;
          return Value();
        }
        entries.emplace_back(Value::string(member.first), std::move(item));
      }
      return Value::map(std::move(entries));
    }
    default:
      *error = "unsupported parameter type '" + to_string(type) + "'";
      return Value();
  }
}

bool bind_context(const json::Value& context, const std::vector<Parameter>& parameters,
                  Activation* activation, std::string* error) {
  if (context.kind() != JKind::Object) {
    if (error) *error = "the context must be a JSON object";
    return false;
  }
  if (context.members().empty()) return true;
  if (parameters.empty()) {
    if (error) *error = "no parameters defined for the condition";
    return false;
  }
  for (const Parameter& parameter : parameters) {
    const json::Value* member = context.find(parameter.name);
    if (!member) continue;
    std::string why;
    Value value = convert(*member, parameter.type, &why);
    if (!why.empty()) {
      if (error) *error = "failed to convert context parameter '" + parameter.name + "': " + why;
      return false;
    }
    activation->set(parameter.name, std::move(value));
  }
  return true;
}

}  // namespace agentauthz::core::cel
