#include "core/tuple_validation.h"

#include <string>

#include "core/cel/convert.h"
#include "core/error.h"
#include "core/json/json_parse.h"

namespace agentauthz::core {

namespace {

std::string describe(std::string_view object, std::string_view relation, std::string_view subject) {
  return std::string(object) + "#" + std::string(relation) + "@" + std::string(subject);
}

// Prints a subject shape as a type restriction names it: user, user:*, group#member.
std::string shape_text(const Model& model, TypeId type, RelationId relation, bool wildcard) {
  std::string out = model.type(type).name;
  if (wildcard) out += ":*";
  if (relation >= 0) out += "#" + model.relation(relation).name;
  return out;
}

// Lists a relation's type restrictions for an error message, as the DSL
// writes them: [user, user with in_region, group#member].
std::string restrictions(const Model& model, const RelationInfo& info) {
  std::string out;
  for (const TypeRestriction& r : info.direct) {
    std::string shape = shape_text(model, r.type, r.relation, r.wildcard);
    if (r.unconditional) out += (out.empty() ? "" : ", ") + shape;
    for (ConditionId c : r.conditions)
      out += (out.empty() ? "" : ", ") + shape + " with " + model.condition(c).name;
  }
  return "[" + out + "]";
}

// Checks what needs no model: a name for any context, the name's length,
// and the context's size and form. Returns the context (an empty object
// when none was given).
json::Value parse_condition(const ConditionInput& input, const std::string& tuple) {
  if (!input.name) {
    if (input.context)
      throw Error(ErrorKind::InvalidArgument, "a condition context needs a condition name",
                  "tuple " + tuple);
    return json::Value::object({});
  }
  std::string_view name = *input.name;
  if (name.empty())
    throw Error(ErrorKind::InvalidArgument, "invalid condition name \"\": the name is empty",
                "tuple " + tuple);
  if (name.size() > kMaxConditionNameLength)
    throw Error(ErrorKind::InvalidArgument,
                "invalid condition name " + quote_for_message(name) + ": longer than " +
                    std::to_string(kMaxConditionNameLength) + " bytes",
                "tuple " + tuple);
  if (!input.context) return json::Value::object({});
  std::string_view text = *input.context;
  if (text.size() > kMaxConditionContextLength)
    throw Error(ErrorKind::LimitExceeded,
                "a condition context of " + std::to_string(text.size()) +
                    " bytes is longer than the limit of " +
                    std::to_string(kMaxConditionContextLength) + " bytes",
                "tuple " + tuple);
  json::Value context;
  std::string error;
  if (!json::parse(text, &context, &error))
    throw Error(ErrorKind::InvalidArgument, "the condition context is not valid JSON: " + error,
                "tuple " + tuple);
  if (context.kind() != json::Kind::Object)
    throw Error(ErrorKind::InvalidArgument, "the condition context must be a JSON object",
                "tuple " + tuple);
  return context;
}

// Checks a context against its condition's parameters as OpenFGA does on
// write: every value converts to its parameter's declared type, and every
// key names a declared parameter.
void check_context(const ConditionInfo& condition, const json::Value& context,
                   const std::string& tuple) {
  std::string prefix = "invalid context for condition " + quote_for_message(condition.name) + ": ";
  cel::Activation activation;
  std::string error;
  if (!cel::bind_context(context, condition.parameters, &activation, &error))
    throw Error(ErrorKind::InvalidArgument, prefix + error, "tuple " + tuple);
  for (const json::Value::Member& member : context.members()) {
    bool declared = false;
    for (const cel::Parameter& parameter : condition.parameters)
      declared = declared || parameter.name == member.first;
    if (!declared)
      throw Error(ErrorKind::InvalidArgument,
                  prefix + quote_for_message(member.first) + " is not a parameter of the condition",
                  "tuple " + tuple);
  }
}

// What a tuple's subject names in the model.
struct SubjectShape {
  TypeId type = -1;
  RelationId relation = -1;
  bool wildcard = false;
};

// Resolves the tuple's object type, relation and subject shape; throws
// UndefinedName for what the model does not define.
SubjectShape resolve(const Model& model, ValidatedTuple* tuple, std::string_view relation,
                     const std::string& text) {
  tuple->object_type = model.find_type(tuple->object.type);
  if (tuple->object_type < 0)
    throw Error(
        ErrorKind::UndefinedName,
        "type " + quote_for_message(tuple->object.type) + " is not defined in the active model",
        "tuple " + text);
  tuple->relation = model.find_relation(tuple->object_type, relation);
  if (tuple->relation < 0)
    throw Error(ErrorKind::UndefinedName,
                "relation " + quote_for_message(relation) + " is not defined on type " +
                    quote_for_message(tuple->object.type),
                "tuple " + text);
  SubjectShape shape;
  shape.wildcard = tuple->subject.is_wildcard();
  shape.type = model.find_type(tuple->subject.type);
  if (shape.type < 0)
    throw Error(
        ErrorKind::UndefinedName,
        "type " + quote_for_message(tuple->subject.type) + " is not defined in the active model",
        "tuple " + text);
  if (tuple->subject.is_userset()) {
    shape.relation = model.find_relation(shape.type, tuple->subject.relation);
    if (shape.relation < 0)
      throw Error(ErrorKind::UndefinedName,
                  "relation " + quote_for_message(tuple->subject.relation) +
                      " is not defined on type " + quote_for_message(tuple->subject.type),
                  "tuple " + text);
  }
  return shape;
}

// Refuses the tuple: the relation's restrictions allow no such tuple.
[[noreturn]] void not_allowed(const Model& model, const RelationInfo& info, const std::string& text,
                              const std::string& what) {
  std::string owner = "relation " + info.name + " of type " + model.type(info.type).name;
  std::string why = info.direct.empty()
                        ? owner + " cannot be assigned directly"
                        : owner + " allows " + restrictions(model, info) + ", not " + what;
  throw Error(ErrorKind::NotAllowed, "tuple " + text + " is not allowed by the active model", why);
}

}  // namespace

// Validates a tuple's format, then that the model allows it with its
// condition and that the condition's context fits the condition.
ValidatedTuple validate_tuple(const Model& model, std::string_view object,
                              std::string_view relation, std::string_view subject,
                              const ConditionInput& condition) {
  ValidatedTuple tuple;
  tuple.object = parse_object(object);
  check_relation_name(relation);
  tuple.subject = parse_subject(subject);
  std::string text = describe(object, relation, subject);
  json::Value context = parse_condition(condition, text);

  SubjectShape shape = resolve(model, &tuple, relation, text);
  const RelationInfo& info = model.relation(tuple.relation);
  std::string shape_name = shape_text(model, shape.type, shape.relation, shape.wildcard);
  if (!model.allows(tuple.relation, shape.type, shape.relation, shape.wildcard))
    not_allowed(model, info, text, shape_name);

  if (!condition.name) {
    if (!model.allows_tuple(tuple.relation, shape.type, shape.relation, shape.wildcard, -1))
      not_allowed(model, info, text, shape_name + " without a condition");
    return tuple;
  }
  tuple.condition = model.find_condition(*condition.name);
  if (tuple.condition < 0)
    throw Error(
        ErrorKind::UndefinedName,
        "condition " + quote_for_message(*condition.name) + " is not defined in the active model",
        "tuple " + text);
  if (!model.allows_tuple(tuple.relation, shape.type, shape.relation, shape.wildcard,
                          tuple.condition))
    not_allowed(model, info, text, shape_name + " with " + model.condition(tuple.condition).name);
  check_context(model.condition(tuple.condition), context, text);
  return tuple;
}

}  // namespace agentauthz::core
