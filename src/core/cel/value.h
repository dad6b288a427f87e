// CEL runtime values: immutable and cheap to copy (scalars inline, strings,
// lists and maps shared). Two kinds never escape an evaluation as a
// result: Error (a message) and Unknown (the parameters it depends on),
// which the evaluator propagates by CEL's rules.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/cel/types.h"

namespace agentauthz::core::cel {

enum class ValueKind {
  Null,
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
  Duration,   // nanoseconds in an int64, as cel-go (Go's time.Duration)
  Timestamp,  // seconds since the Unix epoch and nanoseconds, years 1..9999
  IpAddress,
  List,
  Map,
  Error,
  Unknown,
};

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first four
  bool v4 = false;
  std::string zone;  // IPv6 scope, e.g. "eth0" in fe80::1%eth0

  bool operator==(const IpAddress& other) const {
    return v4 == other.v4 && bytes == other.bytes && zone == other.zone;
  }
};

class Value {
 public:
  using Entry = std::pair<Value, Value>;

  Value() = default;  // null
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value unsigned_integer(uint64_t u);
  static Value floating(double d);
  static Value string(std::string text);  // UTF-8
  static Value bytes(std::string data);
  static Value duration(int64_t nanos);
  static Value timestamp(int64_t seconds, int32_t nanos);
  static Value ip(IpAddress address);
  static Value list(std::vector<Value> items);
  // Keys must be unique (bool, int, uint or string); order is kept.
  static Value map(std::vector<Entry> entries);
  static Value error(std::string message);
  // The parameters an unknown result depends on (kept sorted, unique).
  static Value unknown(std::vector<std::string> names);

  ValueKind kind() const { return kind_; }
  bool is_error() const { return kind_ == ValueKind::Error; }
  bool is_unknown() const { return kind_ == ValueKind::Unknown; }
  bool is_error_or_unknown() const { return is_error() || is_unknown(); }

  bool as_bool() const { return scalar_.b; }
  int64_t as_int() const { return scalar_.i; }
  uint64_t as_uint() const { return scalar_.u; }
  double as_double() const { return scalar_.d; }
  int64_t duration_nanos() const { return scalar_.i; }
  int64_t seconds() const { return scalar_.i; }
  int32_t nanos() const { return nanos_; }
  // String contents, bytes, or an error's message.
  const std::string& text() const;
  const IpAddress& ip_address() const;
  const std::vector<Value>& items() const;
  const std::vector<Entry>& entries() const;
  const std::vector<std::string>& unknown_names() const;

  // The value stored under key, or nullptr; numeric keys match across
  // int, uint and double as CEL's heterogeneous equality says.
  const Value* find(const Value& key) const;

  // CEL's size: code points of a string, bytes, items or entries; 1 for
  // scalars (cel-go's cost model uses the same rule).
  uint64_t size() const;

 private:
  struct Heap;

  ValueKind kind_ = ValueKind::Null;
  int32_t nanos_ = 0;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
  } scalar_{};
  std::shared_ptr<const Heap> heap_;
};

// The name of the value's runtime type, as in cel-go messages.
std::string type_name(const Value& value);

// The static type of a value (lists and maps as list(dyn), map(dyn, dyn)).
Type type_of(const Value& value);

// CEL's heterogeneous equality: numbers compare by value across int, uint
// and double; values of different kinds are unequal.
bool equal(const Value& a, const Value& b);

// CEL's ordering for <, <=, >, >=: -1, 0 or 1 in *order; false when the
// two are not comparable (no such overload). NaN compares as unordered:
// *order is set to 2.
bool compare(const Value& a, const Value& b, int* order);

// A human-readable rendering for messages and tests (CEL-like syntax).
std::string debug_string(const Value& value);

}  // namespace agentauthz::core::cel
