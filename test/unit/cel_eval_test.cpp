// Unit tests for evaluating CEL expressions: operators of every type,
// runtime errors (overflow, division by zero, missing keys), macros, and
// the absorption of errors and unknowns by &&, || and ?:.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/cel/convert.h"
#include "core/cel/program.h"
#include "core/json/json_parse.h"

namespace agentauthz::core::cel {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Compiles expression over params (name, OpenFGA type) and evaluates it
// with the JSON context.
Outcome run(std::string_view expression, const Params& params = {}, std::string_view context = "{}",
            uint64_t limit = kDefaultCostLimit) {
  std::vector<Parameter> declared;
  for (const auto& [name, type] : params) declared.push_back({name, parse_type(type)});
  CompileError error;
  auto program = Program::compile(expression, declared, &error);
  if (!program) {
    ADD_FAILURE() << expression << ": " << error.message;
    return Outcome{};
  }
  json::Value json;
  std::string why;
  EXPECT_TRUE(json::parse(context, &json, &why)) << why;
  Activation activation;
  EXPECT_TRUE(bind_context(json, declared, &activation, &why)) << why;
  return program->evaluate(activation, limit);
}

// Expects expression (without parameters) to evaluate to true.
void expect_true(std::string_view expression) {
  Outcome outcome = run(expression);
  EXPECT_EQ(outcome.result, Result::True) << expression << " error: " << outcome.error;
}

void expect_false(std::string_view expression) {
  Outcome outcome = run(expression);
  EXPECT_EQ(outcome.result, Result::False) << expression << " error: " << outcome.error;
}

void expect_error(std::string_view expression, const std::string& message) {
  Outcome outcome = run(expression);
  EXPECT_EQ(outcome.result, Result::Error) << expression;
  EXPECT_EQ(outcome.error, message) << expression;
}

TEST(CelEval, IntArithmetic) {
  expect_true("1 + 2 * 3 == 7");
  expect_true("(1 + 2) * 3 == 9");
  expect_true("7 / 2 == 3 && -7 / 2 == -3");
  expect_true("7 % 3 == 1 && -7 % 3 == -1");
  expect_true("-(-5) == 5");
  expect_true("-9223372036854775808 < 0");
  expect_true("0x10 == 16");
  expect_true("10 - 20 == -10");
}

TEST(CelEval, IntOverflowAndDivisionErrors) {
  expect_error("9223372036854775807 + 1 > 0", "integer overflow");
  expect_error("-9223372036854775808 - 1 < 0", "integer overflow");
  expect_error("4611686018427387904 * 2 > 0", "integer overflow");
  expect_error("-9223372036854775808 / -1 > 0", "integer overflow");
  expect_error("-9223372036854775808 % -1 > 0", "integer overflow");
  expect_error("1 / 0 == 1", "division by zero");
  expect_error("1 % 0 == 1", "modulus by zero");
}

TEST(CelEval, UintArithmetic) {
  expect_true("1u + 2u == 3u");
  expect_true("18446744073709551615u > 0u");
  expect_true("7u / 2u == 3u && 7u % 2u == 1u");
  expect_error("18446744073709551615u + 1u > 0u", "unsigned integer overflow");
  expect_error("0u - 1u > 0u", "unsigned integer overflow");
  expect_error("1u / 0u == 0u", "division by zero");
}

TEST(CelEval, DoubleArithmetic) {
  expect_true("1.5 + 2.25 == 3.75");
  expect_true("1.0 / 0.0 > 1e308");  // IEEE: no error
  expect_true("-1.0 / 0.0 < -1e308");
  expect_true("0.1 * 3.0 != 0.3");
  expect_true(".5 == 0.5 && 1e3 == 1000.0");
  expect_false("(0.0 / 0.0) == (0.0 / 0.0)");  // NaN
  expect_false("(0.0 / 0.0) < 1.0");
}

TEST(CelEval, StringsAndBytes) {
  expect_true("'ab' + 'cd' == 'abcd'");
  expect_true("'abc'.contains('b') && 'abc'.startsWith('ab') && 'abc'.endsWith('bc')");
  expect_false("'abc'.startsWith('abcd')");
  expect_true("size('héllo') == 5 && 'héllo'.size() == 5");
  expect_true("size(b'h\\xc3\\xa9') == 3");
  expect_true("'a' < 'b' && 'B' < 'a' && 'abc' > 'ab'");
  expect_true("b'abc' == bytes('abc')");
  expect_true("\"\\u00e9\" == 'é' && '\\x41' == 'A' && '\\101' == 'A'");
  expect_true("r'\\n' == '\\\\n'");
  expect_true("'''a\nb''' == 'a\\nb'");
  expect_true("\"it's\" == 'it\\'s'");
}

TEST(CelEval, Comparisons) {
  expect_true("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2");
  expect_true("false < true");
  expect_true("1u < 2u && 1.5 > 1.25");
  // Across numeric types only through dyn (cel-go's checker needs equal types).
  expect_true("dyn(1) == 1.0 && dyn(1u) == 1 && dyn(2) > 1.5 && dyn(1.5) < 2u");
  expect_true("dyn(-1) < 18446744073709551615u");
  expect_true("dyn(9007199254740993) != 9007199254740992.0");
  expect_false("dyn('a') == 1");
}

TEST(CelEval, Lists) {
  expect_true("[1, 2] + [3] == [1, 2, 3]");
  expect_true("size([1, 2, 3]) == 3 && [1, 2, 3].size() == 3");
  expect_true("2 in [1, 2, 3] && !(4 in [1, 2, 3])");
  expect_true("[1, 2, 3][1] == 2");
  expect_error("[1, 2, 3][3] == 0", "index out of range: 3");
  expect_error("[1, 2, 3][-1] == 0", "index out of range: -1");
  expect_true("[[1], [2, 3]][1][0] == 2");
  expect_true("[] == [] && [1, 'a'] == [1, 'a']");
  expect_true("[1, 2,] == [1, 2]");
}

TEST(CelEval, Maps) {
  expect_true("{'a': 1, 'b': 2}['b'] == 2");
  expect_true("{'a': 1}.a == 1");
  expect_true("'a' in {'a': 1} && !('z' in {'a': 1})");
  expect_true("size({'a': 1, 'b': 2}) == 2");
  expect_true("{1: 'x', 2u: 'y', true: 'z'}[1] == 'x'");
  expect_true("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}");
  expect_true("has({'a': 1}.a) && !has({'a': 1}.b)");
  expect_error("{'a': 1}['b'] == 1", "no such key: \"b\"");
  expect_error("{'a': 1}.b == 1", "no such key: b");
  expect_error("{'a': 1, 'a': 2}.a == 1", "repeated key in map literal: \"a\"");
}

TEST(CelEval, TernaryAndLogic) {
  expect_true("(1 < 2 ? 'yes' : 'no') == 'yes'");
  expect_true("true ? true : false ? false : false");
  expect_true("!false && !!true");
  expect_true("false || true");
  expect_false("true && false");
}

TEST(CelEval, ErrorAbsorption) {
  // cel-spec: && and || are commutative and absorb errors when the other
  // side decides the result.
  expect_false("1 / 0 == 1 && false");
  expect_false("false && 1 / 0 == 1");
  expect_true("1 / 0 == 1 || true");
  expect_true("true || 1 / 0 == 1");
  expect_error("1 / 0 == 1 && true", "division by zero");
  expect_error("true || false ? 1 / 0 == 1 : true", "division by zero");
  expect_true("false ? 1 / 0 == 1 : true");
  expect_error("[1][5] == 1 || 1 / 0 == 1", "index out of range: 5");
}

TEST(CelEval, Macros) {
  expect_true("[1, 2, 3].all(x, x > 0)");
  expect_false("[1, 2, 3].all(x, x > 1)");
  expect_true("[1, 2, 3].exists(x, x == 2)");
  expect_false("[].exists(x, x == 2)");
  expect_true("[1, 2, 3].exists_one(x, x > 2)");
  expect_false("[1, 2, 3].exists_one(x, x > 1)");
  expect_true("[1, 2, 3].map(x, x * 2) == [2, 4, 6]");
  expect_true("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]");
  expect_true("[1, 2, 3].filter(x, x != 2) == [1, 3]");
  expect_true("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])");
  expect_true("[[1, 2], [3]].all(l, l.all(x, x > 0))");
  expect_true("[1, 2].exists(x, [3, 4].exists(y, x + y == 6))");
  // all() absorbs an error when another element is false, as &&.
  expect_false("[0, 1].all(x, 1 / x == 1 && false)");
  expect_false("[1, 0].all(x, x == 0 && 1 / x > 5)");
  expect_error("[0].all(x, 1 / x == 1)", "division by zero");
  expect_true("[0, 1].exists(x, 1 / x == 1)");
}

TEST(CelEval, Conversions) {
  expect_true("int('42') == 42 && int(3.9) == 3 && int(-3.9) == -3 && int(7u) == 7");
  expect_true("uint(42) == 42u && uint('7') == 7u && uint(2.5) == 2u");
  expect_true("double(1) == 1.0 && double('2.5') == 2.5 && double(3u) == 3.0");
  expect_true("string(42) == '42' && string(1u) == '1' && string(true) == 'true'");
  expect_true("string(1.5) == '1.5' && string(1000000.0) == '1e+06' && string(0.0001) == '0.0001'");
  expect_true("string(b'abc') == 'abc' && bytes('abc') == b'abc'");
  expect_true("bool('true') && !bool('f')");
  expect_error("int('abc') == 0", "cannot convert \"abc\" to int");
  expect_error("int(1e19) == 0", "integer overflow");
  expect_error("uint(-1) == 0u", "unsigned integer overflow");
  expect_error("int(18446744073709551615u) == 0", "integer overflow");
  expect_error("bool('yes')", "cannot convert \"yes\" to bool");
}

TEST(CelEval, Parameters) {
  Params params = {{"s", "string"}, {"i", "int"},       {"u", "uint"},       {"d", "double"},
                   {"b", "bool"},   {"l", "list<int>"}, {"m", "map<string>"}};
  const char* context =
      R"({"s": "x", "i": -3, "u": 18446744073709551615, "d": 2.5, "b": true,
          "l": [1, 2], "m": {"k": "v"}})";
  EXPECT_EQ(
      run("s == 'x' && i == -3 && u == 18446744073709551615u && d == 2.5 && b", params, context)
          .result,
      Result::True);
  EXPECT_EQ(run("l == [1, 2] && m.k == 'v' && m['k'] == 'v' && 'k' in m", params, context).result,
            Result::True);
}

TEST(CelEval, AnyParameters) {
  Params params = {{"x", "any"}, {"m", "map<any>"}};
  const char* context = R"({"x": 5, "m": {"n": 1, "s": "a", "l": [1, "b"], "o": {"p": true}}})";
  EXPECT_EQ(run("x == 5 && x > 4 && x < 5.5", params, context).result, Result::True);
  EXPECT_EQ(run("m.n == 1 && m.s == 'a' && m.l[1] == 'b' && m.o.p == true", params, context).result,
            Result::True);
  Outcome wrong = run("m.s > 1", params, context);
  EXPECT_EQ(wrong.result, Result::Error);
  EXPECT_EQ(wrong.error, "no such overload");
}

TEST(CelEval, ValuesMustConformToDeclaredTypes) {
  auto program = Program::compile("s == 'a'", {{"s", parse_type("string")}}, nullptr);
  ASSERT_TRUE(program);
  Activation activation;
  activation.set("s", Value::integer(1));
  Outcome outcome = program->evaluate(activation);
  EXPECT_EQ(outcome.result, Result::Error);
  EXPECT_EQ(outcome.error, "parameter 's' has a value of type 'int', not 'string'");
}

TEST(CelEval, ProgramIsReusable) {
  auto program = Program::compile("x > 10", {{"x", parse_type("int")}}, nullptr);
  ASSERT_TRUE(program);
  for (int i = 0; i < 20; ++i) {
    Activation activation;
    activation.set("x", Value::integer(i));
    EXPECT_EQ(program->evaluate(activation).result, i > 10 ? Result::True : Result::False);
  }
  EXPECT_EQ(program->referenced_parameters(), std::vector<std::string>{"x"});
}

TEST(CelEval, ProgramIsSharedAcrossThreads) {
  auto program = Program::compile(
      "l.exists(x, x == n) && s.matches('^a+$')",
      {{"l", parse_type("list<int>")}, {"n", parse_type("int")}, {"s", parse_type("string")}},
      nullptr);
  ASSERT_TRUE(program);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        Activation activation;
        activation.set("l", Value::list({Value::integer(t), Value::integer(i)}));
        activation.set("n", Value::integer(i % 3 == 0 ? i : -1));
        activation.set("s", Value::string("aaa"));
        Result expected = i % 3 == 0 ? Result::True : Result::False;
        if (program->evaluate(activation).result != expected) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace agentauthz::core::cel
