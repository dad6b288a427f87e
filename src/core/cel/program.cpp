#include "core/cel/program.h"

#include <algorithm>

#include "core/cel/ast.h"
#include "core/cel/checker.h"
#include "core/cel/evaluator.h"
#include "core/cel/lexer.h"
#include "core/cel/parser.h"

namespace agentauthz::core::cel {

void Activation::set(std::string name, Value value) {
  for (auto& entry : values_) {
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

const Value* Activation::find(std::string_view name) const {
  for (const auto& entry : values_)
    if (entry.first == name) return &entry.second;
  return nullptr;
}

Program::~Program() = default;

namespace {

// Collects the parameters that identifiers in the tree resolved to.
void collect_parameters(const Node& node, const std::vector<Parameter>& params,
                        std::vector<std::string>* out) {
  if (node.kind == NodeKind::Ident && node.ref == NameRef::Parameter)
    out->push_back(params[node.slot].name);
  for (const auto& arg : node.args) collect_parameters(*arg, params, out);
}

// The line and column of a byte offset into text.
void position_of(std::string_view text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

// Finds the first byte where text stops being valid UTF-8.
size_t first_invalid_utf8(std::string_view text) {
  size_t good = 0;
  for (size_t end = 1; end <= text.size(); ++end) {
    // Grow a valid prefix one sequence at a time.
    if (valid_utf8(text.substr(good, end - good)))
      good = end;
    else if (end - good >= 4)
      return good;
  }
  return good;
}

}  // namespace

std::shared_ptr<const Program> Program::compile(std::string_view expression,
                                                std::vector<Parameter> params,
                                                CompileError* error) {
  CompileError local;
  if (!error) error = &local;
  for (size_t i = 0; i < params.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (params[i].name == params[j].name) {
        *error = CompileError{"parameter '" + params[i].name + "' is declared twice", 1, 1};
        return nullptr;
      }
  if (expression.size() <= kMaxExpressionBytes && !valid_utf8(expression)) {
    size_t offset = first_invalid_utf8(expression);
    *error = CompileError{"invalid UTF-8 in the expression", 1, 1};
    position_of(expression, offset, &error->line, &error->column);
    return nullptr;
  }
  std::unique_ptr<Node> root = parse(expression, error);
  if (!root || !check(root.get(), params, error)) return nullptr;
  std::shared_ptr<Program> program(new Program());
  program->expression_ = std::string(expression);
  collect_parameters(*root, params, &program->referenced_);
  std::sort(program->referenced_.begin(), program->referenced_.end());
  program->referenced_.erase(std::unique(program->referenced_.begin(), program->referenced_.end()),
                             program->referenced_.end());
  program->parameters_ = std::move(params);
  program->root_ = std::move(root);
  return program;
}

namespace {

// True if the value's kind is the one the type calls for.
bool scalar_conforms(const Value& value, const Type& type) {
  switch (type.kind) {
    case Kind::Any:
    case Kind::Dyn:
      return !value.is_error_or_unknown();
    case Kind::Bool:
      return value.kind() == ValueKind::Bool;
    case Kind::Int:
      return value.kind() == ValueKind::Int;
    case Kind::Uint:
      return value.kind() == ValueKind::Uint;
    case Kind::Double:
      return value.kind() == ValueKind::Double;
    case Kind::String:
      return value.kind() == ValueKind::String;
    case Kind::Bytes:
      return value.kind() == ValueKind::Bytes;
    case Kind::Duration:
      return value.kind() == ValueKind::Duration;
    case Kind::Timestamp:
      return value.kind() == ValueKind::Timestamp;
    case Kind::IpAddress:
      return value.kind() == ValueKind::IpAddress;
    case Kind::List:
      return value.kind() == ValueKind::List;
    case Kind::Map:
      return value.kind() == ValueKind::Map;
    default:
      return false;
  }
}

}  // namespace

bool conforms(const Value& value, const Type& type) {
  if (!scalar_conforms(value, type)) return false;
  if (type.kind == Kind::List) {
    for (const Value& item : value.items())
      if (!scalar_conforms(item, *type.element)) return false;
  }
  if (type.kind == Kind::Map) {
    for (const Value::Entry& entry : value.entries())
      if (entry.first.kind() != ValueKind::String || !scalar_conforms(entry.second, *type.element))
        return false;
  }
  return true;
}

// Binds parameters (unknown when absent), evaluates, and classifies.
Outcome Program::evaluate(const Activation& activation, uint64_t cost_limit) const {
  Outcome outcome;
  std::vector<Value> values;
  values.reserve(parameters_.size());
  for (const Parameter& param : parameters_) {
    const Value* value = activation.find(param.name);
    if (!value) {
      outcome.missing.push_back(param.name);
      values.push_back(Value::unknown({param.name}));
      continue;
    }
    if (!conforms(*value, param.type)) {
      outcome.error = "parameter '" + param.name + "' has a value of type '" + type_name(*value) +
                      "', not '" + to_string(param.type) + "'";
      return outcome;
    }
    values.push_back(*value);
  }
  std::sort(outcome.missing.begin(), outcome.missing.end());
  Evaluation evaluation = evaluate_tree(*root_, values, cost_limit);
  outcome.cost = evaluation.cost;
  const Value& value = evaluation.value;
  if (value.is_error()) {
    outcome.error = value.text();
    return outcome;
  }
  if (value.is_unknown()) {
    outcome.partial = Result::Missing;
  } else if (value.kind() == ValueKind::Bool) {
    outcome.partial = value.as_bool() ? Result::True : Result::False;
  } else {
    outcome.error = "no such overload";  // a dyn result that is not a bool
    return outcome;
  }
  outcome.result = outcome.missing.empty() ? outcome.partial : Result::Missing;
  return outcome;
}

}  // namespace agentauthz::core::cel
