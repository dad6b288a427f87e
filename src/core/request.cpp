#include "core/request.h"

#include <string>

#include "core/error.h"
#include "core/tuple_key.h"

namespace agentauthz::core {

TypeId RequestResolver::type(std::string_view name) const {
  check_type_name(name);
  TypeId id = model_.find_type(name);
  if (id < 0)
    throw Error(ErrorKind::UndefinedName,
                "type " + quote_for_message(name) + " is not defined in the active model");
  return id;
}

RelationId RequestResolver::relation(TypeId type, std::string_view name) const {
  check_relation_name(name);
  RelationId id = model_.find_relation(type, name);
  if (id < 0)
    throw Error(ErrorKind::UndefinedName, "relation " + quote_for_message(name) +
                                              " is not defined on type " +
                                              quote_for_message(model_.type(type).name));
  return id;
}

Object RequestResolver::object(std::string_view text) const {
  ObjectKey key = parse_object(text);
  Object object;
  object.type = type(key.type);
  object.id = interner_.intern(key.id);
  return object;
}

Subject RequestResolver::subject(std::string_view text) const {
  SubjectKey key = parse_subject(text);
  Subject subject;
  subject.type = type(key.type);
  subject.id = interner_.intern(key.id);
  if (key.is_userset()) subject.relation = relation(subject.type, key.relation);
  return subject;
}

Subject RequestResolver::subject_filter(std::string_view text) const {
  size_t hash = text.find('#');
  Subject filter;
  filter.type = type(text.substr(0, hash));
  if (hash != std::string_view::npos)
    filter.relation = relation(filter.type, text.substr(hash + 1));
  return filter;
}

}  // namespace agentauthz::core
