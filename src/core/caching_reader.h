// A per-statement cache in front of a tuple reader: within one snapshot the
// same lookup always has the same answer, and an RLS scan or a batch of
// checks repeats many of them (a folder's viewers, a document's parent).
// The owner clears it whenever the visible tuples may have changed.
// Visitors must not call back into the reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/flat_map.h"
#include "core/tuple_reader.h"

namespace agentauthz::core {

class CachingReader : public TupleReader {
 public:
  explicit CachingReader(TupleReader& inner, size_t max_bytes = 64u << 20)
      : inner_(inner), max_bytes_(max_bytes) {}

  bool contains(const ObjectKey& object, std::string_view relation, const SubjectKey& subject,
                TupleCondition* condition) override;
  void read_subjects(const ObjectKey& object, std::string_view relation, SubjectFilter filter,
                     SubjectVisitor visit) override;
  bool read_few_subjects(const ObjectKey& object, std::string_view relation, size_t limit,
                         SubjectVisitor visit) override;
  bool read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) override;
  void read_objects(const SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, ObjectVisitor visit) override;

  // Forgets everything cached, and frees what it took.
  void clear();
  // The memory held: the entries' strings and lists as allocated, the
  // entries themselves and the index.
  size_t bytes() const { return bytes_ + entries_.capacity() * sizeof(Entry) + index_.bytes(); }
  // Sets the size at which the cache starts over (checked before each new entry).
  void set_max_bytes(size_t max_bytes) { max_bytes_ = max_bytes; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  // One cached lookup: its key and the strings it returned, end to end.
  struct Entry {
    std::string key;
    std::string data;
    std::vector<uint32_t> ends;
    // A list read with a limit it exceeded holds nothing but that fact.
    bool complete = true;
    size_t more_than = 0;
    std::string_view at(size_t i) const {
      uint32_t begin = i == 0 ? 0 : ends[i - 1];
      return std::string_view(data).substr(begin, ends[i] - begin);
    }
  };
  struct HashIdentity {
    size_t operator()(uint64_t h) const { return static_cast<size_t>(h); }
  };

  // Returns the entry cached under key_ when `usable` accepts it; otherwise
  // fills a new one with `fill` (which gets a function appending one string
  // from its parts and returns whether the list is complete).
  template <typename Usable, typename Fill>
  const Entry& cached(Usable&& usable, Fill&& fill, size_t limit);

  TupleReader& inner_;
  size_t max_bytes_;
  size_t bytes_ = 0;  // held by the entries' members
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  std::string key_;                                  // scratch, reused to build lookup keys
  FlatMap<uint64_t, uint32_t, HashIdentity> index_;  // key hash -> entries_ index + 1
  std::vector<Entry> entries_;
};

}  // namespace agentauthz::core
