// The ids a listing returns, held in one buffer -- a listing of 100,000
// objects would otherwise allocate 100,000 strings -- and put in byte
// order without repeats at once. Ids are compared by their first eight
// bytes as one integer, and only on a tie byte by byte: most comparisons
// of ids sharing a type's prefix cost one instruction, not a memcmp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::core {

class IdList {
 public:
  void add(std::string_view id);
  // Sorts the ids in byte order and drops repeats.
  void sort_unique();
  size_t size() const { return entries_.size(); }
  std::string_view operator[](size_t i) const {
    return std::string_view(bytes_).substr(entries_[i].offset, entries_[i].length);
  }
  // The length of the longest id.
  size_t longest() const { return longest_; }

 private:
  struct Entry {
    uint64_t prefix;  // the first eight bytes, big-endian, zero-padded
    size_t offset;
    size_t length;
  };
  std::string bytes_;
  std::vector<Entry> entries_;
  size_t longest_ = 0;
};

}  // namespace agentauthz::core
