// CEL's type conversion functions: int(), uint(), double(), string(),
// bytes(), bool(), duration(), timestamp() and dyn(), with cel-go's range
// checks.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/cel/functions.h"
#include "core/cel/lexer.h"
#include "core/cel/time_util.h"

namespace agentauthz::core::cel {

namespace {

using K = ValueKind;

Value cannot_convert(const Value& value, const char* to) {
  return Value::error("cannot convert " + debug_string(value) + " to " + to);
}

// Reads Go strconv.ParseInt/ParseUint decimal text (optional sign for int).
bool parse_integer(const std::string& text, bool allow_sign, int64_t* as_int, uint64_t* as_uint) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (allow_sign) {
    const char* start = begin;
    if (start != end && *start == '+') ++start;
    if (start == end || *start == '+') return false;
    auto result = std::from_chars(start, end, *as_int);
    return result.ec == std::errc() && result.ptr == end;
  }
  if (begin == end || *begin == '-') return false;
  auto result = std::from_chars(begin, end, *as_uint);
  return result.ec == std::errc() && result.ptr == end;
}

// Formats a double as Go's strconv.FormatFloat(d, 'g', -1, 64).
std::string format_go_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  std::string text(buffer, result.ptr);
  size_t e = text.find('e');
  std::string mantissa = text.substr(0, e);
  int exponent = std::atoi(text.c_str() + e + 1);
  bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits.push_back(c);
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {  // Go switches to %e at 1e6 for shortest output
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::snprintf(buffer, sizeof buffer, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + buffer;
  }
  if (exponent < 0) return out + "0." + std::string(-exponent - 1, '0') + digits;
  if (static_cast<int>(digits.size()) <= exponent + 1)
    return out + digits + std::string(exponent + 1 - digits.size(), '0');
  return out + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

}  // namespace

// int(): truncates doubles, range-checks, parses decimal strings.
Value to_int(const Value* a, size_t) {
  const Value& v = a[0];
  switch (v.kind()) {
    case K::Int:
      return v;
    case K::Uint:
      if (v.as_uint() > static_cast<uint64_t>(INT64_MAX)) return Value::error("integer overflow");
      return Value::integer(static_cast<int64_t>(v.as_uint()));
    case K::Double: {
      double d = v.as_double();
      if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
        return Value::error("integer overflow");
      return Value::integer(static_cast<int64_t>(d));
    }
    case K::String: {
      int64_t i = 0;
      uint64_t unused = 0;
      if (!parse_integer(v.text(), true, &i, &unused)) return cannot_convert(v, "int");
      return Value::integer(i);
    }
    case K::Timestamp:
      return Value::integer(v.seconds());
    default:
      return no_such_overload();
  }
}

// uint(): refuses negatives, range-checks, parses decimal strings.
Value to_uint(const Value* a, size_t) {
  const Value& v = a[0];
  switch (v.kind()) {
    case K::Uint:
      return v;
    case K::Int:
      if (v.as_int() < 0) return Value::error("unsigned integer overflow");
      return Value::unsigned_integer(static_cast<uint64_t>(v.as_int()));
    case K::Double: {
      double d = v.as_double();
      if (!(d > -1.0 && d < 18446744073709551616.0))
        return Value::error("unsigned integer overflow");
      return Value::unsigned_integer(static_cast<uint64_t>(d));
    }
    case K::String: {
      int64_t unused = 0;
      uint64_t u = 0;
      if (!parse_integer(v.text(), false, &unused, &u)) return cannot_convert(v, "uint");
      return Value::unsigned_integer(u);
    }
    default:
      return no_such_overload();
  }
}

// double(): widens integers, parses strings.
Value to_double(const Value* a, size_t) {
  const Value& v = a[0];
  switch (v.kind()) {
    case K::Double:
      return v;
    case K::Int:
      return Value::floating(static_cast<double>(v.as_int()));
    case K::Uint:
      return Value::floating(static_cast<double>(v.as_uint()));
    case K::String: {
      double d = 0;
      const std::string& text = v.text();
      const char* begin = text.data();
      if (!text.empty() && text[0] == '+') ++begin;
      auto result = std::from_chars(begin, text.data() + text.size(), d);
      if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size())
        return cannot_convert(v, "double");
      return Value::floating(d);
    }
    default:
      return no_such_overload();
  }
}

// string(): formats scalars and time as cel-go; bytes must be UTF-8.
Value to_string(const Value* a, size_t) {
  const Value& v = a[0];
  switch (v.kind()) {
    case K::String:
      return v;
    case K::Int:
      return Value::string(std::to_string(v.as_int()));
    case K::Uint:
      return Value::string(std::to_string(v.as_uint()));
    case K::Double:
      return Value::string(format_go_double(v.as_double()));
    case K::Bool:
      return Value::string(v.as_bool() ? "true" : "false");
    case K::Bytes:
      if (!valid_utf8(v.text()))
        return Value::error("invalid UTF-8 in bytes, cannot convert to string");
      return Value::string(v.text());
    case K::Timestamp:
      return Value::string(format_timestamp(v.seconds(), v.nanos()));
    case K::Duration:
      return Value::string(format_duration(v.duration_nanos()));
    default:
      return no_such_overload();
  }
}

Value to_bytes(const Value* a, size_t) {
  if (a[0].kind() == K::Bytes) return a[0];
  if (a[0].kind() == K::String) return Value::bytes(a[0].text());
  return no_such_overload();
}

// Accepts Go strconv.ParseBool's spellings.
Value to_bool(const Value* a, size_t) {
  const Value& v = a[0];
  if (v.kind() == K::Bool) return v;
  if (v.kind() != K::String) return no_such_overload();
  static const char* const kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* const kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (const char* word : kTrue)
    if (v.text() == word) return Value::boolean(true);
  for (const char* word : kFalse)
    if (v.text() == word) return Value::boolean(false);
  return cannot_convert(v, "bool");
}

Value to_duration(const Value* a, size_t) {
  const Value& v = a[0];
  if (v.kind() == K::Duration) return v;
  if (v.kind() != K::String) return no_such_overload();
  int64_t nanos = 0;
  if (!parse_duration(v.text(), &nanos)) return cannot_convert(v, "duration");
  return Value::duration(nanos);
}

Value to_timestamp(const Value* a, size_t) {
  const Value& v = a[0];
  if (v.kind() == K::Timestamp) return v;
  if (v.kind() == K::Int) {
    if (v.as_int() < kMinTimestampSeconds || v.as_int() > kMaxTimestampSeconds)
      return Value::error("timestamp overflow");
    return Value::timestamp(v.as_int(), 0);
  }
  if (v.kind() != K::String) return no_such_overload();
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (!parse_timestamp(v.text(), &seconds, &nanos)) return cannot_convert(v, "timestamp");
  return Value::timestamp(seconds, nanos);
}

Value to_dyn(const Value* a, size_t) { return a[0]; }

}  // namespace agentauthz::core::cel
