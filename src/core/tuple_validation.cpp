#include "core/tuple_validation.h"

#include <string>

#include "core/error.h"

namespace agentauthz::core {

namespace {

std::string describe(std::string_view object, std::string_view relation, std::string_view subject) {
  return std::string(object) + "#" + std::string(relation) + "@" + std::string(subject);
}

// Lists a relation's type restrictions for an error message.
std::string restrictions(const Model& model, const RelationInfo& info) {
  std::string out = "[";
  for (size_t i = 0; i < info.direct.size(); ++i) {
    const TypeRestriction& r = info.direct[i];
    if (i) out += ", ";
    out += model.type(r.type).name;
    if (r.wildcard) out += ":*";
    if (r.relation >= 0) out += "#" + model.relation(r.relation).name;
  }
  return out + "]";
}

}  // namespace

// Validates a tuple's format and that the model allows it.
ValidatedTuple validate_tuple(const Model& model, std::string_view object,
                              std::string_view relation, std::string_view subject) {
  ValidatedTuple tuple;
  tuple.object = parse_object(object);
  check_relation_name(relation);
  tuple.subject = parse_subject(subject);

  tuple.object_type = model.find_type(tuple.object.type);
  if (tuple.object_type < 0)
    throw Error(
        ErrorKind::UndefinedName,
        "type " + quote_for_message(tuple.object.type) + " is not defined in the active model",
        "tuple " + describe(object, relation, subject));
  tuple.relation = model.find_relation(tuple.object_type, relation);
  if (tuple.relation < 0)
    throw Error(ErrorKind::UndefinedName,
                "relation " + quote_for_message(relation) + " is not defined on type " +
                    quote_for_message(tuple.object.type),
                "tuple " + describe(object, relation, subject));

  TypeId subject_type = model.find_type(tuple.subject.type);
  if (subject_type < 0)
    throw Error(
        ErrorKind::UndefinedName,
        "type " + quote_for_message(tuple.subject.type) + " is not defined in the active model",
        "tuple " + describe(object, relation, subject));
  RelationId subject_relation = -1;
  if (tuple.subject.is_userset()) {
    subject_relation = model.find_relation(subject_type, tuple.subject.relation);
    if (subject_relation < 0)
      throw Error(ErrorKind::UndefinedName,
                  "relation " + quote_for_message(tuple.subject.relation) +
                      " is not defined on type " + quote_for_message(tuple.subject.type),
                  "tuple " + describe(object, relation, subject));
  }

  const RelationInfo& info = model.relation(tuple.relation);
  if (!model.allows(tuple.relation, subject_type, subject_relation, tuple.subject.is_wildcard())) {
    std::string shape = std::string(tuple.subject.type);
    if (tuple.subject.is_wildcard()) shape += ":*";
    if (tuple.subject.is_userset()) shape += "#" + std::string(tuple.subject.relation);
    std::string why = info.direct.empty()
                          ? "relation " + info.name + " of type " + model.type(info.type).name +
                                " cannot be assigned directly"
                          : "relation " + info.name + " of type " + model.type(info.type).name +
                                " allows " + restrictions(model, info) + ", not " + shape;
    throw Error(
        ErrorKind::NotAllowed,
        "tuple " + describe(object, relation, subject) + " is not allowed by the active model",
        why);
  }
  return tuple;
}

}  // namespace agentauthz::core
