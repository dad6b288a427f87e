// Unit tests for timestamps and durations: parsing as Go does, arithmetic,
// comparison, range errors and the getters.
#include <gtest/gtest.h>

#include <string>

#include "core/cel/program.h"
#include "core/cel/time_util.h"

namespace agentauthz::core::cel {
namespace {

Outcome run(std::string_view expression) {
  CompileError error;
  auto program = Program::compile(expression, {}, &error);
  if (!program) {
    ADD_FAILURE() << expression << ": " << error.message;
    return Outcome{};
  }
  return program->evaluate(Activation(), 1000000);
}

void expect_true(std::string_view expression) {
  Outcome outcome = run(expression);
  EXPECT_EQ(outcome.result, Result::True) << expression << " error: " << outcome.error;
}

void expect_error(std::string_view expression, const std::string& message) {
  Outcome outcome = run(expression);
  EXPECT_EQ(outcome.result, Result::Error) << expression;
  EXPECT_EQ(outcome.error, message) << expression;
}

TEST(CelTime, ParsesRfc3339LikeGo) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  EXPECT_TRUE(parse_timestamp("1970-01-01T00:00:00Z", &seconds, &nanos));
  EXPECT_EQ(seconds, 0);
  EXPECT_TRUE(parse_timestamp("2023-05-01T12:30:15.25+02:00", &seconds, &nanos));
  EXPECT_EQ(seconds, 1682937015);
  EXPECT_EQ(nanos, 250000000);
  EXPECT_TRUE(parse_timestamp("0001-01-01T00:00:00Z", &seconds, &nanos));
  EXPECT_EQ(seconds, kMinTimestampSeconds);
  EXPECT_TRUE(parse_timestamp("9999-12-31T23:59:59.999999999Z", &seconds, &nanos));
  EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z", &seconds, &nanos));
  for (const char* bad : {"2023-02-29T00:00:00Z", "2023-05-01 12:00:00Z", "2023-05-01T12:00:00",
                          "2023-5-01T12:00:00Z", "2023-05-01T24:00:00Z", "2023-05-01T12:00:60Z",
                          "2023-05-01T12:00:00.Z", "2023-05-01t12:00:00Z", "2023-05-01T12:00:00z",
                          "0001-01-01T00:00:00+01:00", "2023-05-01T12:00:00+0200", ""})
    EXPECT_FALSE(parse_timestamp(bad, &seconds, &nanos)) << bad;
}

TEST(CelTime, ParsesGoDurations) {
  int64_t nanos = 0;
  EXPECT_TRUE(parse_duration("1h30m", &nanos));
  EXPECT_EQ(nanos, 5400LL * 1000000000);
  EXPECT_TRUE(parse_duration("-1.5s", &nanos));
  EXPECT_EQ(nanos, -1500000000);
  EXPECT_TRUE(parse_duration("300ms", &nanos));
  EXPECT_EQ(nanos, 300000000);
  EXPECT_TRUE(parse_duration("1us", &nanos));
  EXPECT_EQ(nanos, 1000);
  EXPECT_TRUE(parse_duration("1\xC2\xB5s", &nanos));
  EXPECT_TRUE(parse_duration("0", &nanos));
  EXPECT_EQ(nanos, 0);
  EXPECT_TRUE(parse_duration(".5h", &nanos));
  EXPECT_EQ(nanos, 1800LL * 1000000000);
  EXPECT_TRUE(parse_duration("2562047h47m16.854775807s", &nanos));
  EXPECT_EQ(nanos, INT64_MAX);
  EXPECT_TRUE(parse_duration("-2562047h47m16.854775808s", &nanos));
  EXPECT_EQ(nanos, INT64_MIN);
  for (const char* bad : {"", "1", "h", "1d", "1.h.", "2562048h", "1h 30m", "+", "-", "1e3s"})
    EXPECT_FALSE(parse_duration(bad, &nanos)) << bad;
}

TEST(CelTime, FormatsLikeCelGo) {
  EXPECT_EQ(format_timestamp(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(1682937015, 250000000), "2023-05-01T10:30:15.25Z");
  EXPECT_EQ(format_duration(5400LL * 1000000000), "5400s");
  EXPECT_EQ(format_duration(-1500000000), "-1.5s");
  expect_true("string(timestamp('2023-05-01T12:30:15+02:00')) == '2023-05-01T10:30:15Z'");
  expect_true("string(duration('1m1ms')) == '60.001s'");
}

TEST(CelTime, Arithmetic) {
  expect_true(
      "timestamp('2023-01-01T00:00:00Z') + duration('24h') == "
      "timestamp('2023-01-02T00:00:00Z')");
  expect_true(
      "duration('1h') + timestamp('2023-01-01T00:00:00Z') == "
      "timestamp('2023-01-01T01:00:00Z')");
  expect_true(
      "timestamp('2023-01-02T00:00:00Z') - timestamp('2023-01-01T00:00:00Z') == "
      "duration('24h')");
  expect_true(
      "timestamp('2023-01-01T00:00:00Z') - duration('1ns') == "
      "timestamp('2022-12-31T23:59:59.999999999Z')");
  expect_true("duration('1h') - duration('30m') == duration('30m')");
  expect_true("duration('1h') + duration('30m') == duration('90m')");
  expect_true(
      "timestamp(0) == timestamp('1970-01-01T00:00:00Z') && "
      "int(timestamp('1970-01-01T00:01:00Z')) == 60");
  expect_error("timestamp('9999-12-31T23:59:59Z') + duration('1s') > timestamp(0)",
               "timestamp overflow");
  expect_error("timestamp('0001-01-01T00:00:00Z') - duration('1ns') > timestamp(0)",
               "timestamp overflow");
  expect_error(
      "timestamp('9999-12-31T23:59:59Z') - timestamp('0001-01-01T00:00:00Z') > "
      "duration('0')",
      "integer overflow");
  expect_error("duration('2562047h') + duration('2562047h') > duration('0')", "integer overflow");
  expect_error("timestamp('yesterday') > timestamp(0)",
               "cannot convert \"yesterday\" to timestamp");
  expect_error("duration('1d') > duration('0')", "cannot convert \"1d\" to duration");
}

TEST(CelTime, Comparison) {
  expect_true("timestamp('2023-01-01T00:00:00Z') < timestamp('2023-01-01T00:00:00.000000001Z')");
  expect_true("timestamp('2023-01-01T02:00:00+02:00') == timestamp('2023-01-01T00:00:00Z')");
  expect_true("duration('-1s') < duration('0') && duration('1m') >= duration('60s')");
}

TEST(CelTime, Getters) {
  // 2023-03-05T14:07:09.123Z was a Sunday, day 63 of its year.
  const std::string t = "timestamp('2023-03-05T14:07:09.123Z')";
  expect_true(t + ".getFullYear() == 2023 && " + t + ".getMonth() == 2 && " + t +
              ".getDate() == 5 && " + t + ".getDayOfMonth() == 4");
  expect_true(t + ".getDayOfWeek() == 0 && " + t + ".getDayOfYear() == 63");
  expect_true(t + ".getHours() == 14 && " + t + ".getMinutes() == 7 && " + t +
              ".getSeconds() == 9 && " + t + ".getMilliseconds() == 123");
  expect_true(t + ".getHours('+05:30') == 19 && " + t + ".getMinutes('+05:30') == 37");
  expect_true(t + ".getDate('-15:00') == 4 && " + t + ".getHours('UTC') == 14");
  expect_true(
      "timestamp('1969-12-31T23:59:59Z').getFullYear() == 1969 && "
      "timestamp('1969-12-31T23:59:59Z').getDayOfWeek() == 3");
  expect_true(
      "duration('90m').getHours() == 1 && duration('90m').getMinutes() == 90 && "
      "duration('1.5s').getSeconds() == 1 && duration('1.5s').getMilliseconds() == 1500");
  expect_error(t + ".getHours('Europe/Paris') == 0", "unknown time zone Europe/Paris");
}

TEST(CelTime, CivilConversionRoundTrips) {
  for (int64_t seconds = kMinTimestampSeconds; seconds < kMaxTimestampSeconds;
       seconds += 86400 * 997 + 3601) {
    std::string text = format_timestamp(seconds, 0);
    int64_t parsed = 0;
    int32_t nanos = 0;
    ASSERT_TRUE(parse_timestamp(text, &parsed, &nanos)) << text;
    ASSERT_EQ(parsed, seconds) << text;
  }
}

}  // namespace
}  // namespace agentauthz::core::cel
