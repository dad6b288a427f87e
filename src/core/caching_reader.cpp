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

// Objects with at most this many tuples are read whole, once.
constexpr size_t kSmallObject = 64;

// Appends `parts` to `data` as one item of an entry.
template <typename Entry>
void append_item(Entry* entry, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) entry->data.append(part);
  entry->ends.push_back(static_cast<uint32_t>(entry->data.size()));
}

}  // namespace

void CachingReader::clear() {
  index_.clear();
  entries_.clear();
  bytes_ = 0;
}

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
  if (bytes_ > max_bytes_) clear();
  bytes_ += kEntryOverhead + fresh.key.size() + fresh.data.size() + fresh.ends.size() * 4;
  entries_.push_back(std::move(fresh));
  index_.set(hash, static_cast<uint32_t>(entries_.size()));
  return entries_.back();
}

const CachingReader::Entry* CachingReader::small_object(const ObjectKey& object) {
  build_key(&key_, 'O', {object.type, object.id});
  const Entry& entry = cached(
      [](const Entry&) { return true; },
      [&](auto&& add) {
        return inner_.read_object(object, kSmallObject,
                                  [&](std::string_view relation, const SubjectKey& subject) {
                                    if (subject.is_userset())
                                      add({relation, "\x1f", subject.type, ":", subject.id, "#",
                                           subject.relation});
                                    else
                                      add({relation, "\x1f", subject.type, ":", subject.id});
                                    return true;
                                  });
      },
      kSmallObject);
  return entry.complete ? &entry : nullptr;
}

template <typename Visit>
void CachingReader::for_relation(const Entry& entry, std::string_view relation, Visit&& visit) {
  for (size_t i = 0; i < entry.ends.size(); ++i) {
    std::string_view item = entry.at(i);
    if (item.size() > relation.size() && item[relation.size()] == '\x1f' &&
        item.compare(0, relation.size(), relation) == 0) {
      if (!visit(item.substr(relation.size() + 1))) return;
    }
  }
}

// A point lookup is answered from the object's tuples when it is small, and
// otherwise not cached: it names one subject, and the evaluator already
// remembers per-subject results.
bool CachingReader::contains(const ObjectKey& object, std::string_view relation,
                             const SubjectKey& subject) {
  const Entry* entry = small_object(object);
  if (entry == nullptr) return inner_.contains(object, relation, subject);
  bool found = false;
  for_relation(*entry, relation, [&](std::string_view stored) {
    SubjectKey key = split_subject(stored);
    found = key.type == subject.type && key.id == subject.id && key.relation == subject.relation;
    return !found;
  });
  return found;
}

void CachingReader::read_subjects(const ObjectKey& object, std::string_view relation,
                                  SubjectFilter filter, SubjectVisitor visit) {
  if (const Entry* entry = small_object(object)) {
    for_relation(*entry, relation, [&](std::string_view stored) {
      SubjectKey key = split_subject(stored);
      return filter == SubjectFilter::UsersetsOnly && !key.is_userset() ? true : visit(key);
    });
    return;
  }
  build_key(&key_, filter == SubjectFilter::All ? 's' : 'u', {object.type, object.id, relation});
  const Entry& entry = cached(
      [](const Entry& e) { return e.complete; },
      [&](auto&& add) {
        inner_.read_subjects(object, relation, filter, [&](const SubjectKey& subject) {
          if (subject.is_userset())
            add({subject.type, ":", subject.id, "#", subject.relation});
          else
            add({subject.type, ":", subject.id});
          return true;
        });
        return true;
      },
      0);
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(split_subject(entry.at(i)))) return;
}

bool CachingReader::read_few_subjects(const ObjectKey& object, std::string_view relation,
                                      size_t limit, SubjectVisitor visit) {
  if (const Entry* entry = small_object(object)) {
    size_t count = 0;
    for_relation(*entry, relation, [&](std::string_view) { return ++count <= limit; });
    if (count > limit) return false;
    for_relation(*entry, relation, [&](std::string_view stored) { return visit(split_subject(stored)); });
    return true;
  }
  // Shares its entries with read_subjects(All): a complete list answers both.
  build_key(&key_, 's', {object.type, object.id, relation});
  const Entry& entry = cached(
      [&](const Entry& e) { return e.complete || e.more_than >= limit; },
      [&](auto&& add) {
        return inner_.read_few_subjects(object, relation, limit, [&](const SubjectKey& subject) {
          if (subject.is_userset())
            add({subject.type, ":", subject.id, "#", subject.relation});
          else
            add({subject.type, ":", subject.id});
          return true;
        });
      },
      limit);
  if (!entry.complete || entry.ends.size() > limit) return false;
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(split_subject(entry.at(i)))) break;
  return true;
}

bool CachingReader::read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) {
  const Entry* entry = small_object(object);
  if (entry == nullptr || entry->ends.size() > limit) return inner_.read_object(object, limit, visit);
  for (size_t i = 0; i < entry->ends.size(); ++i) {
    std::string_view item = entry->at(i);
    size_t split = item.find('\x1f');
    if (!visit(item.substr(0, split), split_subject(item.substr(split + 1)))) break;
  }
  return true;
}

void CachingReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, ObjectVisitor visit) {
  build_key(&key_, 'o', {subject.type, subject.id, subject.relation, relation, object_type});
  const Entry& entry = cached(
      [](const Entry& e) { return e.complete; },
      [&](auto&& add) {
        inner_.read_objects(subject, relation, object_type, [&](const ObjectKey& object) {
          add({object.type, ":", object.id});
          return true;
        });
        return true;
      },
      0);
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(split_object(entry.at(i)))) return;
}

}  // namespace agentauthz::core
