#include "core/id_list.h"

#include <algorithm>

namespace agentauthz::core {

void IdList::add(std::string_view id) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i)
    prefix = prefix << 8 | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0u);
  entries_.push_back(Entry{prefix, bytes_.size(), id.size()});
  bytes_.append(id);
  longest_ = std::max(longest_, id.size());
}

void IdList::sort_unique() {
  // A smaller prefix is a smaller id: where the zero-padded prefixes
  // first differ, the larger holds a real byte and the smaller a smaller
  // byte or its end. Equal prefixes are compared in full.
  auto text = [&](const Entry& e) { return std::string_view(bytes_).substr(e.offset, e.length); };
  auto less = [&](const Entry& a, const Entry& b) {
    return a.prefix != b.prefix ? a.prefix < b.prefix : text(a) < text(b);
  };
  std::sort(entries_.begin(), entries_.end(), less);
  auto same = [&](const Entry& a, const Entry& b) {
    return a.prefix == b.prefix && text(a) == text(b);
  };
  entries_.erase(std::unique(entries_.begin(), entries_.end(), same), entries_.end());
}

}  // namespace agentauthz::core
