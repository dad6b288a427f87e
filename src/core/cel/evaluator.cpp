#include "core/cel/evaluator.h"

#include <utility>

#include "core/cel/functions.h"

namespace agentauthz::core::cel {

namespace {

// cel-go's constants (common/cost.go).
constexpr uint64_t kSelectAndIdentCost = 1;
constexpr uint64_t kListCreateCost = 10;
constexpr uint64_t kMapCreateCost = 30;

// Thrown when the cost passes the limit; evaluate_tree catches it.
struct CostExceeded {};

bool is_true(const Value& v) { return v.kind() == ValueKind::Bool && v.as_bool(); }
bool is_false(const Value& v) { return v.kind() == ValueKind::Bool && !v.as_bool(); }

// Merges the unknowns among a and b, or returns nullptr-like null if none.
Value merge_unknowns(const Value& a, const Value& b) {
  std::vector<std::string> names = a.unknown_names();
  names.insert(names.end(), b.unknown_names().begin(), b.unknown_names().end());
  return Value::unknown(std::move(names));
}

bool all_literals(const Node& node) {
  for (const auto& arg : node.args)
    if (arg->kind != NodeKind::Literal) return false;
  return true;
}

class Evaluator {
 public:
  Evaluator(const std::vector<Value>& parameters, uint64_t limit)
      : parameters_(parameters), limit_(limit) {}

  uint64_t cost() const { return cost_; }

  // Evaluates one node (identifiers cost 1; literals are free).
  Value eval(const Node& node) {
    switch (node.kind) {
      case NodeKind::Literal:
        return node.literal;
      case NodeKind::Ident:
        charge(kSelectAndIdentCost);
        return node.ref == NameRef::Parameter ? parameters_[node.slot] : locals_[node.slot];
      case NodeKind::Select:
        return select(node);
      case NodeKind::Call:
        return call(node);
      case NodeKind::List:
        return list(node);
      case NodeKind::Map:
        return map(node);
      case NodeKind::Comprehension:
        return comprehension(node);
    }
    return Value::error("unknown node");
  }

 private:
  void charge(uint64_t amount) {
    cost_ += amount;
    if (cost_ > limit_) throw CostExceeded{};
  }

  Value select(const Node& node) {
    Value operand = eval(*node.args[0]);
    charge(kSelectAndIdentCost);
    if (operand.is_error_or_unknown()) return operand;
    if (operand.kind() != ValueKind::Map) return no_such_overload();
    const Value* found = operand.find(node.literal);  // the field name, set by the checker
    if (node.test_only) return Value::boolean(found != nullptr);
    if (!found) return Value::error("no such key: " + node.name);
    return *found;
  }

  // Runs && or || (and_op) with CEL's commutative absorption.
  Value logical(const Node& node, bool and_op) {
    Value left = eval(*node.args[0]);
    if (and_op ? is_false(left) : is_true(left)) return left;
    Value right = eval(*node.args[1]);
    if (and_op ? is_false(right) : is_true(right)) return right;
    if (left.kind() == ValueKind::Bool && right.kind() == ValueKind::Bool) return right;
    if (left.is_unknown() && right.is_unknown()) return merge_unknowns(left, right);
    if (left.is_unknown()) return left;
    if (right.is_unknown()) return right;
    if (left.is_error()) return left;
    if (right.is_error()) return right;
    return no_such_overload();
  }

  Value conditional(const Node& node) {
    Value condition = eval(*node.args[0]);
    if (condition.is_error_or_unknown()) return condition;
    if (condition.kind() != ValueKind::Bool) return no_such_overload();
    return eval(*node.args[condition.as_bool() ? 1 : 2]);
  }

  // Evaluates a strict call: every argument, then the function.
  Value call(const Node& node) {
    static const int kAnd = find_function("_&&_");
    static const int kOr = find_function("_||_");
    static const int kConditional = find_function("_?_:_");
    if (node.function == kAnd) return logical(node, true);
    if (node.function == kOr) return logical(node, false);
    if (node.function == kConditional) return conditional(node);
    Value args[4];
    size_t count = node.args.size();
    std::vector<Value> many;
    Value* values = args;
    if (count > 4) {
      many.resize(count);
      values = many.data();
    }
    for (size_t i = 0; i < count; ++i) values[i] = eval(*node.args[i]);
    const Function& function = function_table()[node.function];
    for (size_t i = 0; i < count; ++i)
      if (values[i].is_error_or_unknown()) return values[i];
    charge(call_cost(function.cost, values, count));
    return function.implementation(values, count);
  }

  Value list(const Node& node) {
    if (!all_literals(node)) charge(kListCreateCost);
    std::vector<Value> items;
    items.reserve(node.args.size());
    for (const auto& arg : node.args) {
      Value item = eval(*arg);
      if (item.is_error_or_unknown()) return item;
      items.push_back(std::move(item));
    }
    return Value::list(std::move(items));
  }

  // Builds a map literal; keys must be bool, int, uint or string and unique.
  Value map(const Node& node) {
    if (!all_literals(node)) charge(kMapCreateCost);
    std::vector<Value::Entry> entries;
    for (size_t i = 0; i + 1 < node.args.size(); i += 2) {
      Value key = eval(*node.args[i]);
      Value value = eval(*node.args[i + 1]);
      if (key.is_error_or_unknown()) return key;
      if (value.is_error_or_unknown()) return value;
      ValueKind kind = key.kind();
      if (kind != ValueKind::Bool && kind != ValueKind::Int && kind != ValueKind::Uint &&
          kind != ValueKind::String)
        return Value::error("unsupported map key type: " + type_name(key));
      for (const Value::Entry& entry : entries)
        if (equal(entry.first, key))
          return Value::error("repeated key in map literal: " + debug_string(key));
      entries.emplace_back(std::move(key), std::move(value));
    }
    return Value::map(std::move(entries));
  }

  // Runs a macro's loop, charging what cel-go's expansion of it costs.
  Value comprehension(const Node& node) {
    Value range = eval(*node.args[0]);
    if (range.is_error_or_unknown()) return range;
    std::vector<Value> elements;
    if (range.kind() == ValueKind::List) {
      elements = range.items();
    } else if (range.kind() == ValueKind::Map) {
      for (const Value::Entry& entry : range.entries()) elements.push_back(entry.first);
    } else {
      return no_such_overload();
    }
    locals_.resize(node.slot + 1);
    Value result = loop(node, elements);
    locals_.resize(node.slot);
    return result;
  }

  Value loop(const Node& node, const std::vector<Value>& elements) {
    switch (node.macro) {
      case Macro::All:
        return quantifier(node, elements, true);
      case Macro::Exists:
        return quantifier(node, elements, false);
      case Macro::ExistsOne:
        return exists_one(node, elements);
      default:
        return collect(node, elements);
    }
  }

  // all (for_all) or exists: folds the predicate with && or ||.
  Value quantifier(const Node& node, const std::vector<Value>& elements, bool for_all) {
    const uint64_t condition_cost = for_all ? 2 : 3;  // @not_strictly_false(acc) [with !]
    Value accumulator = Value::boolean(for_all);
    for (const Value& element : elements) {
      charge(condition_cost);
      if (for_all ? is_false(accumulator) : is_true(accumulator)) break;
      locals_[node.slot] = element;
      Value body = eval(*node.args[1]);
      charge(kSelectAndIdentCost);  // the accumulator in the step
      accumulator = absorb(accumulator, body, for_all);
    }
    charge(kSelectAndIdentCost);  // the result
    return accumulator;
  }

  // One step of && (for_all) or || with the accumulated value.
  static Value absorb(const Value& accumulator, const Value& body, bool for_all) {
    if (for_all ? is_false(body) : is_true(body)) return body;
    if (for_all ? is_false(accumulator) : is_true(accumulator)) return accumulator;
    if (accumulator.kind() == ValueKind::Bool && body.kind() == ValueKind::Bool) return body;
    if (accumulator.is_unknown() && body.is_unknown()) return merge_unknowns(accumulator, body);
    if (accumulator.is_unknown()) return accumulator;
    if (body.is_unknown()) return body;
    if (accumulator.is_error()) return accumulator;
    if (body.is_error()) return body;
    return no_such_overload();
  }

  Value exists_one(const Node& node, const std::vector<Value>& elements) {
    int64_t count = 0;
    for (const Value& element : elements) {
      locals_[node.slot] = element;
      Value body = eval(*node.args[1]);
      if (body.is_error_or_unknown()) return body;
      if (body.kind() != ValueKind::Bool) return no_such_overload();
      charge(body.as_bool() ? 2 : 1);  // acc + 1, or acc
      if (body.as_bool()) ++count;
    }
    charge(2);  // acc == 1
    return Value::boolean(count == 1);
  }

  // map, map with a filter, and filter: builds the result list.
  Value collect(const Node& node, const std::vector<Value>& elements) {
    std::vector<Value> out;
    for (const Value& element : elements) {
      locals_[node.slot] = element;
      bool keep = true;
      if (node.macro != Macro::Map) {
        Value predicate = eval(*node.args[1]);
        if (predicate.is_error_or_unknown()) return predicate;
        if (predicate.kind() != ValueKind::Bool) return no_such_overload();
        keep = predicate.as_bool();
      }
      if (!keep) {
        charge(kSelectAndIdentCost);  // the unchanged accumulator
        continue;
      }
      Value item = element;
      if (node.macro != Macro::Filter) {
        item = eval(*node.args[node.macro == Macro::Map ? 1 : 2]);
        if (item.is_error_or_unknown()) return item;
      } else {
        charge(kSelectAndIdentCost);  // the element appended
      }
      charge(kSelectAndIdentCost + kListCreateCost + 1);  // acc + [item]
      out.push_back(std::move(item));
    }
    charge(kSelectAndIdentCost);
    return Value::list(std::move(out));
  }

  const std::vector<Value>& parameters_;
  std::vector<Value> locals_;
  uint64_t limit_;
  uint64_t cost_ = 0;
};

}  // namespace

Evaluation evaluate_tree(const Node& root, const std::vector<Value>& parameters,
                         uint64_t cost_limit) {
  Evaluator evaluator(parameters, cost_limit);
  Evaluation evaluation;
  try {
    evaluation.value = evaluator.eval(root);
  } catch (const CostExceeded&) {
    evaluation.cost_exceeded = true;
    evaluation.value = Value::error("operation cancelled: actual cost limit exceeded");
  }
  evaluation.cost = evaluator.cost();
  return evaluation;
}

}  // namespace agentauthz::core::cel
