// The items of one lookup as the shared cache stores them: the strings a
// lookup returned (core/lookup_items.h), end to end, with their ends, or
// only the fact that there were more than a limit.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::core {

class SharedItems {
 public:
  void clear() {
    complete_ = true;
    more_than_ = 0;
    data_.clear();
    ends_.clear();
  }
  // Appends one item made of `parts`.
  void add(std::initializer_list<std::string_view> parts) {
    for (std::string_view part : parts) append(part);
    end_item();
  }
  // Appends to the item being made; end_item() ends it.
  void append(std::string_view part) { data_.append(part); }
  void end_item() { ends_.push_back(static_cast<uint32_t>(data_.size())); }
  // Records that the list had more than `limit` items, and holds none.
  void set_more_than(size_t limit);

  // Whether the list is whole; if not, it had more than more_than() items.
  bool complete() const { return complete_; }
  size_t more_than() const { return more_than_; }
  size_t size() const { return ends_.size(); }
  // The bytes the items take when encoded, about.
  size_t bytes() const { return data_.size() + ends_.size() * sizeof(uint32_t); }
  // Empties the list and frees its memory.
  void release() { *this = SharedItems(); }
  std::string_view at(size_t i) const {
    uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(data_).substr(begin, ends_[i] - begin);
  }

  // The bytes stored in the cache, and back; decode() is false for bytes
  // that are not an encoding.
  void encode(std::string* out) const;
  bool decode(std::string_view bytes);

 private:
  bool complete_ = true;
  uint32_t more_than_ = 0;
  std::string data_;
  std::vector<uint32_t> ends_;
};

}  // namespace agentauthz::core
