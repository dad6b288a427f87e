// Unit tests for compiling CEL expressions: OpenFGA's parameter type
// names, syntax errors with positions, type errors with cel-go's wording,
// and the bounds that keep hostile expressions cheap.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cel/program.h"
#include "core/error.h"

namespace agentauthz::core::cel {
namespace {

// Compiles and returns the error (message empty when it compiled).
CompileError compile_error(std::string_view expression, std::vector<Parameter> params = {}) {
  CompileError error;
  auto program = Program::compile(expression, std::move(params), &error);
  if (program) return CompileError{"", 0, 0};
  EXPECT_FALSE(error.message.empty());
  return error;
}

void expect_compiles(std::string_view expression, std::vector<Parameter> params = {}) {
  CompileError error = compile_error(expression, std::move(params));
  EXPECT_EQ(error.message, "") << expression;
}

void expect_error(std::string_view expression, const std::string& message, int line, int column,
                  std::vector<Parameter> params = {}) {
  CompileError error = compile_error(expression, std::move(params));
  EXPECT_EQ(error.message, message) << expression;
  EXPECT_EQ(error.line, line) << expression;
  EXPECT_EQ(error.column, column) << expression;
}

TEST(CelTypes, ParsesOpenFgaTypeNames) {
  EXPECT_EQ(to_string(parse_type("int")), "int");
  EXPECT_EQ(to_string(parse_type("timestamp")), "google.protobuf.Timestamp");
  EXPECT_EQ(to_string(parse_type("duration")), "google.protobuf.Duration");
  EXPECT_EQ(to_string(parse_type("ipaddress")), "IPAddress");
  EXPECT_EQ(to_string(parse_type("any")), "google.protobuf.Any");
  EXPECT_EQ(to_string(parse_type("list<string>")), "list(string)");
  EXPECT_EQ(to_string(parse_type("map<int>")), "map(string, int)");
  EXPECT_EQ(to_string(parse_type("list<map<int>>")), "list(map(string, int))");
  EXPECT_EQ(to_openfga_string(parse_type("list<map<ipaddress>>")), "list<map<ipaddress>>");
}

TEST(CelTypes, RejectsBadTypeNames) {
  auto message = [](std::string_view name) {
    try {
      parse_type(name);
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::InvalidModel);
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("float"),
            "invalid condition parameter type 'float': unknown condition parameter type 'float'");
  EXPECT_EQ(message("list"),
            "invalid condition parameter type 'list': type 'list' requires 1 generic type, e.g. "
            "list<string>");
  EXPECT_EQ(message("map<int"),
            "invalid condition parameter type 'map<int': expected '>' at offset 7");
  EXPECT_EQ(message("int<string>"),
            "invalid condition parameter type 'int<string>': type 'int' takes no generic type");
  EXPECT_EQ(message("list<int> "),
            "invalid condition parameter type 'list<int> ': unexpected text at offset 9");
  EXPECT_EQ(message(""), "invalid condition parameter type '': expected a type name at offset 0");
  EXPECT_NE(message("list<list<list<list<list<list<list<list<list<int>>>>>>>>>"), "no error");
}

TEST(CelCompile, AcceptsTheGrammar) {
  std::vector<Parameter> params = {{"m", parse_type("map<any>")}, {"s", parse_type("string")}};
  expect_compiles("m.a.b.c == 1 && m['x'][0] == 2", params);
  expect_compiles("s.startsWith('a') ? s.size() > 1 : size(s) == 0", params);
  expect_compiles("has(m.a) && !has(m.b.c)", params);
  expect_compiles("// a comment\n s == 'a' // another\n", params);
  expect_compiles("{'a': [1, 2], 'b': []}.size() == 2");
  expect_compiles(".s == 'a'", params);
  expect_compiles("[1, 2].map(x, x * 2).filter(y, y > 2).size() == 1");
}

TEST(CelCompile, SyntaxErrorsCarryPositions) {
  expect_error("1 +", "Syntax error: unexpected end of expression", 1, 4);
  expect_error("(1 == 1", "Syntax error: expected ')', found end of expression", 1, 8);
  expect_error("true &&\n  @", "Syntax error: token recognition error at: '@'", 2, 3);
  expect_error("'abc", "Syntax error: unterminated string literal", 1, 1);
  expect_error("'a\nb' == 'a'", "Syntax error: newline in a quoted string literal", 1, 1);
  expect_error("'\\q' == ''", "Syntax error: invalid escape sequence", 1, 1);
  expect_error("b'\\u00e9' == b''",
               "Syntax error: unicode escapes are not allowed in bytes literals", 1, 1);
  expect_error("9223372036854775808 > 0", "Syntax error: invalid int literal", 1, 1);
  expect_error("18446744073709551616u > 0u", "Syntax error: invalid uint literal", 1, 1);
  expect_error("if == 1", "Syntax error: reserved identifier: if", 1, 1);
  expect_error("[1].all(1, true)", "argument must be a simple name", 1, 9);
  expect_error("has(1)", "invalid argument to has() macro", 1, 5);
  expect_error("Msg{a: 1}", "Syntax error: message construction is not supported", 1, 4);
  expect_error("é == 1", "Syntax error: token recognition error at: 'non-ASCII'", 1, 1);
}

TEST(CelCompile, TypeErrorsUseCelGoWording) {
  std::vector<Parameter> params = {{"x", parse_type("int")},
                                   {"s", parse_type("string")},
                                   {"t", parse_type("timestamp")},
                                   {"ip", parse_type("ipaddress")}};
  expect_error("y == 1", "undeclared reference to 'y' (in container '')", 1, 1, params);
  expect_error("x == 1.0", "found no matching overload for '_==_' applied to '(int, double)'", 1, 3,
               params);
  expect_error("x + 1u > 0", "found no matching overload for '_+_' applied to '(int, uint)'", 1, 3,
               params);
  expect_error("s.contains(1)",
               "found no matching overload for 'contains' applied to 'string.(int)'", 1, 11,
               params);
  expect_error("ipaddress(true).in_cidr('10.0.0.0/8')",
               "found no matching overload for 'ipaddress' applied to '(bool)'", 1, 10, params);
  expect_error("t + 1 > t",
               "found no matching overload for '_+_' applied to '(google.protobuf.Timestamp, int)'",
               1, 3, params);
  expect_error("ip < ip",
               "found no matching overload for '_<_' applied to '(IPAddress, IPAddress)'", 1, 4,
               params);
  expect_error("foo(1)", "undeclared reference to 'foo' (in container '')", 1, 4);
  expect_error("x.f == 1", "type 'int' does not support field selection", 1, 2, params);
  expect_error("x", "expected a bool condition expression output, but got 'int'", 1, 1, params);
  expect_error("s", "expected a bool condition expression output, but got 'string'", 1, 1, params);
  expect_error("1 ? true : false",
               "found no matching overload for '_?_:_' applied to '(int, bool, bool)'", 1, 3);
  expect_error("x.all(y, true)",
               "expression of type 'int' cannot be range of a comprehension (must be list, map, "
               "or dynamic)",
               1, 1, params);
  expect_error("[1].all(y, y)", "found no matching overload for '_&&_' applied to '(bool, int)'", 1,
               12);
  expect_error("[1].map(y, y)", "expected a bool condition expression output, but got 'list(int)'",
               1, 1);
}

TEST(CelCompile, DynamicValuesCheckAtEvaluation) {
  std::vector<Parameter> params = {{"a", parse_type("any")}, {"m", parse_type("map<any>")}};
  expect_compiles("a == 1 && a + 1 > 2 && a.b.c == 'x' && a[0] == 1", params);
  expect_compiles("m.x > 1.5 && m.y.startsWith('a')", params);
  expect_error("m.x", "expected a bool condition expression output, but got 'google.protobuf.Any'",
               1, 1, params);
  expect_error("dyn(true)", "expected a bool condition expression output, but got 'dyn'", 1, 1);
}

TEST(CelCompile, ParameterBookkeeping) {
  std::vector<Parameter> params = {
      {"b", parse_type("int")}, {"a", parse_type("int")}, {"unused", parse_type("int")}};
  auto program = Program::compile("b > a && [1].all(a, a > 0) && b < 10", params, nullptr);
  ASSERT_TRUE(program);
  EXPECT_EQ(program->referenced_parameters(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(program->parameters().size(), 3u);
  CompileError error;
  EXPECT_FALSE(
      Program::compile("x > 1", {{"x", parse_type("int")}, {"x", parse_type("int")}}, &error));
  EXPECT_EQ(error.message, "parameter 'x' is declared twice");
}

TEST(CelCompile, BoundsHostileInput) {
  std::string deep(5000, '(');
  deep += "true";
  deep += std::string(5000, ')');
  EXPECT_NE(compile_error(deep).message.find("nested too deeply"), std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  EXPECT_NE(compile_error(chain + " > 0").message.find("nested too deeply"), std::string::npos);
  std::string nots(5000, '!');
  EXPECT_NE(compile_error(nots + "true").message.find("nested too deeply"), std::string::npos);
  std::string members = "{'a': 1}";
  for (int i = 0; i < 5000; ++i) members += ".a";
  EXPECT_NE(compile_error(members + " == 1").message.find("nested too deeply"), std::string::npos);
  std::string huge(kMaxExpressionBytes + 1, ' ');
  EXPECT_EQ(compile_error(huge).message, "expression is longer than 100000 bytes");
  EXPECT_EQ(compile_error("'\xff' == ''").message, "invalid UTF-8 in the expression");
  std::string nested = "true";
  for (int i = 0; i < 10; ++i) nested = "[1].all(x" + std::to_string(i) + ", " + nested + ")";
  EXPECT_EQ(compile_error(nested).message, "comprehensions nested too deeply (over 8)");
  // 32 of each repetition (cel-spec's minimum) must work.
  std::string terms = "true";
  for (int i = 0; i < 32; ++i) terms += " && true";
  expect_compiles(terms);
}

}  // namespace
}  // namespace agentauthz::core::cel
