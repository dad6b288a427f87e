#include "core/integer_set.h"

#include <algorithm>

namespace agentauthz::core {

// Replaces the set's members: a bitmap when they are dense, a sorted array otherwise.
void IntegerSet::assign(const std::vector<int64_t>& ids) {
  bits_.clear();
  sparse_.clear();
  size_ = 0;
  low_ = 0;
  range_ = 0;
  dense_ = true;
  if (ids.empty()) return;
  auto [low, high] = std::minmax_element(ids.begin(), ids.end());
  // Unsigned arithmetic: the span of INT64_MIN .. INT64_MAX does not overflow.
  uint64_t span = static_cast<uint64_t>(*high) - static_cast<uint64_t>(*low);
  dense_ = span / kBitsPerId < ids.size();
  if (dense_) {
    low_ = *low;
    range_ = span + 1;
    bits_.assign(static_cast<size_t>(range_ / 64 + 1), 0);
    for (int64_t id : ids) {
      uint64_t offset = static_cast<uint64_t>(id) - static_cast<uint64_t>(low_);
      uint64_t& word = bits_[offset >> 6];
      uint64_t bit = uint64_t{1} << (offset & 63);
      if ((word & bit) == 0) ++size_;
      word |= bit;
    }
    return;
  }
  for (int64_t id : ids)
    if (sparse_.insert(id, 1).second) ++size_;
}

void IntegerCollector::compact() {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  compact_at_ = std::max(kFirstCompaction, ids_.size() * 2);
}

}  // namespace agentauthz::core
