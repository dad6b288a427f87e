#include "core/caching_reader.h"

#include "core/lookup_items.h"

namespace agentauthz::core {

namespace {

// Appends `parts` to `data` as one item of an entry.
template <typename Entry>
void append_item(Entry* entry, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) entry->data.append(part);
  entry->ends.push_back(static_cast<uint32_t>(entry->data.size()));
}

}  // namespace

void CachingReader::clear() {
  index_.clear();
  std::vector<Entry>().swap(entries_);  // clear() alone keeps the capacity
  bytes_ = 0;
}

// Returns the usable entry under the current key, filling it from the inner reader on a miss.
template <typename Usable, typename Fill>
const CachingReader::Entry& CachingReader::cached(Usable&& usable, Fill&& fill, size_t limit) {
  uint64_t hash = hash_bytes(key_.data(), key_.size());
  if (const uint32_t* slot = index_.find(hash)) {
    const Entry& entry = entries_[*slot - 1];
    if (entry.key == key_ && usable(entry)) {
      ++hits_;
      return entry;
    }
  }
  ++misses_;
  Entry fresh;
  fresh.key = key_;
  fresh.complete =
      fill([&fresh](std::initializer_list<std::string_view> parts) { append_item(&fresh, parts); });
  if (!fresh.complete) {
    fresh.more_than = limit;
    fresh.data.clear();
    fresh.ends.clear();
  }
  if (bytes() > max_bytes_) clear();
  bytes_ += fresh.key.capacity() + fresh.data.capacity() + fresh.ends.capacity() * sizeof(uint32_t);
  entries_.push_back(std::move(fresh));
  index_.set(hash, static_cast<uint32_t>(entries_.size()));
  return entries_.back();
}

// Point lookups are not cached: each names one subject, and the evaluator
// already remembers per-subject results and reads small objects whole.
bool CachingReader::contains(const ObjectKey& object, std::string_view relation,
                             const SubjectKey& subject, TupleCondition* condition) {
  return inner_.contains(object, relation, subject, condition);
}

// Whole-object reads are cached by the evaluator, already resolved.
bool CachingReader::read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) {
  return inner_.read_object(object, limit, visit);
}

// Visits the subjects of (object, relation) from the cache.
void CachingReader::read_subjects(const ObjectKey& object, std::string_view relation,
                                  SubjectFilter filter, SubjectVisitor visit) {
  build_lookup_key(&key_, filter == SubjectFilter::All ? 's' : 'u',
                   {object.type, object.id, relation});
  const Entry& entry =
      cached([](const Entry& e) { return e.complete; },
             [&](auto&& add) {
               inner_.read_subjects(object, relation, filter, [&](const SubjectKey& subject) {
                 add_subject_item(add, subject);
                 return true;
               });
               return true;
             },
             0);
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(subject_item(entry.at(i)))) return;
}

// Visits at most `limit` subjects of (object, relation) from the cache; false when there are more.
bool CachingReader::read_few_subjects(const ObjectKey& object, std::string_view relation,
                                      size_t limit, SubjectVisitor visit) {
  // Shares its entries with read_subjects(All): a complete list answers both.
  build_lookup_key(&key_, 's', {object.type, object.id, relation});
  const Entry& entry = cached([&](const Entry& e) { return e.complete || e.more_than >= limit; },
                              [&](auto&& add) {
                                return inner_.read_few_subjects(object, relation, limit,
                                                                [&](const SubjectKey& subject) {
                                                                  add_subject_item(add, subject);
                                                                  return true;
                                                                });
                              },
                              limit);
  if (!entry.complete || entry.ends.size() > limit) return false;
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(subject_item(entry.at(i)))) break;
  return true;
}

// Visits the objects of a type related to `subject` from the cache.
void CachingReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, ObjectVisitor visit) {
  build_lookup_key(&key_, 'o', {subject.type, subject.id, subject.relation, relation, object_type});
  const Entry& entry =
      cached([](const Entry& e) { return e.complete; },
             [&](auto&& add) {
               inner_.read_objects(subject, relation, object_type, [&](const ObjectKey& object) {
                 add_object_item(add, object);
                 return true;
               });
               return true;
             },
             0);
  for (size_t i = 0; i < entry.ends.size(); ++i) {
    if (!visit(object_item(entry.at(i)))) return;
  }
}

}  // namespace agentauthz::core
