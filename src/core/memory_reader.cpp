#include "core/memory_reader.h"

namespace agentauthz::core {

void MemoryReader::add(std::string_view object, std::string_view relation, std::string_view subject,
                       std::string_view condition, std::string_view condition_context) {
  Condition c{std::string(condition), std::string(condition_context)};
  forward_[Key(object, relation, subject)] = c;
  reverse_[Key(subject, relation, object)] = std::move(c);
}

bool MemoryReader::remove(std::string_view object, std::string_view relation,
                          std::string_view subject) {
  bool existed = forward_.erase(Key(object, relation, subject)) > 0;
  reverse_.erase(Key(subject, relation, object));
  return existed;
}

bool MemoryReader::contains(const ObjectKey& object, std::string_view relation,
                            const SubjectKey& subject, TupleCondition* condition) {
  auto found =
      forward_.find(Key(format_object(object.type, object.id), relation, format_subject(subject)));
  if (found == forward_.end()) return false;
  if (condition != nullptr) *condition = found->second.view();
  return true;
}

void MemoryReader::read_subjects(const ObjectKey& object, std::string_view relation,
                                 SubjectFilter filter, SubjectVisitor visit) {
  std::string obj = format_object(object.type, object.id);
  std::string rel(relation);
  for (auto it = forward_.lower_bound(Key(obj, rel, std::string()));
       it != forward_.end() && std::get<0>(it->first) == obj && std::get<1>(it->first) == rel;
       ++it) {
    SubjectKey subject = split_subject(std::get<2>(it->first));
    subject.condition = it->second.view();
    if (filter == SubjectFilter::UsersetsOnly && !subject.is_userset()) continue;
    if (!visit(subject)) return;
  }
}

bool MemoryReader::read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) {
  std::string obj = format_object(object.type, object.id);
  size_t count = 0;
  for (auto it = forward_.lower_bound(Key(obj, std::string(), std::string()));
       it != forward_.end() && std::get<0>(it->first) == obj; ++it) {
    if (++count > limit) return false;
    SubjectKey subject = split_subject(std::get<2>(it->first));
    subject.condition = it->second.view();
    if (!visit(std::get<1>(it->first), subject)) break;
  }
  return true;
}

void MemoryReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                std::string_view object_type, ObjectVisitor visit) {
  std::string subj = format_subject(subject);
  std::string rel(relation);
  std::string prefix = std::string(object_type) + ":";
  for (auto it = reverse_.lower_bound(Key(subj, rel, prefix));
       it != reverse_.end() && std::get<0>(it->first) == subj && std::get<1>(it->first) == rel &&
       std::get<2>(it->first).compare(0, prefix.size(), prefix) == 0;
       ++it) {
    ObjectKey object = split_object(std::get<2>(it->first));
    object.condition = it->second.view();
    if (!visit(object)) return;
  }
}

}  // namespace agentauthz::core
