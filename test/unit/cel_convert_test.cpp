// Unit tests for converting JSON context values to declared parameter
// types, with the messages of OpenFGA's converters.go.
#include <gtest/gtest.h>

#include <string>

#include "core/cel/convert.h"
#include "core/json/json_parse.h"

namespace agentauthz::core::cel {
namespace {

// Converts JSON text to the named type; returns the error ("" if none).
std::string error_of(std::string_view json_text, std::string_view type, Value* out = nullptr) {
  json::Value json;
  std::string why;
  EXPECT_TRUE(json::parse(json_text, &json, &why)) << why;
  std::string error;
  Value value = convert(json, parse_type(type), &error);
  if (out) *out = value;
  return error;
}

Value converted(std::string_view json_text, std::string_view type) {
  Value value;
  EXPECT_EQ(error_of(json_text, type, &value), "") << json_text << " as " << type;
  return value;
}

TEST(CelConvert, Primitives) {
  EXPECT_EQ(converted("true", "bool").as_bool(), true);
  EXPECT_EQ(converted("\"hi\"", "string").text(), "hi");
  EXPECT_EQ(error_of("true", "string"), "expected type value 'string', but found 'bool'");
  EXPECT_EQ(error_of("1", "bool"), "expected type value 'bool', but found 'float64'");
  EXPECT_EQ(error_of("null", "string"), "expected type value 'string', but found '%!s(<nil>)'");
  EXPECT_EQ(error_of("[]", "string"), "expected type value 'string', but found '[]interface {}'");
}

TEST(CelConvert, IntegersConvertExactly) {
  EXPECT_EQ(converted("42", "int").as_int(), 42);
  EXPECT_EQ(converted("-9223372036854775808", "int").as_int(), INT64_MIN);
  EXPECT_EQ(converted("9223372036854775807", "int").as_int(), INT64_MAX);
  EXPECT_EQ(converted("9007199254740993", "int").as_int(), 9007199254740993);
  EXPECT_EQ(converted("18446744073709551615", "uint").as_uint(), UINT64_MAX);
  EXPECT_EQ(converted("1e3", "int").as_int(), 1000);
  EXPECT_EQ(converted("2.0", "int").as_int(), 2);
  EXPECT_EQ(converted("\"12\"", "int").as_int(), 12);  // OpenFGA accepts numeric strings
  EXPECT_EQ(converted("-0", "uint").as_uint(), 0u);
  EXPECT_EQ(error_of("1.5", "int"), "expected an int value, but found numeric value '1.5'");
  EXPECT_EQ(error_of("1.5", "uint"), "expected a uint value, but found numeric value '1.5'");
  EXPECT_EQ(error_of("-1", "uint"), "expected a uint value, but found int64 value '-1'");
  EXPECT_EQ(error_of("9223372036854775808", "int"),
            "expected an int value, but found out-of-range numeric value '9223372036854775808'");
  EXPECT_EQ(error_of("1e30", "uint"),
            "expected a uint value, but found out-of-range numeric value '1e30'");
  EXPECT_EQ(error_of("\"abc\"", "int"),
            "expected a int64 value, but found invalid string value 'abc'");
  EXPECT_EQ(error_of("true", "uint"), "expected type value 'uint64', but found 'bool'");
}

TEST(CelConvert, Doubles) {
  EXPECT_EQ(converted("2.5", "double").as_double(), 2.5);
  EXPECT_EQ(converted("3", "double").as_double(), 3.0);
  EXPECT_EQ(converted("\"1e-3\"", "double").as_double(), 0.001);
  EXPECT_EQ(error_of("\"x\"", "double"),
            "expected a float64 value, but found invalid string value 'x'");
  EXPECT_EQ(error_of("1e999", "double"),
            "expected a double value, but found out-of-range numeric value '1e999'");
}

TEST(CelConvert, TimeAndAddresses) {
  EXPECT_EQ(converted("\"1h30m\"", "duration").duration_nanos(), 5400LL * 1000000000);
  EXPECT_EQ(converted("\"2023-01-01T00:00:00Z\"", "timestamp").seconds(), 1672531200);
  EXPECT_EQ(converted("\"10.0.0.1\"", "ipaddress").kind(), ValueKind::IpAddress);
  EXPECT_EQ(error_of("3600", "duration"), "expected a duration string, but found: float64 '3600'");
  EXPECT_EQ(error_of("\"1d\"", "duration"), "expected a valid duration string, but found: '1d'");
  EXPECT_EQ(error_of("0", "timestamp"),
            "expected RFC 3339 formatted timestamp string, but found: float64 '0'");
  EXPECT_EQ(error_of("\"2023-01-01\"", "timestamp"),
            "expected RFC 3339 formatted timestamp string, but found '2023-01-01'");
  EXPECT_EQ(error_of("null", "ipaddress"),
            "expected an ipaddress string, but found: <nil> '<nil>'");
  EXPECT_EQ(error_of("\"10.0.0\"", "ipaddress"),
            "expected a well-formed IP address, but found: '10.0.0'");
}

TEST(CelConvert, ListsAndMaps) {
  Value list = converted("[1, 2, 3]", "list<int>");
  ASSERT_EQ(list.items().size(), 3u);
  EXPECT_EQ(list.items()[2].as_int(), 3);
  Value map = converted(R"({"a": ["x"], "b": []})", "map<list<string>>");
  ASSERT_EQ(map.entries().size(), 2u);
  EXPECT_EQ(map.find(Value::string("a"))->items()[0].text(), "x");
  EXPECT_EQ(error_of("{}", "list<int>"), "list requires a list, found: map[string]interface {}");
  EXPECT_EQ(error_of("[]", "map<int>"), "map requires a map, found: []interface {}");
  EXPECT_EQ(error_of("[1, \"x\"]", "list<int>"),
            "found an invalid list item at index `1`: expected a int64 value, but found invalid "
            "string value 'x'");
  EXPECT_EQ(error_of(R"({"k": true})", "map<string>"),
            "found an invalid value for key `k`: expected type value 'string', but found 'bool'");
}

TEST(CelConvert, AnyKeepsJsonShapes) {
  Value value = converted(R"({"n": 1, "l": [true, null], "s": "x"})", "any");
  ASSERT_EQ(value.kind(), ValueKind::Map);
  EXPECT_EQ(value.find(Value::string("n"))->kind(), ValueKind::Double);  // structpb numbers
  EXPECT_EQ(value.find(Value::string("l"))->items()[1].kind(), ValueKind::Null);
  EXPECT_EQ(value.find(Value::string("s"))->text(), "x");
}

TEST(CelConvert, BindContext) {
  std::vector<Parameter> params = {{"x", parse_type("int")}, {"y", parse_type("string")}};
  json::Value context;
  ASSERT_TRUE(json::parse(R"({"x": 1, "other": "ignored"})", &context, nullptr));
  Activation activation;
  std::string error;
  ASSERT_TRUE(bind_context(context, params, &activation, &error)) << error;
  ASSERT_TRUE(activation.find("x"));
  EXPECT_EQ(activation.find("x")->as_int(), 1);
  EXPECT_FALSE(activation.find("y"));
  EXPECT_FALSE(activation.find("other"));

  ASSERT_TRUE(json::parse(R"({"y": 2})", &context, nullptr));
  EXPECT_FALSE(bind_context(context, params, &activation, &error));
  EXPECT_EQ(error,
            "failed to convert context parameter 'y': expected type value 'string', but found "
            "'float64'");
  ASSERT_TRUE(json::parse(R"({"y": "a"})", &context, nullptr));
  EXPECT_FALSE(bind_context(context, {}, &activation, &error));
  EXPECT_EQ(error, "no parameters defined for the condition");
  ASSERT_TRUE(json::parse("{}", &context, nullptr));
  EXPECT_TRUE(bind_context(context, {}, &activation, &error));
}

}  // namespace
}  // namespace agentauthz::core::cel
