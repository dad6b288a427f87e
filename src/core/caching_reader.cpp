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

// Appends `parts` to `data` as one item of an entry.
template <typename Entry>
void append_item(Entry* entry, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) entry->data.append(part);
  entry->ends.push_back(static_cast<uint32_t>(entry->data.size()));
}

// Separates a cached key from its tuple's condition name and context; no
// key, condition name or JSON text (which escapes control characters)
// contains it.
constexpr char kConditionMark = '\x1e';

// The parts that cache a subject read from a tuple, with its condition.
template <typename Add>
void add_subject(Add&& add, const SubjectKey& subject) {
  std::string_view mark = subject.condition.empty() ? std::string_view() : "\x1e";
  std::string_view name = subject.condition.name;
  std::string_view context = subject.condition.context;
  if (subject.is_userset())
    add({subject.type, ":", subject.id, "#", subject.relation, mark, name, mark, context});
  else
    add({subject.type, ":", subject.id, mark, name, mark, context});
}

// Splits a cached item into its key text and its tuple's condition.
std::string_view split_condition(std::string_view item, TupleCondition* condition) {
  size_t mark = item.find(kConditionMark);
  if (mark == std::string_view::npos) return item;
  std::string_view rest = item.substr(mark + 1);
  size_t second = rest.find(kConditionMark);
  condition->name = rest.substr(0, second);
  condition->context = rest.substr(second + 1);
  return item.substr(0, mark);
}

SubjectKey cached_subject(std::string_view item) {
  TupleCondition condition;
  SubjectKey subject = split_subject(split_condition(item, &condition));
  subject.condition = condition;
  return subject;
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
  build_key(&key_, filter == SubjectFilter::All ? 's' : 'u', {object.type, object.id, relation});
  const Entry& entry =
      cached([](const Entry& e) { return e.complete; },
             [&](auto&& add) {
               inner_.read_subjects(object, relation, filter, [&](const SubjectKey& subject) {
                 add_subject(add, subject);
                 return true;
               });
               return true;
             },
             0);
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(cached_subject(entry.at(i)))) return;
}

// Visits at most `limit` subjects of (object, relation) from the cache; false when there are more.
bool CachingReader::read_few_subjects(const ObjectKey& object, std::string_view relation,
                                      size_t limit, SubjectVisitor visit) {
  // Shares its entries with read_subjects(All): a complete list answers both.
  build_key(&key_, 's', {object.type, object.id, relation});
  const Entry& entry = cached([&](const Entry& e) { return e.complete || e.more_than >= limit; },
                              [&](auto&& add) {
                                return inner_.read_few_subjects(object, relation, limit,
                                                                [&](const SubjectKey& subject) {
                                                                  add_subject(add, subject);
                                                                  return true;
                                                                });
                              },
                              limit);
  if (!entry.complete || entry.ends.size() > limit) return false;
  for (size_t i = 0; i < entry.ends.size(); ++i)
    if (!visit(cached_subject(entry.at(i)))) break;
  return true;
}

// Visits the objects of a type related to `subject` from the cache.
void CachingReader::read_objects(const SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, ObjectVisitor visit) {
  build_key(&key_, 'o', {subject.type, subject.id, subject.relation, relation, object_type});
  const Entry& entry =
      cached([](const Entry& e) { return e.complete; },
             [&](auto&& add) {
               inner_.read_objects(subject, relation, object_type, [&](const ObjectKey& object) {
                 std::string_view mark = object.condition.empty() ? std::string_view() : "\x1e";
                 add({object.type, ":", object.id, mark, object.condition.name, mark,
                      object.condition.context});
                 return true;
               });
               return true;
             },
             0);
  for (size_t i = 0; i < entry.ends.size(); ++i) {
    TupleCondition condition;
    ObjectKey object = split_object(split_condition(entry.at(i), &condition));
    object.condition = condition;
    if (!visit(object)) return;
  }
}

}  // namespace agentauthz::core
