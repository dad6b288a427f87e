// How the tuple caches (CachingReader in each backend, the shared cache in
// the adapter) spell a lookup's key and the items it returned: strings that
// no object, relation, subject, condition name or JSON context can confuse.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/tuple_key.h"

namespace agentauthz::core {

// Builds a lookup key: a kind byte, then parts separated by a byte that
// cannot occur in any of them.
inline void build_lookup_key(std::string* key, char kind,
                             std::initializer_list<std::string_view> parts) {
  key->clear();
  key->push_back(kind);
  for (std::string_view part : parts) {
    key->push_back('\x1f');
    key->append(part);
  }
}

// Separates an item's key text from its tuple's condition name and
// context; no key, condition name or JSON text (which escapes control
// characters) contains it.
constexpr char kConditionMark = '\x1e';
// Separates a relation from the subject in an item of a whole object.
constexpr char kRelationMark = '\x1d';

// The parts of an item: a subject read from a tuple, with its condition.
template <typename Add>
void add_subject_item(Add&& add, const SubjectKey& subject) {
  std::string_view mark = subject.condition.empty() ? std::string_view() : "\x1e";
  std::string_view name = subject.condition.name;
  std::string_view context = subject.condition.context;
  if (subject.is_userset())
    add({subject.type, ":", subject.id, "#", subject.relation, mark, name, mark, context});
  else
    add({subject.type, ":", subject.id, mark, name, mark, context});
}

// The parts of an item: an object read from a tuple, with its condition.
template <typename Add>
void add_object_item(Add&& add, const ObjectKey& object) {
  std::string_view mark = object.condition.empty() ? std::string_view() : "\x1e";
  add({object.type, ":", object.id, mark, object.condition.name, mark, object.condition.context});
}

// Splits an item into its key text and its tuple's condition.
inline std::string_view split_condition(std::string_view item, TupleCondition* condition) {
  size_t mark = item.find(kConditionMark);
  if (mark == std::string_view::npos) return item;
  std::string_view rest = item.substr(mark + 1);
  size_t second = rest.find(kConditionMark);
  condition->name = rest.substr(0, second);
  condition->context = rest.substr(second + 1);
  return item.substr(0, mark);
}

// The subject (and condition) an item holds; views into `item`.
inline SubjectKey subject_item(std::string_view item) {
  TupleCondition condition;
  SubjectKey subject = split_subject(split_condition(item, &condition));
  subject.condition = condition;
  return subject;
}

// The object (and condition) an item holds; views into `item`.
inline ObjectKey object_item(std::string_view item) {
  TupleCondition condition;
  ObjectKey object = split_object(split_condition(item, &condition));
  object.condition = condition;
  return object;
}

}  // namespace agentauthz::core
