// Unit tests for the evaluation cost limit: cel-go's runtime cost model
// (interpreter/runtimecost.go) as OpenFGA enforces it with
// maxConditionEvaluationCost (default 100). The figures of OpenFGA's
// TestEvaluateWithMaxCost are ported here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cel/convert.h"
#include "core/cel/program.h"
#include "core/json/json_parse.h"

namespace agentauthz::core::cel {
namespace {

const char kExceeded[] = "operation cancelled: actual cost limit exceeded";

// Evaluates expression over params (name, type) and a JSON context.
Outcome run(std::string_view expression, std::vector<std::pair<std::string, std::string>> params,
            std::string_view context, uint64_t limit) {
  std::vector<Parameter> declared;
  for (const auto& [name, type] : params) declared.push_back({name, parse_type(type)});
  CompileError error;
  auto program = Program::compile(expression, declared, &error);
  if (!program) {
    ADD_FAILURE() << error.message;
    return Outcome{};
  }
  json::Value json;
  EXPECT_TRUE(json::parse(context, &json, nullptr));
  Activation activation;
  EXPECT_TRUE(bind_context(json, declared, &activation, nullptr));
  return program->evaluate(activation, limit);
}

TEST(CelCost, OpenFgaIntComparison) {
  // x < y: two identifiers (1 each) and the call (1).
  Outcome exceeded = run("x < y", {{"x", "int"}, {"y", "int"}}, R"({"x": 1, "y": 2})", 2);
  EXPECT_EQ(exceeded.result, Result::Error);
  EXPECT_EQ(exceeded.error, kExceeded);
  Outcome fits = run("x < y", {{"x", "int"}, {"y", "int"}}, R"({"x": 1, "y": 2})", 3);
  EXPECT_EQ(fits.result, Result::True);
  EXPECT_EQ(fits.cost, 3u);
}

TEST(CelCost, OpenFgaStringEquality) {
  Outcome outcome =
      run("x == y", {{"x", "string"}, {"y", "string"}}, R"({"x": "ab", "y": "ab"})", 2);
  EXPECT_EQ(outcome.error, kExceeded);
  EXPECT_EQ(run("x == y", {{"x", "string"}, {"y", "string"}}, R"({"x": "ab", "y": "ab"})", 3).cost,
            3u);
}

TEST(CelCost, OpenFgaListMembership) {
  // 'a' in strlist: the identifier (1) and the list's size (3).
  Outcome exceeded =
      run("'a' in strlist", {{"strlist", "list<string>"}}, R"({"strlist": ["c", "b", "a"]})", 3);
  EXPECT_EQ(exceeded.error, kExceeded);
  Outcome fits =
      run("'d' in strlist", {{"strlist", "list<string>"}}, R"({"strlist": ["a", "b", "c"]})", 4);
  EXPECT_EQ(fits.result, Result::False);
  EXPECT_EQ(fits.cost, 4u);
}

TEST(CelCost, StringFunctionsScaleWithLength) {
  std::string long_text(100, 'a');
  std::string context = R"({"s": ")" + long_text + R"("})";
  // startsWith: 1 (ident) + ceil(100 * 0.1).
  EXPECT_EQ(run("s.startsWith('a')", {{"s", "string"}}, context, 1000).cost, 11u);
  // contains: 1 + ceil(10) * ceil(0.1).
  EXPECT_EQ(run("s.contains('b')", {{"s", "string"}}, context, 1000).cost, 11u);
  // +: 2 idents, concatenation ceil(200 * 0.1), then == ceil(min(200, 0) * 0.1) = 0.
  EXPECT_EQ(run("s + s == ''", {{"s", "string"}}, context, 1000).cost, 22u);
}

TEST(CelCost, LiteralsAndLogic) {
  // Constant literals are free (cel-go folds them); && and ?: add nothing.
  EXPECT_EQ(run("[1, 2] == [1, 2] && true ? true : false", {}, "{}", 100).cost, 1u);
  // A list built from an identifier costs 10 to create.
  EXPECT_EQ(run("[x] == [1]", {{"x", "int"}}, R"({"x": 1})", 100).cost, 12u);
  EXPECT_EQ(run("{'k': x}.k == 1", {{"x", "int"}}, R"({"x": 1})", 100).cost, 33u);
}

TEST(CelCost, ComprehensionsAreChargedPerElement) {
  std::string items = "[";
  for (int i = 0; i < 50; ++i) items += (i ? "," : "") + std::to_string(i);
  items += "]";
  std::string context = R"({"l": )" + items + "}";
  // With OpenFGA's default limit of 100 a 50-element all() does not fit.
  Outcome outcome = run("l.all(x, x >= 0)", {{"l", "list<int>"}}, context, kDefaultCostLimit);
  EXPECT_EQ(outcome.result, Result::Error);
  EXPECT_EQ(outcome.error, kExceeded);
  EXPECT_EQ(run("l.all(x, x >= 0)", {{"l", "list<int>"}}, context, 1000).result, Result::True);
  // Nested loops multiply: bounded by the limit, not by the input.
  Outcome nested =
      run("l.all(x, l.all(y, l.all(z, x + y + z >= 0)))", {{"l", "list<int>"}}, context, 100000);
  EXPECT_EQ(nested.error, kExceeded);
  EXPECT_LE(nested.cost, 100100u);
}

TEST(CelCost, ExceedingIsNotAbsorbedByLogic) {
  std::string context = R"({"s": ")" + std::string(2000, 'a') + R"("})";
  Outcome outcome = run("false && s.contains('a') || s.contains('a')", {{"s", "string"}}, context,
                        kDefaultCostLimit);
  EXPECT_EQ(outcome.error, kExceeded);
}

}  // namespace
}  // namespace agentauthz::core::cel
