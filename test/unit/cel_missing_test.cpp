// Unit tests for parameters that no source supplies. OpenFGA evaluates
// with cel-go's partial evaluation and reports every declared parameter
// without a value (internal/condition/condition.go Evaluate), and its check
// fails whenever that list is not empty; Outcome::partial keeps what the
// expression itself decides.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cel/program.h"

namespace agentauthz::core::cel {
namespace {

// Evaluates expression over string parameters p1, p2 with the given values.
Outcome run(std::string_view expression, const std::vector<std::pair<std::string, Value>>& values,
            std::vector<std::string> names = {"p1", "p2"}) {
  std::vector<Parameter> params;
  for (const std::string& name : names) params.push_back({name, Type::of(Kind::String)});
  CompileError error;
  auto program = Program::compile(expression, params, &error);
  if (!program) {
    ADD_FAILURE() << error.message;
    return Outcome{};
  }
  Activation activation;
  for (const auto& [name, value] : values) activation.set(name, value);
  return program->evaluate(activation);
}

TEST(CelMissing, AllSuppliedDecides) {
  Outcome outcome =
      run("p1 == 'ok' && p2 == 'ok'", {{"p1", Value::string("ok")}, {"p2", Value::string("ok")}});
  EXPECT_EQ(outcome.result, Result::True);
  EXPECT_EQ(outcome.partial, Result::True);
  EXPECT_TRUE(outcome.missing.empty());
}

// OpenFGA's TestEvaluate "fail_no_such_attribute_empty_context".
TEST(CelMissing, NoContextReportsTheParameter) {
  Outcome outcome = run("p1 == 'ok'", {}, {"p1"});
  EXPECT_EQ(outcome.result, Result::Missing);
  EXPECT_EQ(outcome.partial, Result::Missing);
  EXPECT_EQ(outcome.missing, std::vector<std::string>{"p1"});
}

// OpenFGA's "mix_of_missing_params_and_truthy_eval": the expression is
// true, but p2 is still reported missing (and OpenFGA's check errors).
TEST(CelMissing, MissingIsReportedEvenWhenTheOutcomeIsKnown) {
  Outcome truthy = run("p1 == 'ok' || p2 == 'ok'", {{"p1", Value::string("ok")}});
  EXPECT_EQ(truthy.result, Result::Missing);
  EXPECT_EQ(truthy.partial, Result::True);
  EXPECT_EQ(truthy.missing, std::vector<std::string>{"p2"});
  Outcome falsy = run("p1 == 'ok' && p2 == 'ok'", {{"p1", Value::string("no")}});
  EXPECT_EQ(falsy.result, Result::Missing);
  EXPECT_EQ(falsy.partial, Result::False);
  EXPECT_EQ(falsy.missing, std::vector<std::string>{"p2"});
}

TEST(CelMissing, UnreferencedParametersCountToo) {
  Outcome outcome = run("p1 == 'ok'", {{"p1", Value::string("ok")}}, {"p1", "zeta", "alpha"});
  EXPECT_EQ(outcome.result, Result::Missing);
  EXPECT_EQ(outcome.partial, Result::True);
  EXPECT_EQ(outcome.missing, (std::vector<std::string>{"alpha", "zeta"}));
}

TEST(CelMissing, UnknownsPropagateThroughStrictCalls) {
  EXPECT_EQ(run("p1 + 'x' == 'ax'", {}).partial, Result::Missing);
  EXPECT_EQ(run("p1.startsWith(p2)", {{"p2", Value::string("a")}}).partial, Result::Missing);
  EXPECT_EQ(run("size([p1]) == 1", {}).partial, Result::Missing);
  EXPECT_EQ(run("{'k': p1}.k == 'a'", {}).partial, Result::Missing);
  EXPECT_EQ(run("[p1].exists(x, x == 'a')", {}).partial, Result::Missing);
  EXPECT_EQ(run("['a'].exists(x, x == p1)", {}).partial, Result::Missing);
  EXPECT_EQ(run("['a'].exists(x, x == 'a' || x == p1)", {}).partial, Result::True);
}

TEST(CelMissing, TernaryOnAnUnknownConditionIsUnknown) {
  EXPECT_EQ(run("p1 == 'a' ? true : true", {}).partial, Result::Missing);
  EXPECT_EQ(run("p2 == 'a' ? p1 == 'a' : true", {{"p2", Value::string("b")}}).partial,
            Result::True);
}

// cel-go's evalAnd/evalOr: an unknown beats an error, false (true for ||) beats both.
TEST(CelMissing, UnknownsBeatErrorsInLogic) {
  Outcome unknown = run("size(p1) / 0 == 1 && p2 == 'x'", {{"p1", Value::string("a")}});
  EXPECT_EQ(unknown.result, Result::Missing);
  EXPECT_EQ(unknown.partial, Result::Missing);
  EXPECT_EQ(run("p2 == 'x' || size(p1) / 0 == 1", {{"p1", Value::string("a")}}).partial,
            Result::Missing);
  EXPECT_EQ(run("p2 == 'x' && false", {}).partial, Result::False);
  EXPECT_EQ(run("p2 == 'x' || true", {}).partial, Result::True);
}

// An error that no unknown absorbs is an error, whatever is missing.
TEST(CelMissing, ErrorsWinOverMissingOutsideLogic) {
  Outcome outcome = run("1 / 0 == size(p1)", {});
  EXPECT_EQ(outcome.result, Result::Error);
  EXPECT_EQ(outcome.error, "division by zero");
  EXPECT_EQ(outcome.missing, (std::vector<std::string>{"p1", "p2"}));
  // A strict call returns its first bad argument, left to right.
  EXPECT_EQ(run("size(p1) == 1 / 0", {}).partial, Result::Missing);
}

}  // namespace
}  // namespace agentauthz::core::cel
