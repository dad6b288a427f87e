// Conditions evaluated for one request: the request's context (parameter
// values by name) combined with a tuple's own context, as OpenFGA does --
// the tuple's values win, keys naming no parameter are ignored, and a
// declared parameter without a value fails the evaluation.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json/json_value.h"
#include "core/model.h"

namespace agentauthz::core {

// The request's context: a JSON object (possibly empty).
class ConditionContext {
 public:
  ConditionContext() : values_(json::Value::object({})) {}
  // Throws Error(InvalidArgument) unless `values` is a JSON object.
  explicit ConditionContext(json::Value values);
  // Parses JSON text (empty text: no values); throws Error(InvalidArgument)
  // unless it is a JSON object.
  static ConditionContext from_json(std::string_view text);

  const json::Value& values() const { return values_; }
  // The context as compact JSON text: equal texts, equal contexts.
  const std::string& text() const { return text_; }
  bool empty() const { return values_.members().empty(); }

 private:
  json::Value values_;
  std::string text_ = "{}";
};

// Combines the values several trusted sources supply (delegation links, the
// session's set_context, a row's columns): a parameter two sources give
// different values is an error, never silently overridden.
class ContextMerger {
 public:
  // Adds the members of `values` (a JSON object) given by `source`; throws
  // Error(InvalidArgument) naming the parameter and both sources when one
  // already has a different value.
  void add(std::string_view source, const json::Value& values);
  // Adds one value; same rule.
  void add(std::string_view source, const std::string& name, const json::Value& value);
  bool has(std::string_view name) const;
  ConditionContext result() const;

 private:
  std::vector<json::Value::Member> members_;
  std::vector<std::string> sources_;  // per member
};

enum class ConditionVerdict : uint8_t { Met, NotMet, Error };

// What evaluating one tuple's condition found.
struct ConditionResult {
  ConditionVerdict verdict = ConditionVerdict::Error;
  // For Error: OpenFGA's message, "failed to evaluate relationship
  // condition '<name>': ...".
  std::string error;
  // The declared parameters' values the evaluation used, as a JSON object
  // (for explain).
  std::string values;
};

// Evaluates conditions for a request, remembering each tuple context it
// parsed (a statement meets the same few again and again).
class ConditionEvaluator {
 public:
  const ConditionContext& context() const { return context_; }
  void set_context(const ConditionContext& context) {
    context_ = context;
    request_values_.clear();
  }

  // Evaluates `condition` for the tuple `tuple` (formatted
  // object#relation@subject, used in messages) whose stored context is
  // `tuple_context` (JSON object text, empty for none).
  ConditionResult evaluate(const Model& model, ConditionId condition, std::string_view tuple,
                           std::string_view tuple_context, bool want_values = false);
  size_t bytes() const { return parsed_bytes_; }
  void clear_parsed();

 private:
  // The request context's value of one declared parameter, converted to
  // its type once per context rather than once per tuple (a context may
  // hold a list of a million values).
  struct RequestValue {
    bool present = false;
    std::string error;  // the conversion failed
    cel::Value value;
  };
  const json::Value* parsed(std::string_view tuple_context, std::string* error);
  const std::vector<RequestValue>& request_values(const ConditionInfo& info, ConditionId id);
  bool bind(const ConditionInfo& info, ConditionId id, const json::Value* own,
            cel::Activation* activation, std::string* error);

  ConditionContext context_;
  // By condition id; a condition's entry is filled on its first evaluation.
  std::vector<std::unique_ptr<std::vector<RequestValue>>> request_values_;
  std::unordered_map<std::string, json::Value> parsed_;  // tuple context text -> value
  size_t parsed_bytes_ = 0;
};

}  // namespace agentauthz::core
