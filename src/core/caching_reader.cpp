#include "core/caching_reader.h"

namespace agentauthz::core {

namespace {

// Builds a lookup key: a kind byte, then parts separated by a byte that
// cannot occur in any of them.
void build_key(std::string* key, char kind, std::initializer_list<std::string_view> parts) {
  key->clear();
  key->push_back(kind);
  for (std::string_view part : parts) {
    key->push_back('\x1f');
    key->append(part);
  }
}

constexpr size_t kEntryOverhead = 96;

}  // namespace

void CachingReader::clear() {
  index_.clear();
  entries_.clear();
  bytes_ = 0;
}

template <typename Fill>
const CachingReader::Entry& CachingReader::cached(Fill&& fill) {
  uint64_t hash = hash_bytes(key_.data(), key_.size());
  if (const uint32_t* slot = index_.find(hash)) {
    const Entry& entry = entries_[*slot - 1];
    if (entry.key == key_) {
      ++hits_;
      return entry;
    }
  }
  ++misses_;
  Entry fresh;
  fresh.key = key_;
  fill([&fresh](std::string_view a, char separator, std::string_view b, std::string_view c) {
    fresh.data.append(a).append(1, ':').append(b);
    if (!c.empty()) fresh.data.append(1, separator).append(c);
    fresh.ends.push_back(static_cast<uint32_t>(fresh.data.size()));
  });
  if (bytes_ > max_bytes_) clear();
  bytes_ += kEntryOverhead + fresh.key.size() + fresh.data.size() + fresh.ends.size() * 4;
  entries_.push_back(std::move(fresh));
  index_.set(hash, static_cast<uint32_t>(entries_.size()));
  return entries_.back();
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
  const Entry& entry = cached([&](auto&& add) {
    inner_.read_subjects(object, relation, filter, [&](const SubjectKey& subject) {
      add(subject.type, '#', subject.id, subject.relation);
      return true;
    });
  });
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(split_subject(entry.at(i)))) return;
}

void CachingReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, ObjectVisitor visit) {
  build_key(&key_, 'o', {subject.type, subject.id, subject.relation, relation, object_type});
  const Entry& entry = cached([&](auto&& add) {
    inner_.read_objects(subject, relation, object_type, [&](const ObjectKey& object) {
      add(object.type, 0, object.id, {});
      return true;
    });
  });
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(split_object(entry.at(i)))) return;
}

}  // namespace agentauthz::core
