// The entry point of the CEL engine: compile a condition's expression once
// against its declared parameters, then evaluate it many times.
//
//   std::vector<Parameter> params = {{"ip", parse_type("ipaddress")}};
//   CompileError error;
//   auto program = Program::compile("ip.in_cidr('10.0.0.0/8')", params, &error);
//   Activation activation;
//   activation.set("ip", value);            // from convert() of a context value
//   Outcome outcome = program->evaluate(activation);
//
// A Program is immutable: share it between threads and evaluations.
// See src/core/cel/README.md for what is supported and how it differs from
// OpenFGA (cel-go).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cel/compile_error.h"
#include "core/cel/limits.h"
#include "core/cel/types.h"
#include "core/cel/value.h"

namespace agentauthz::core::cel {

struct Node;

// Parameter values for one evaluation, by name.
class Activation {
 public:
  // Sets (or replaces) the value of a parameter.
  void set(std::string name, Value value);
  const Value* find(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, Value>> values_;
};

enum class Result { True, False, Missing, Error };

struct Outcome {
  // OpenFGA's verdict: Error if evaluation failed; otherwise Missing if any
  // declared parameter has no value (OpenFGA's check then fails with
  // "tuple '...' is missing context parameters '[...]'", whatever the
  // expression would decide); otherwise True or False.
  Result result = Result::Error;
  // Declared parameters absent from the activation, sorted by name.
  std::vector<std::string> missing;
  // What the expression decides with absent parameters unknown (cel-go's
  // partial evaluation): True or False when it does not depend on them,
  // Missing when it does, Error on failure. Equals result when nothing is
  // missing.
  Result partial = Result::Error;
  // cel-go's message for Error, e.g. "division by zero" or "operation
  // cancelled: actual cost limit exceeded". OpenFGA reports it as
  // "failed to evaluate relationship condition '<name>': failed to evaluate
  // condition expression: <error>".
  std::string error;
  uint64_t cost = 0;  // cel-go's runtime cost of the evaluation
};

class Program {
 public:
  // Parses and type-checks expression against params. Returns nullptr and
  // fills *error (message, 1-based line and column within the expression)
  // when it does not compile.
  static std::shared_ptr<const Program> compile(std::string_view expression,
                                                std::vector<Parameter> params, CompileError* error);

  // Evaluates with the given parameter values. A value whose kind does not
  // match its parameter's declared type is an Error outcome (convert()
  // produces matching values). Evaluation stops with an Error once its
  // cost passes cost_limit (OpenFGA's default is 100).
  Outcome evaluate(const Activation& activation, uint64_t cost_limit = kDefaultCostLimit) const;

  const std::string& expression() const { return expression_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  // Declared parameters the expression mentions, sorted by name.
  const std::vector<std::string>& referenced_parameters() const { return referenced_; }

  ~Program();

 private:
  Program() = default;

  std::string expression_;
  std::vector<Parameter> parameters_;
  std::vector<std::string> referenced_;
  std::unique_ptr<Node> root_;
};

// True if value can be the value of a parameter of the given type (kinds
// only; list items and map values are checked one level deep).
bool conforms(const Value& value, const Type& type);

}  // namespace agentauthz::core::cel
