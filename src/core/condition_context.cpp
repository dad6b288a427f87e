#include "core/condition_context.h"

#include <charconv>
#include <system_error>
#include <utility>
#include <vector>

#include "core/cel/convert.h"
#include "core/error.h"
#include "core/json/json_parse.h"

namespace agentauthz::core {

namespace {

// Whether two sources give one value: the same JSON, or numbers of equal
// value however written (100 and 100.0, 1e2). long double holds every
// int64 and uint64 exactly, so distinct integers never compare equal; a
// number beyond its range compares by its text.
bool same_value(const json::Value& a, const json::Value& b) {
  if (a.kind() == json::Kind::Number && b.kind() == json::Kind::Number) {
    long double x = 0;
    long double y = 0;
    const std::string& at = a.text();
    const std::string& bt = b.text();
    if (std::from_chars(at.data(), at.data() + at.size(), x).ec == std::errc() &&
        std::from_chars(bt.data(), bt.data() + bt.size(), y).ec == std::errc())
      return x == y;
  }
  return a.dump() == b.dump();
}

// Parsed tuple contexts kept per evaluator before it starts over.
constexpr size_t kMaxParsedBytes = 4u << 20;

std::string condition_failure(const std::string& name, const std::string& cause) {
  return "failed to evaluate relationship condition '" + name + "': " + cause;
}

// Lists names as Go prints a []string: [a b].
std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ' ';
    out += names[i];
  }
  return out + "]";
}

}  // namespace

ConditionContext::ConditionContext(json::Value values) : values_(std::move(values)) {
  if (values_.kind() != json::Kind::Object)
    throw Error(ErrorKind::InvalidArgument, "the context must be a JSON object");
  text_ = values_.dump();
}

ConditionContext ConditionContext::from_json(std::string_view text) {
  if (text.empty()) return ConditionContext();
  json::Value value;
  std::string error;
  if (!json::parse(text, &value, &error))
    throw Error(ErrorKind::InvalidArgument, "malformed context: " + error);
  return ConditionContext(std::move(value));
}

void ContextMerger::add(std::string_view source, const json::Value& values) {
  if (values.kind() != json::Kind::Object)
    throw Error(ErrorKind::InvalidArgument,
                "the context of " + std::string(source) + " must be a JSON object");
  for (const json::Value::Member& member : values.members())
    add(source, member.first, member.second);
}

void ContextMerger::add(std::string_view source, const std::string& name,
                        const json::Value& value) {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].first != name) continue;
    if (same_value(members_[i].second, value)) return;
    // The values stay out of the message: an agent may not be shown what
    // its delegations or the session pin.
    throw Error(ErrorKind::InvalidArgument, "condition parameter \"" + name +
                                                "\" is given different values by " + sources_[i] +
                                                " and " + std::string(source));
  }
  members_.emplace_back(name, value);
  sources_.emplace_back(source);
}

bool ContextMerger::has(std::string_view name) const {
  for (const json::Value::Member& member : members_)
    if (member.first == name) return true;
  return false;
}

ConditionContext ContextMerger::result() const {
  return ConditionContext(json::Value::object(members_));
}

void ConditionEvaluator::clear_parsed() {
  parsed_.clear();
  parsed_bytes_ = 0;
}

// Returns the parsed tuple context, parsing it on first use; nullptr (and
// *error) when it is not a JSON object.
const json::Value* ConditionEvaluator::parsed(std::string_view tuple_context, std::string* error) {
  std::string key(tuple_context);
  auto found = parsed_.find(key);
  if (found != parsed_.end()) return &found->second;
  json::Value value;
  if (!json::parse(tuple_context, &value, error)) return nullptr;
  if (value.kind() != json::Kind::Object) {
    *error = "the tuple's context is not a JSON object";
    return nullptr;
  }
  if (parsed_bytes_ > kMaxParsedBytes) clear_parsed();
  parsed_bytes_ += 2 * key.size() + 64;
  return &parsed_.emplace(std::move(key), std::move(value)).first->second;
}

const std::vector<ConditionEvaluator::RequestValue>& ConditionEvaluator::request_values(
    const ConditionInfo& info, ConditionId id) {
  auto index = static_cast<size_t>(id);
  if (request_values_.size() <= index) request_values_.resize(index + 1);
  std::unique_ptr<std::vector<RequestValue>>& values = request_values_[index];
  if (values) return *values;
  values = std::make_unique<std::vector<RequestValue>>(info.parameters.size());
  for (size_t i = 0; i < info.parameters.size(); ++i) {
    const json::Value* member = context_.values().find(info.parameters[i].name);
    if (member == nullptr) continue;
    RequestValue& value = (*values)[i];
    value.present = true;
    value.value = cel::convert(*member, info.parameters[i].type, &value.error);
  }
  return *values;
}

// Binds the declared parameters from the tuple's values, else the
// request's, as cel::bind_context would bind the two merged (the tuple's
// win): the first parameter, in declared order, whose value does not
// convert fails the evaluation.
bool ConditionEvaluator::bind(const ConditionInfo& info, ConditionId id, const json::Value* own,
                              cel::Activation* activation, std::string* error) {
  bool own_empty = own == nullptr || own->members().empty();
  if (context_.values().members().empty() && own_empty) return true;
  if (info.parameters.empty()) {
    *error = "no parameters defined for the condition";
    return false;
  }
  const std::vector<RequestValue>& request = request_values(info, id);
  for (size_t i = 0; i < info.parameters.size(); ++i) {
    const cel::Parameter& parameter = info.parameters[i];
    const json::Value* member = own_empty ? nullptr : own->find(parameter.name);
    std::string why;
    cel::Value value;
    if (member != nullptr) {
      value = cel::convert(*member, parameter.type, &why);
    } else if (request[i].present) {
      why = request[i].error;
      value = request[i].value;
    } else {
      continue;
    }
    if (!why.empty()) {
      *error = "failed to convert context parameter '" + parameter.name + "': " + why;
      return false;
    }
    activation->set(parameter.name, std::move(value));
  }
  return true;
}

// Merges the request's and the tuple's values (the tuple's win), binds the
// declared parameters and runs the condition's program.
ConditionResult ConditionEvaluator::evaluate(const Model& model, ConditionId condition,
                                             std::string_view tuple, std::string_view tuple_context,
                                             bool want_values) {
  const ConditionInfo& info = model.condition(condition);
  ConditionResult result;
  const json::Value* own = nullptr;
  if (!tuple_context.empty()) {
    std::string why;
    own = parsed(tuple_context, &why);
    if (own == nullptr) {
      result.error = condition_failure(info.name, why);
      return result;
    }
  }
  cel::Activation activation;
  std::string why;
  if (!bind(info, condition, own, &activation, &why)) {
    result.error = condition_failure(info.name, why);
    return result;
  }
  if (want_values) {
    std::vector<json::Value::Member> members = context_.values().members();
    if (own != nullptr) members.insert(members.end(), own->members().begin(), own->members().end());
    json::Value merged = json::Value::object(std::move(members));
    std::vector<json::Value::Member> used;
    for (const cel::Parameter& parameter : info.parameters)
      if (const json::Value* value = merged.find(parameter.name))
        used.emplace_back(parameter.name, *value);
    result.values = json::Value::object(std::move(used)).dump();
  }
  cel::Outcome outcome = info.program->evaluate(activation);
  switch (outcome.result) {
    case cel::Result::True:
      result.verdict = ConditionVerdict::Met;
      break;
    case cel::Result::False:
      result.verdict = ConditionVerdict::NotMet;
      break;
    case cel::Result::Missing:
      result.error = condition_failure(info.name, "tuple '" + std::string(tuple) +
                                                      "' is missing context parameters '" +
                                                      go_list(outcome.missing) + "'");
      break;
    case cel::Result::Error:
      result.error =
          condition_failure(info.name, "failed to evaluate condition expression: " + outcome.error);
      break;
  }
  return result;
}

}  // namespace agentauthz::core
