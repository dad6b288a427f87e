// A set of 64-bit integers built once and then only probed: the ids an
// actor may see, tested against every row of an RLS scan. Ids that are
// dense (a range at most kBitsPerId times the count) go in a bitmap, a
// single memory access per probe that fits in cache where a hash table of
// the same ids would not; sparse ids go in a hash table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/flat_map.h"

namespace agentauthz::core {

class IntegerSet {
 public:
  static constexpr uint64_t kBitsPerId = 256;

  // Replaces the contents with `ids` (any order, duplicates allowed).
  void assign(const std::vector<int64_t>& ids);
  bool contains(int64_t id) const {
    if (dense_) {
      uint64_t offset = static_cast<uint64_t>(id) - static_cast<uint64_t>(low_);
      return offset < range_ && (bits_[offset >> 6] >> (offset & 63) & 1) != 0;
    }
    return sparse_.find(id) != nullptr;
  }
  size_t size() const { return size_; }
  size_t bytes() const { return bits_.capacity() * sizeof(uint64_t) + sparse_.bytes(); }
  // Empties the set and frees its memory.
  void clear() { *this = IntegerSet(); }

 private:
  struct Hash {
    size_t operator()(int64_t key) const {
      return static_cast<size_t>(mix64(static_cast<uint64_t>(key)));
    }
  };

  bool dense_ = true;
  int64_t low_ = 0;
  uint64_t range_ = 0;  // ids low_ .. low_ + range_ - 1 are covered by bits_
  std::vector<uint64_t> bits_;
  FlatMap<int64_t, uint8_t, Hash> sparse_;
  size_t size_ = 0;
};

// Collects ids that may come more than once (a listing reports an object
// once per path to it), sorting out repeats whenever the list doubles:
// memory stays within a few times the distinct ids (the list's capacity
// is what it reached before the last compaction), however many paths.
class IntegerCollector {
 public:
  void add(int64_t id) {
    ids_.push_back(id);
    if (ids_.size() >= compact_at_) compact();
  }
  // At least the distinct ids held; exactly that right after compact().
  size_t size() const { return ids_.size(); }
  // Sorts the ids and drops repeats.
  void compact();
  // The distinct ids, sorted.
  const std::vector<int64_t>& ids() {
    compact();
    return ids_;
  }

 private:
  static constexpr size_t kFirstCompaction = 4096;
  std::vector<int64_t> ids_;
  size_t compact_at_ = kFirstCompaction;
};

}  // namespace agentauthz::core
