// Timestamps and durations as cel-go (Go's time package) reads and writes
// them: RFC 3339 timestamps in years 0001..9999, Go duration strings
// ("1h30m", "-1.5s") held as int64 nanoseconds, and the calendar fields the
// timestamp getters return.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentauthz::core::cel {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Reads an RFC 3339 timestamp as Go's time.Parse(time.RFC3339, text)
// does: "2023-05-01T12:00:00Z", optional fraction, "Z" or "+hh:mm".
bool parse_timestamp(std::string_view text, int64_t* seconds, int32_t* nanos);

// Writes a timestamp in UTC as Go's RFC3339Nano (fraction trimmed).
std::string format_timestamp(int64_t seconds, int32_t nanos);

// Reads a Go duration string ("300ms", "-1.5h", "2h45m", "0").
bool parse_duration(std::string_view text, int64_t* nanos);

// Writes a duration as cel-go's string(): seconds with an "s" suffix.
std::string format_duration(int64_t nanos);

// Reads a time zone for the timestamp getters: "UTC", "Z" or a fixed
// offset "+05:30" / "-08:00". Named zones other than UTC are not known.
bool parse_time_zone(std::string_view text, int64_t* offset_seconds);

struct CivilTime {
  int64_t year;
  int month;        // 1..12
  int day;          // 1..31
  int day_of_week;  // 0 = Sunday
  int day_of_year;  // 0-based
  int hour, minute, second;
};

// Splits local seconds since the epoch into calendar fields.
CivilTime to_civil(int64_t local_seconds);

}  // namespace agentauthz::core::cel
