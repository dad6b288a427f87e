#include "core/shared_items.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace agentauthz::core {

namespace {

void append_u32(std::string* out, uint32_t value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

bool read_u32(std::string_view* bytes, uint32_t* value) {
  if (bytes->size() < sizeof(*value)) return false;
  std::memcpy(value, bytes->data(), sizeof(*value));
  bytes->remove_prefix(sizeof(*value));
  return true;
}

}  // namespace

void SharedItems::set_more_than(size_t limit) {
  clear();
  complete_ = false;
  more_than_ = static_cast<uint32_t>(std::min<size_t>(limit, std::numeric_limits<uint32_t>::max()));
}

// [complete][more_than][count][ends...][data], 4-byte integers.
void SharedItems::encode(std::string* out) const {
  out->clear();
  append_u32(out, complete_ ? 1 : 0);
  append_u32(out, more_than_);
  append_u32(out, static_cast<uint32_t>(ends_.size()));
  out->append(reinterpret_cast<const char*>(ends_.data()), ends_.size() * sizeof(uint32_t));
  out->append(data_);
}

bool SharedItems::decode(std::string_view bytes) {
  clear();
  uint32_t complete = 0;
  uint32_t count = 0;
  if (!read_u32(&bytes, &complete) || !read_u32(&bytes, &more_than_) || !read_u32(&bytes, &count))
    return false;
  complete_ = complete != 0;
  if (bytes.size() / sizeof(uint32_t) < count) return false;
  ends_.resize(count);
  if (count > 0) std::memcpy(ends_.data(), bytes.data(), count * sizeof(uint32_t));
  bytes.remove_prefix(count * sizeof(uint32_t));
  uint32_t previous = 0;
  for (uint32_t end : ends_) {
    if (end < previous || end > bytes.size()) return false;
    previous = end;
  }
  if (previous != bytes.size()) return false;
  data_.assign(bytes);
  return true;
}

}  // namespace agentauthz::core
