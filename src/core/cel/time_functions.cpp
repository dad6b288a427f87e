// Timestamp and duration arithmetic and the getters (getFullYear() ...),
// with cel-go's range errors.
#include "core/cel/functions.h"
#include "core/cel/time_util.h"

namespace agentauthz::core::cel {

namespace {

using K = ValueKind;
constexpr int64_t kNanosPerSecond = 1000000000;

Value timestamp_overflow() { return Value::error("timestamp overflow"); }

// Moves a timestamp by a duration, keeping it in years 1..9999.
Value shift(const Value& timestamp, int64_t nanos) {
  int64_t seconds = timestamp.seconds() + nanos / kNanosPerSecond;
  int64_t fraction = timestamp.nanos() + nanos % kNanosPerSecond;
  if (fraction < 0) {
    fraction += kNanosPerSecond;
    --seconds;
  } else if (fraction >= kNanosPerSecond) {
    fraction -= kNanosPerSecond;
    ++seconds;
  }
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) return timestamp_overflow();
  return Value::timestamp(seconds, static_cast<int32_t>(fraction));
}

}  // namespace

// Adds a duration to a timestamp or to another duration.
Value add_time(const Value& a, const Value& b) {
  if (a.kind() == K::Timestamp && b.kind() == K::Duration) return shift(a, b.duration_nanos());
  if (a.kind() == K::Duration && b.kind() == K::Timestamp) return shift(b, a.duration_nanos());
  if (a.kind() == K::Duration && b.kind() == K::Duration) {
    int64_t sum;
    if (__builtin_add_overflow(a.duration_nanos(), b.duration_nanos(), &sum))
      return Value::error("integer overflow");
    return Value::duration(sum);
  }
  return no_such_overload();
}

// Subtracts timestamps and durations; differences beyond int64 nanoseconds are errors.
Value subtract_time(const Value& a, const Value& b) {
  if (a.kind() == K::Timestamp && b.kind() == K::Timestamp) {
    int64_t seconds = a.seconds() - b.seconds();  // years 1..9999 cannot overflow here
    int64_t nanos;
    if (__builtin_mul_overflow(seconds, kNanosPerSecond, &nanos) ||
        __builtin_add_overflow(nanos, static_cast<int64_t>(a.nanos() - b.nanos()), &nanos))
      return Value::error("integer overflow");
    return Value::duration(nanos);
  }
  if (a.kind() == K::Timestamp && b.kind() == K::Duration) {
    if (b.duration_nanos() == INT64_MIN) return timestamp_overflow();
    return shift(a, -b.duration_nanos());
  }
  if (a.kind() == K::Duration && b.kind() == K::Duration) {
    int64_t difference;
    if (__builtin_sub_overflow(a.duration_nanos(), b.duration_nanos(), &difference))
      return Value::error("integer overflow");
    return Value::duration(difference);
  }
  return no_such_overload();
}

namespace {

// Calendar fields of a timestamp in the zone named by the optional
// second argument (UTC by default).
bool civil_of(const Value* a, size_t n, CivilTime* civil, Value* error) {
  int64_t offset = 0;
  if (n == 2) {
    if (a[1].kind() != K::String) {
      *error = no_such_overload();
      return false;
    }
    if (!parse_time_zone(a[1].text(), &offset)) {
      *error = Value::error("unknown time zone " + a[1].text());
      return false;
    }
  }
  *civil = to_civil(a[0].seconds() + offset);
  return true;
}

// Applies a calendar getter to a timestamp.
template <typename Field>
Value timestamp_getter(const Value* a, size_t n, Field field) {
  if (a[0].kind() != K::Timestamp) return no_such_overload();
  CivilTime civil;
  Value error;
  if (!civil_of(a, n, &civil, &error)) return error;
  return Value::integer(field(civil));
}

}  // namespace

Value get_full_year(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return c.year; });
}
Value get_month(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.month - 1}; });
}
Value get_date(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.day}; });
}
Value get_day_of_month(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.day - 1}; });
}
Value get_day_of_week(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.day_of_week}; });
}
Value get_day_of_year(const Value* a, size_t n) {
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.day_of_year}; });
}

// Getters shared by timestamps (a calendar field) and durations (the
// whole duration in that unit, as cel-go).
Value get_hours(const Value* a, size_t n) {
  if (a[0].kind() == K::Duration)
    return Value::integer(a[0].duration_nanos() / 3600 / kNanosPerSecond);
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.hour}; });
}
Value get_minutes(const Value* a, size_t n) {
  if (a[0].kind() == K::Duration)
    return Value::integer(a[0].duration_nanos() / 60 / kNanosPerSecond);
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.minute}; });
}
Value get_seconds(const Value* a, size_t n) {
  if (a[0].kind() == K::Duration) return Value::integer(a[0].duration_nanos() / kNanosPerSecond);
  return timestamp_getter(a, n, [](const CivilTime& c) { return int64_t{c.second}; });
}
Value get_milliseconds(const Value* a, size_t n) {
  if (a[0].kind() == K::Duration) return Value::integer(a[0].duration_nanos() / 1000000);
  if (a[0].kind() != K::Timestamp) return no_such_overload();
  CivilTime civil;
  Value error;
  if (!civil_of(a, n, &civil, &error)) return error;
  return Value::integer(a[0].nanos() / 1000000);
}

}  // namespace agentauthz::core::cel
