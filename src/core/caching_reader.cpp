#include "core/caching_reader.h"

namespace agentauthz::core {

namespace {

// Appends parts separated by a byte that cannot occur in any of them.
void build_key(std::string* key, char kind, std::initializer_list<std::string_view> parts) {
  key->clear();
  key->push_back(kind);
  for (std::string_view part : parts) {
    key->push_back('\x1f');
    key->append(part);
  }
}

constexpr size_t kEntryOverhead = 64;

}  // namespace

void CachingReader::clear() {
  subjects_.clear();
  objects_.clear();
  bytes_ = 0;
}

void CachingReader::account(size_t bytes) {
  bytes_ += bytes + kEntryOverhead;
}

// Point lookups are not cached: each names one subject, and the evaluator
// already remembers per-subject results; caching them would only fill memory
// during a large scan.
bool CachingReader::contains(const ObjectKey& object, std::string_view relation,
                             const SubjectKey& subject) {
  return inner_.contains(object, relation, subject);
}

void CachingReader::read_subjects(const ObjectKey& object, std::string_view relation,
                                  SubjectFilter filter, SubjectVisitor visit) {
  build_key(&key_, filter == SubjectFilter::All ? 's' : 'u', {object.type, object.id, relation});
  auto found = subjects_.find(key_);
  if (found == subjects_.end()) {
    ++misses_;
    StringList list;
    inner_.read_subjects(object, relation, filter, [&](const SubjectKey& subject) {
      list.add(format_subject(subject));
      return true;
    });
    if (bytes_ > max_bytes_) clear();
    account(key_.size() + list.data.size() + list.ends.size() * 4);
    found = subjects_.emplace(key_, std::move(list)).first;
  } else {
    ++hits_;
  }
  const StringList& list = found->second;
  for (size_t i = 0; i < list.ends.size(); ++i)
    if (!visit(split_subject(list.at(i)))) return;
}

void CachingReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, ObjectVisitor visit) {
  build_key(&key_, 'o', {subject.type, subject.id, subject.relation, relation, object_type});
  auto found = objects_.find(key_);
  if (found == objects_.end()) {
    ++misses_;
    StringList list;
    inner_.read_objects(subject, relation, object_type, [&](const ObjectKey& object) {
      list.add(format_object(object.type, object.id));
      return true;
    });
    if (bytes_ > max_bytes_) clear();
    account(key_.size() + list.data.size() + list.ends.size() * 4);
    found = objects_.emplace(key_, std::move(list)).first;
  } else {
    ++hits_;
  }
  const StringList& list = found->second;
  for (size_t i = 0; i < list.ends.size(); ++i)
    if (!visit(split_object(list.at(i)))) return;
}

}  // namespace agentauthz::core
