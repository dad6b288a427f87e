#include "core/cel/time_util.h"

#include <cstdio>

namespace agentauthz::core::cel {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool leap_year(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap_year(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` decimal digits at *at.
bool digits(std::string_view text, size_t* at, int width, int* out) {
  if (*at + width > text.size()) return false;
  int value = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[*at + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *at += width;
  *out = value;
  return true;
}

bool expect(std::string_view text, size_t* at, char c) {
  if (*at >= text.size() || text[*at] != c) return false;
  ++*at;
  return true;
}

// Reads "+hh:mm" or "-hh:mm" at *at into an offset in seconds.
bool offset_at(std::string_view text, size_t* at, int64_t* offset) {
  if (*at >= text.size() || (text[*at] != '+' && text[*at] != '-')) return false;
  int sign = text[*at] == '-' ? -1 : 1;
  ++*at;
  int hours = 0;
  int minutes = 0;
  if (!digits(text, at, 2, &hours) || !expect(text, at, ':') || !digits(text, at, 2, &minutes))
    return false;
  if (hours > 23 || minutes > 59) return false;
  *offset = sign * (int64_t{hours} * 3600 + int64_t{minutes} * 60);
  return true;
}

}  // namespace

// Reads fixed-width fields, an optional fraction and the zone, then range-checks.
bool parse_timestamp(std::string_view text, int64_t* seconds, int32_t* nanos) {
  size_t at = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits(text, &at, 4, &year) || !expect(text, &at, '-') || !digits(text, &at, 2, &month) ||
      !expect(text, &at, '-') || !digits(text, &at, 2, &day) || !expect(text, &at, 'T') ||
      !digits(text, &at, 2, &hour) || !expect(text, &at, ':') || !digits(text, &at, 2, &minute) ||
      !expect(text, &at, ':') || !digits(text, &at, 2, &second))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59)
    return false;
  int32_t fraction = 0;
  if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
    ++at;
    int count = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (count < 9) fraction = fraction * 10 + (text[at] - '0');
      ++count;
      ++at;
    }
    if (count == 0) return false;
    for (int i = count; i < 9; ++i) fraction *= 10;
  }
  int64_t offset = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (!offset_at(text, &at, &offset)) {
    return false;
  }
  if (at != text.size()) return false;
  int64_t result = days_from_civil(year, month, day) * 86400 + int64_t{hour} * 3600 +
                   int64_t{minute} * 60 + second - offset;
  if (result < kMinTimestampSeconds || result > kMaxTimestampSeconds) return false;
  *seconds = result;
  *nanos = fraction;
  return true;
}

// Splits seconds into a day and a time of day, then the day into a civil date.
CivilTime to_civil(int64_t local_seconds) {
  int64_t days = local_seconds / 86400;
  int64_t rest = local_seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  CivilTime civil{};
  civil.hour = static_cast<int>(rest / 3600);
  civil.minute = static_cast<int>(rest / 60 % 60);
  civil.second = static_cast<int>(rest % 60);
  civil.day_of_week = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  const int64_t shifted = days + 719468;
  const int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  const int64_t day_of_era = shifted - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_index = (5 * day_of_year + 2) / 153;
  civil.day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  civil.month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  civil.year = year_of_era + era * 400 + (civil.month <= 2);
  civil.day_of_year = static_cast<int>(days - days_from_civil(civil.year, 1, 1));
  return civil;
}

std::string format_timestamp(int64_t seconds, int32_t nanos) {
  CivilTime civil = to_civil(seconds);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02d",
                static_cast<long long>(civil.year), civil.month, civil.day, civil.hour,
                civil.minute, civil.second);
  std::string text = buffer;
  if (nanos > 0) {
    std::snprintf(buffer, sizeof buffer, ".%09d", nanos);
    std::string fraction = buffer;
    while (fraction.back() == '0') fraction.pop_back();
    text += fraction;
  }
  return text + "Z";
}

namespace {

// Nanoseconds per unit of a Go duration suffix, or 0 if unknown.
uint64_t unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000;
  if (unit == "m") return 60ULL * 1000000000;
  if (unit == "h") return 3600ULL * 1000000000;
  return 0;
}

}  // namespace

// Reads "[-+]?(digits[.digits]unit)+" with Go's overflow rules.
bool parse_duration(std::string_view text, int64_t* nanos) {
  size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) {
    negative = text[at] == '-';
    ++at;
  }
  if (text.substr(at) == "0") {
    *nanos = 0;
    return true;
  }
  if (at == text.size()) return false;
  const uint64_t kLimit = 1ULL << 63;
  uint64_t total = 0;
  while (at < text.size()) {
    uint64_t whole = 0;
    bool any_digit = false;
    bool overflow = false;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (whole > (kLimit - 9) / 10) overflow = true;
      whole = whole * 10 + (text[at] - '0');
      any_digit = true;
      ++at;
    }
    if (overflow) return false;
    uint64_t fraction = 0;
    uint64_t scale = 1;
    if (at < text.size() && text[at] == '.') {
      ++at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
        if (scale < 1000000000000000000ULL) {
          fraction = fraction * 10 + (text[at] - '0');
          scale *= 10;
        }
        any_digit = true;
        ++at;
      }
    }
    if (!any_digit) return false;
    size_t unit_start = at;
    while (at < text.size() && text[at] != '.' && (text[at] < '0' || text[at] > '9')) ++at;
    uint64_t unit = unit_nanos(text.substr(unit_start, at - unit_start));
    if (unit == 0) return false;
    if (whole > kLimit / unit) return false;
    uint64_t value = whole * unit;
    if (fraction > 0) {
      long double part = static_cast<long double>(fraction) * unit / scale;
      value += static_cast<uint64_t>(part);
    }
    if (value > kLimit || total > kLimit - value) return false;
    total += value;
  }
  if (total > kLimit - 1 && !(negative && total == kLimit)) return false;
  *nanos = negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
  return true;
}

std::string format_duration(int64_t nanos) {
  bool negative = nanos < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string text = (negative ? "-" : "") + std::to_string(magnitude / 1000000000);
  uint64_t fraction = magnitude % 1000000000;
  if (fraction > 0) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, ".%09llu", static_cast<unsigned long long>(fraction));
    std::string digits_text = buffer;
    while (digits_text.back() == '0') digits_text.pop_back();
    text += digits_text;
  }
  return text + "s";
}

bool parse_time_zone(std::string_view text, int64_t* offset_seconds) {
  if (text == "UTC" || text == "Z" || text == "Etc/UTC") {
    *offset_seconds = 0;
    return true;
  }
  size_t at = 0;
  return offset_at(text, &at, offset_seconds) && at == text.size();
}

}  // namespace agentauthz::core::cel
