#include "core/cel/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/cel/ipaddress.h"
#include "core/cel/time_util.h"

namespace agentauthz::core::cel {

// What a value shares with its copies: only the member its kind uses is set.
struct Value::Heap {
  std::string text;
  IpAddress ip;
  std::vector<Value> items;
  std::vector<Value::Entry> entries;
  std::vector<std::string> names;
};

namespace {

const std::string kEmptyText;
const IpAddress kNoAddress;
const std::vector<Value> kNoItems;
const std::vector<Value::Entry> kNoEntries;
const std::vector<std::string> kNoNames;

}  // namespace

Value Value::boolean(bool b) {
  Value value;
  value.kind_ = ValueKind::Bool;
  value.scalar_.b = b;
  return value;
}

Value Value::integer(int64_t i) {
  Value value;
  value.kind_ = ValueKind::Int;
  value.scalar_.i = i;
  return value;
}

Value Value::unsigned_integer(uint64_t u) {
  Value value;
  value.kind_ = ValueKind::Uint;
  value.scalar_.u = u;
  return value;
}

Value Value::floating(double d) {
  Value value;
  value.kind_ = ValueKind::Double;
  value.scalar_.d = d;
  return value;
}

Value Value::string(std::string text) {
  Value value;
  value.kind_ = ValueKind::String;
  auto heap = std::make_shared<Heap>();
  heap->text = std::move(text);
  value.heap_ = std::move(heap);
  return value;
}

Value Value::bytes(std::string data) {
  Value value = string(std::move(data));
  value.kind_ = ValueKind::Bytes;
  return value;
}

Value Value::duration(int64_t nanos) {
  Value value;
  value.kind_ = ValueKind::Duration;
  value.scalar_.i = nanos;
  return value;
}

Value Value::timestamp(int64_t seconds, int32_t nanos) {
  Value value;
  value.kind_ = ValueKind::Timestamp;
  value.scalar_.i = seconds;
  value.nanos_ = nanos;
  return value;
}

Value Value::ip(IpAddress address) {
  Value value;
  value.kind_ = ValueKind::IpAddress;
  auto heap = std::make_shared<Heap>();
  heap->ip = std::move(address);
  value.heap_ = std::move(heap);
  return value;
}

Value Value::list(std::vector<Value> items) {
  Value value;
  value.kind_ = ValueKind::List;
  auto heap = std::make_shared<Heap>();
  heap->items = std::move(items);
  value.heap_ = std::move(heap);
  return value;
}

Value Value::map(std::vector<Entry> entries) {
  Value value;
  value.kind_ = ValueKind::Map;
  auto heap = std::make_shared<Heap>();
  heap->entries = std::move(entries);
  value.heap_ = std::move(heap);
  return value;
}

Value Value::error(std::string message) {
  Value value = string(std::move(message));
  value.kind_ = ValueKind::Error;
  return value;
}

Value Value::unknown(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  Value value;
  value.kind_ = ValueKind::Unknown;
  auto heap = std::make_shared<Heap>();
  heap->names = std::move(names);
  value.heap_ = std::move(heap);
  return value;
}

const std::string& Value::text() const { return heap_ ? heap_->text : kEmptyText; }
const IpAddress& Value::ip_address() const { return heap_ ? heap_->ip : kNoAddress; }
const std::vector<Value>& Value::items() const { return heap_ ? heap_->items : kNoItems; }
const std::vector<Value::Entry>& Value::entries() const {
  return heap_ ? heap_->entries : kNoEntries;
}
const std::vector<std::string>& Value::unknown_names() const {
  return heap_ ? heap_->names : kNoNames;
}

const Value* Value::find(const Value& key) const {
  for (const Entry& entry : entries())
    if (equal(entry.first, key)) return &entry.second;
  return nullptr;
}

// Counts code points, bytes, items or entries.
uint64_t Value::size() const {
  switch (kind_) {
    case ValueKind::String: {
      uint64_t points = 0;
      for (unsigned char c : text())
        if ((c & 0xC0) != 0x80) ++points;
      return points;
    }
    case ValueKind::Bytes:
      return text().size();
    case ValueKind::List:
      return items().size();
    case ValueKind::Map:
      return entries().size();
    default:
      return 1;
  }
}

std::string type_name(const Value& value) { return to_string(type_of(value)); }

// Maps a value kind to its static type.
Type type_of(const Value& value) {
  switch (value.kind()) {
    case ValueKind::Null:
      return Type::of(Kind::Null);
    case ValueKind::Bool:
      return Type::of(Kind::Bool);
    case ValueKind::Int:
      return Type::of(Kind::Int);
    case ValueKind::Uint:
      return Type::of(Kind::Uint);
    case ValueKind::Double:
      return Type::of(Kind::Double);
    case ValueKind::String:
      return Type::of(Kind::String);
    case ValueKind::Bytes:
      return Type::of(Kind::Bytes);
    case ValueKind::Duration:
      return Type::of(Kind::Duration);
    case ValueKind::Timestamp:
      return Type::of(Kind::Timestamp);
    case ValueKind::IpAddress:
      return Type::of(Kind::IpAddress);
    case ValueKind::List:
      return Type::list(Type::of(Kind::Dyn));
    case ValueKind::Map:
      return Type::map(Type::of(Kind::Dyn), Type::of(Kind::Dyn));
    default:
      return Type::of(Kind::Dyn);
  }
}

namespace {

bool is_number(const Value& v) {
  return v.kind() == ValueKind::Int || v.kind() == ValueKind::Uint || v.kind() == ValueKind::Double;
}

// Orders two numbers of any numeric kinds exactly (no rounding through
// double for big integers). Returns 2 if either is NaN.
int compare_numbers(const Value& a, const Value& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  ValueKind ka = a.kind();
  ValueKind kb = b.kind();
  if (ka == ValueKind::Double || kb == ValueKind::Double) {
    if (ka == ValueKind::Double && kb == ValueKind::Double) {
      if (std::isnan(a.as_double()) || std::isnan(b.as_double())) return 2;
      return sign(a.as_double(), b.as_double());
    }
    if (kb == ValueKind::Double) {
      int reversed = compare_numbers(b, a);
      return reversed == 2 ? 2 : -reversed;
    }
    // a is double, b is an integer.
    double d = a.as_double();
    if (std::isnan(d)) return 2;
    if (kb == ValueKind::Int) {
      if (d < -9223372036854775808.0) return -1;
      if (d >= 9223372036854775808.0) return 1;
      double whole = std::trunc(d);
      auto i = static_cast<int64_t>(whole);
      if (i != b.as_int()) return sign(i, b.as_int());
      return sign(d, whole);
    }
    if (d < 0) return -1;
    if (d >= 18446744073709551616.0) return 1;
    double whole = std::trunc(d);
    auto u = static_cast<uint64_t>(whole);
    if (u != b.as_uint()) return sign(u, b.as_uint());
    return sign(d, whole);
  }
  if (ka == kb)
    return ka == ValueKind::Int ? sign(a.as_int(), b.as_int()) : sign(a.as_uint(), b.as_uint());
  if (ka == ValueKind::Int) {
    if (a.as_int() < 0) return -1;
    return sign(static_cast<uint64_t>(a.as_int()), b.as_uint());
  }
  return -compare_numbers(b, a);
}

}  // namespace

// Compares values of the same kind (numbers across kinds) for equality.
bool equal(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) return compare_numbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::Null:
      return true;
    case ValueKind::Bool:
      return a.as_bool() == b.as_bool();
    case ValueKind::String:
    case ValueKind::Bytes:
      return a.text() == b.text();
    case ValueKind::Duration:
      return a.duration_nanos() == b.duration_nanos();
    case ValueKind::Timestamp:
      return a.seconds() == b.seconds() && a.nanos() == b.nanos();
    case ValueKind::IpAddress:
      return a.ip_address() == b.ip_address();
    case ValueKind::List: {
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i)
        if (!equal(a.items()[i], b.items()[i])) return false;
      return true;
    }
    case ValueKind::Map: {
      if (a.entries().size() != b.entries().size()) return false;
      for (const Value::Entry& entry : a.entries()) {
        const Value* other = b.find(entry.first);
        if (!other || !equal(entry.second, *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Orders numbers across kinds, and strings, bytes, bools and time of one kind.
bool compare(const Value& a, const Value& b, int* order) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (is_number(a) && is_number(b)) {
    *order = compare_numbers(a, b);
    return true;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::Bool:
      *order = sign(a.as_bool(), b.as_bool());
      return true;
    case ValueKind::String:
    case ValueKind::Bytes: {
      int c = a.text().compare(b.text());  // UTF-8 byte order is code point order
      *order = c < 0 ? -1 : (c > 0 ? 1 : 0);
      return true;
    }
    case ValueKind::Duration:
      *order = sign(a.duration_nanos(), b.duration_nanos());
      return true;
    case ValueKind::Timestamp:
      *order =
          a.seconds() != b.seconds() ? sign(a.seconds(), b.seconds()) : sign(a.nanos(), b.nanos());
      return true;
    default:
      return false;
  }
}

namespace {

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string format_double(double d) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

}  // namespace

// Renders the value in CEL literal syntax where there is one.
std::string debug_string(const Value& value) {
  switch (value.kind()) {
    case ValueKind::Null:
      return "null";
    case ValueKind::Bool:
      return value.as_bool() ? "true" : "false";
    case ValueKind::Int:
      return std::to_string(value.as_int());
    case ValueKind::Uint:
      return std::to_string(value.as_uint()) + "u";
    case ValueKind::Double:
      return format_double(value.as_double());
    case ValueKind::String:
      return quote(value.text());
    case ValueKind::Bytes:
      return "b" + quote(value.text());
    case ValueKind::Duration:
      return "duration(\"" + format_duration(value.duration_nanos()) + "\")";
    case ValueKind::Timestamp:
      return "timestamp(\"" + format_timestamp(value.seconds(), value.nanos()) + "\")";
    case ValueKind::IpAddress:
      return "ipaddress(\"" + format_ip_address(value.ip_address()) + "\")";
    case ValueKind::List: {
      std::string out = "[";
      for (size_t i = 0; i < value.items().size(); ++i)
        out += (i ? ", " : "") + debug_string(value.items()[i]);
      return out + "]";
    }
    case ValueKind::Map: {
      std::string out = "{";
      for (size_t i = 0; i < value.entries().size(); ++i)
        out += (i ? ", " : "") + debug_string(value.entries()[i].first) + ": " +
               debug_string(value.entries()[i].second);
      return out + "}";
    }
    case ValueKind::Error:
      return "error(" + quote(value.text()) + ")";
    case ValueKind::Unknown: {
      std::string out = "unknown(";
      for (size_t i = 0; i < value.unknown_names().size(); ++i)
        out += (i ? ", " : "") + value.unknown_names()[i];
      return out + ")";
    }
  }
  return "?";
}

}  // namespace agentauthz::core::cel
