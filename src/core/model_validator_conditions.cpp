// The condition passes of the model validator, following OpenFGA: its API
// limits (openfga/api authzmodel.proto), its DSL's parameter types
// (openfga/language OpenFGALexer.g4), its server's compilation of each
// expression (pkg/typesystem, internal/condition) and its DSL validator's
// rules on `with` (an undefined condition, an unused one).
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/cel/program.h"
#include "core/dsl_limits.h"
#include "core/error.h"
#include "core/model_validator.h"
#include "core/model_validator_internal.h"
#include "core/name_rules.h"

namespace agentauthz::core {

namespace model_validator_detail {

namespace {

// The parameter types OpenFGA's DSL accepts alone or inside list<> and
// map<>; `any` is OpenFGA's API type, which its DSL lacks.
constexpr std::string_view kScalarTypes[] = {"bool",     "string",    "int",       "uint", "double",
                                             "duration", "timestamp", "ipaddress", "any"};

// Tells whether name is one of kScalarTypes.
bool is_scalar_type(std::string_view name) {
  for (std::string_view scalar : kScalarTypes) {
    if (name == scalar) {
      return true;
    }
  }
  return false;
}

// Explains what is wrong with a parameter type name; empty when it is one
// of bool, string, int, uint, double, duration, timestamp, ipaddress, any,
// or list<T> / map<T> of one of those (one level, as OpenFGA's DSL).
std::string type_problem(std::string_view type) {
  const std::string quoted = quote(type);
  const std::size_t open = type.find('<');
  const std::string_view head = type.substr(0, open);
  const bool container = head == "list" || head == "map";
  if (open == std::string_view::npos) {
    if (container) {
      return "parameter type " + quoted + " needs an element type, e.g. '" + std::string(head) +
             "<string>'";
    }
    if (is_scalar_type(type)) {
      return {};
    }
    return "unknown parameter type " + quoted +
           "; the types are bool, string, int, uint, double, duration, timestamp, ipaddress, "
           "any, list<T> and map<T>";
  }
  if (!container) {
    return "parameter type " + quote(head) + " takes no element type (in " + quoted + ")";
  }
  const bool closed = type.back() == '>';
  const std::string_view element = closed ? type.substr(open + 1, type.size() - open - 2) : "";
  if (!closed || element.find_first_of("<>") != std::string_view::npos) {
    return "parameter type " + quoted +
           " nests containers; OpenFGA's DSL allows list<T> and map<T> of a non-container "
           "type only";
  }
  if (!is_scalar_type(element)) {
    return "unknown element type " + quote(element) + " in " + quoted +
           "; the types are bool, string, int, uint, double, duration, timestamp, ipaddress "
           "and any";
  }
  return {};
}

// Checks a condition's parameters and returns them typed for the CEL
// compiler.
std::vector<cel::Parameter> check_parameters(const ConditionAst& condition) {
  if (condition.params.empty()) {
    fail_at(condition.pos, "condition " + quote(condition.name) +
                               " declares no parameter; OpenFGA's DSL needs at least one");
  }
  if (condition.params.size() > kMaxConditionParameters) {
    fail_at(condition.params[kMaxConditionParameters].pos,
            "condition " + quote(condition.name) + " declares more than " +
                std::to_string(kMaxConditionParameters) + " parameters (OpenFGA's limit)");
  }
  std::unordered_map<std::string_view, SourcePos> positions;
  std::vector<cel::Parameter> parameters;
  for (const ConditionParamAst& param : condition.params) {
    if (!is_valid_parameter_name(param.name)) {
      fail_at(param.pos, invalid_name_reason("parameter", param.name, kMaxParameterNameLength));
    }
    auto [it, inserted] = positions.emplace(param.name, param.pos);
    if (!inserted) {
      fail_at(param.pos, "parameter " + quote(param.name) + " is declared twice in condition " +
                             quote(condition.name) + " (first at " + line_of(it->second) + ")");
    }
    const std::string problem = type_problem(param.type);
    if (!problem.empty()) {
      fail_at(param.type_pos, problem);
    }
    try {
      parameters.push_back({param.name, cel::parse_type(param.type)});
    } catch (const Error& error) {
      fail_at(param.type_pos, error.what());
    }
  }
  return parameters;
}

// Checks that a condition's expression compiles against its parameters and
// yields a bool; a CEL error points into the expression.
void check_expression(const ConditionAst& condition, std::vector<cel::Parameter> parameters) {
  if (condition.expression.empty()) {
    fail_at(condition.expression_pos,
            "condition " + quote(condition.name) + " has an empty expression");
  }
  if (condition.expression.size() > kMaxConditionExpressionBytes) {
    fail_at(condition.expression_pos, "the expression of condition " + quote(condition.name) +
                                          " is " + std::to_string(condition.expression.size()) +
                                          " bytes long; OpenFGA allows " +
                                          std::to_string(kMaxConditionExpressionBytes));
  }
  cel::CompileError error;
  if (!cel::Program::compile(condition.expression, std::move(parameters), &error)) {
    fail_at(expression_position(condition, error.line, error.column),
            "the expression of condition " + quote(condition.name) +
                " does not compile: " + error.message);
  }
}

// Calls visit(restriction) for every type restriction of every relation.
template <typename Visit>
void for_each_restriction(const ModelAst& model, Visit visit) {
  std::vector<const RewriteAst*> pending;
  for (const TypeAst& type : model.types) {
    for (const RelationAst& relation : type.relations) {
      pending.assign(1, relation.rewrite.get());
      while (!pending.empty()) {
        const RewriteAst* node = pending.back();
        pending.pop_back();
        if (node == nullptr) {
          continue;
        }
        for (const DirectTypeAst& restriction : node->direct_types) {
          visit(restriction, type, relation);
        }
        for (const auto& child : node->children) {
          pending.push_back(child.get());
        }
      }
    }
  }
}

}  // namespace

// Checks each condition on its own: name, parameters, expression.
void check_condition_declarations(const ModelAst& model) {
  if (model.conditions.size() > kMaxConditions) {
    fail_at(model.conditions[kMaxConditions].pos, "a model may declare at most " +
                                                      std::to_string(kMaxConditions) +
                                                      " conditions (OpenFGA's limit)");
  }
  std::unordered_map<std::string_view, SourcePos> positions;
  for (const ConditionAst& condition : model.conditions) {
    if (!is_valid_condition_name(condition.name)) {
      fail_at(condition.pos,
              invalid_name_reason("condition", condition.name, kMaxConditionNameLength));
    }
    auto [it, inserted] = positions.emplace(condition.name, condition.pos);
    if (!inserted) {
      fail_at(condition.pos, "condition " + quote(condition.name) + " is defined twice (first at " +
                                 line_of(it->second) + ")");
    }
    check_expression(condition, check_parameters(condition));
  }
}

// Checks that every `with <condition>` names a declared condition.
void check_condition_references(const ModelAst& model) {
  std::unordered_set<std::string_view> declared;
  for (const ConditionAst& condition : model.conditions) {
    declared.insert(condition.name);
  }
  for_each_restriction(model, [&](const DirectTypeAst& restriction, const TypeAst& type,
                                  const RelationAst& relation) {
    if (!restriction.condition.empty() && declared.count(restriction.condition) == 0) {
      fail_at(restriction.condition_pos,
              "condition " + quote(restriction.condition) + " is not defined (in " +
                  quote(restriction_text(restriction)) + " of relation " + quote(relation.name) +
                  " of type " + quote(type.name) + ")");
    }
  });
}

// Checks that every declared condition is used by some type restriction.
void check_unused_conditions(const ModelAst& model) {
  std::unordered_set<std::string_view> used;
  for_each_restriction(model, [&](const DirectTypeAst& restriction, const TypeAst&,
                                  const RelationAst&) { used.insert(restriction.condition); });
  for (const ConditionAst& condition : model.conditions) {
    if (used.count(condition.name) == 0) {
      fail_at(condition.pos, "condition " + quote(condition.name) +
                                 " is not used in the model: no type restriction says 'with " +
                                 condition.name + "'");
    }
  }
}

}  // namespace model_validator_detail

// Maps a position CEL reports within condition's expression to the model.
SourcePos expression_position(const ConditionAst& condition, int line, int column) {
  if (line <= 1) {
    return SourcePos{condition.expression_pos.line,
                     condition.expression_pos.column + (column > 0 ? column - 1 : 0)};
  }
  return SourcePos{condition.expression_pos.line + line - 1, column > 0 ? column : 1};
}

}  // namespace agentauthz::core
