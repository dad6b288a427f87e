#include "core/cel/checker.h"

#include <array>
#include <optional>
#include <utility>

#include "core/cel/functions.h"
#include "core/cel/limits.h"

namespace agentauthz::core::cel {

namespace {

struct CheckFailure {
  CompileError error;
};

using Bindings = std::array<std::optional<Type>, 2>;

// True if a and b can hold the same values (dyn matches anything).
bool compatible(const Type& a, const Type& b) {
  if (a.is_dynamic() || b.is_dynamic()) return true;
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::List) return compatible(*a.element, *b.element);
  if (a.kind == Kind::Map) return compatible(*a.key, *b.key) && compatible(*a.element, *b.element);
  return true;
}

// Matches an actual argument type against an overload's formal type,
// binding its type parameters.
bool unify(const Type& formal, const Type& actual, Bindings* bindings) {
  if (formal.kind == Kind::Param) {
    std::optional<Type>& bound = (*bindings)[formal.param];
    if (!bound) {
      bound = actual;
      return true;
    }
    return compatible(*bound, actual);
  }
  if (formal.is_dynamic() || actual.is_dynamic()) return true;
  if (formal.kind != actual.kind) return false;
  if (formal.kind == Kind::List) return unify(*formal.element, *actual.element, bindings);
  if (formal.kind == Kind::Map)
    return unify(*formal.key, *actual.key, bindings) &&
           unify(*formal.element, *actual.element, bindings);
  return true;
}

// Replaces type parameters by what they were bound to (dyn if unbound).
Type substitute(const Type& type, const Bindings& bindings) {
  switch (type.kind) {
    case Kind::Param: {
      const std::optional<Type>& bound = bindings[type.param];
      return bound ? *bound : Type::of(Kind::Dyn);
    }
    case Kind::List:
      return Type::list(substitute(*type.element, bindings));
    case Kind::Map:
      return Type::map(substitute(*type.key, bindings), substitute(*type.element, bindings));
    default:
      return type;
  }
}

// The common type of several (dyn when they differ or there are none).
Type join(const std::vector<Type>& types) {
  if (types.empty()) return Type::of(Kind::Dyn);
  for (const Type& type : types)
    if (type != types.front()) return Type::of(Kind::Dyn);
  return types.front();
}

class Checker {
 public:
  explicit Checker(const std::vector<Parameter>& parameters) : parameters_(parameters) {}

  // Checks a node and its children; returns and records its type.
  Type check(Node* node) {
    switch (node->kind) {
      case NodeKind::Literal:
        node->type = type_of(node->literal);
        break;
      case NodeKind::Ident:
        node->type = identifier(node);
        break;
      case NodeKind::Select:
        node->type = select(node);
        break;
      case NodeKind::Call:
        node->type = call(node);
        break;
      case NodeKind::List: {
        std::vector<Type> items;
        for (auto& item : node->args) items.push_back(check(item.get()));
        node->type = Type::list(join(items));
        break;
      }
      case NodeKind::Map: {
        std::vector<Type> keys;
        std::vector<Type> values;
        for (size_t i = 0; i < node->args.size(); ++i)
          (i % 2 == 0 ? keys : values).push_back(check(node->args[i].get()));
        node->type = Type::map(join(keys), join(values));
        break;
      }
      case NodeKind::Comprehension:
        node->type = comprehension(node);
        break;
    }
    return node->type;
  }

 private:
  [[noreturn]] static void fail(const Node& node, std::string message) {
    throw CheckFailure{CompileError{std::move(message), node.line, node.column}};
  }

  // Resolves a name to an iteration variable (innermost first) or a parameter.
  Type identifier(Node* node) {
    for (size_t i = scopes_.size(); i-- > 0;) {
      if (scopes_[i].first == node->name) {
        node->ref = NameRef::IterationVariable;
        node->slot = static_cast<int>(i);
        return scopes_[i].second;
      }
    }
    for (size_t i = 0; i < parameters_.size(); ++i) {
      if (parameters_[i].name == node->name) {
        node->ref = NameRef::Parameter;
        node->slot = static_cast<int>(i);
        return parameters_[i].type;
      }
    }
    fail(*node, "undeclared reference to '" + node->name + "' (in container '')");
  }

  Type select(Node* node) {
    node->literal = Value::string(node->name);  // the key the evaluator looks up
    Type operand = check(node->args[0].get());
    Type result;
    if (operand.is_dynamic()) {
      result = operand;
    } else if (operand.kind == Kind::Map &&
               (operand.key->kind == Kind::String || operand.key->is_dynamic())) {
      result = *operand.element;
    } else {
      fail(*node, "type '" + to_string(operand) + "' does not support field selection");
    }
    return node->test_only ? Type::of(Kind::Bool) : result;
  }

  // Resolves a call against the function's overloads.
  Type call(Node* node) {
    std::vector<Type> args;
    for (auto& arg : node->args) args.push_back(check(arg.get()));
    int index = find_function(node->name);
    if (index < 0) fail(*node, "undeclared reference to '" + node->name + "' (in container '')");
    node->function = index;
    std::vector<Type> results;
    for (const Overload& overload : function_table()[index].overloads) {
      if (overload.receiver != node->receiver_style || overload.args.size() != args.size())
        continue;
      Bindings bindings;
      bool matches = true;
      for (size_t i = 0; i < args.size() && matches; ++i)
        matches = unify(overload.args[i], args[i], &bindings);
      if (matches) results.push_back(substitute(overload.result, bindings));
    }
    if (results.empty()) fail(*node, no_overload_message(*node, args));
    return join(results);
  }

  static std::string no_overload_message(const Node& node, const std::vector<Type>& args) {
    std::string shown;
    size_t first = 0;
    if (node.receiver_style && !args.empty()) {
      shown = to_string(args[0]) + ".";
      first = 1;
    }
    shown += "(";
    for (size_t i = first; i < args.size(); ++i)
      shown += (i > first ? ", " : "") + to_string(args[i]);
    shown += ")";
    return "found no matching overload for '" + node.name + "' applied to '" + shown + "'";
  }

  // Checks a macro: its range, its variable's scope and its body.
  Type comprehension(Node* node) {
    if (scopes_.size() >= static_cast<size_t>(kMaxComprehensionDepth))
      fail(*node, "comprehensions nested too deeply (over " +
                      std::to_string(kMaxComprehensionDepth) + ")");
    Type range = check(node->args[0].get());
    Type variable;
    if (range.is_dynamic()) {
      variable = Type::of(Kind::Dyn);
    } else if (range.kind == Kind::List) {
      variable = *range.element;
    } else if (range.kind == Kind::Map) {
      variable = *range.key;
    } else {
      fail(*node->args[0], "expression of type '" + to_string(range) +
                               "' cannot be range of a comprehension (must be list, map, or "
                               "dynamic)");
    }
    scopes_.emplace_back(node->name, variable);
    node->slot = static_cast<int>(scopes_.size() - 1);
    bool has_predicate = node->macro != Macro::Map;
    Type body = check(node->args[1].get());
    if (has_predicate && body.kind != Kind::Bool && !body.is_dynamic())
      fail(*node->args[1], "found no matching overload for '" + macro_operator(node->macro) +
                               "' applied to '(bool, " + to_string(body) + ")'");
    Type transform;
    if (node->macro == Macro::Map) transform = body;
    if (node->macro == Macro::MapFilter) transform = check(node->args[2].get());
    scopes_.pop_back();
    switch (node->macro) {
      case Macro::Map:
      case Macro::MapFilter:
        return Type::list(transform);
      case Macro::Filter:
        return Type::list(variable);
      default:
        return Type::of(Kind::Bool);
    }
  }

  static std::string macro_operator(Macro macro) {
    return macro == Macro::All ? "_&&_" : macro == Macro::Exists ? "_||_" : "_?_:_";
  }

  const std::vector<Parameter>& parameters_;
  std::vector<std::pair<std::string, Type>> scopes_;
};

}  // namespace

// Checks the tree, then that it yields a bool (OpenFGA's rule).
bool check(Node* root, const std::vector<Parameter>& parameters, CompileError* error) {
  try {
    Checker checker(parameters);
    Type result = checker.check(root);
    if (result.kind != Kind::Bool) {
      if (error)
        *error = CompileError{
            "expected a bool condition expression output, but got '" + to_string(result) + "'", 1,
            1};
      return false;
    }
    return true;
  } catch (CheckFailure& failure) {
    if (error) *error = std::move(failure.error);
    return false;
  }
}

}  // namespace agentauthz::core::cel
