// One statement's decisions, counted per (relation, object type) with a
// bounded sample of the ids allowed and denied: what the `summary` audit
// level records instead of one row per object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::core {

class AuditSummary {
 public:
  struct Entry {
    int32_t relation_key = -1;  // the caller's ids for the names, compared instead of strings
    int32_t type_key = -1;
    std::string relation;
    std::string object_type;
    int64_t allowed = 0;
    int64_t denied = 0;
    std::vector<std::string> allowed_sample;
    std::vector<std::string> denied_sample;
  };

  explicit AuditSummary(size_t sample_size) : sample_size_(sample_size) {}

  // The entry for (relation, type), created on first use with their names.
  // The one used last is found first: a scan asks about one pair per row.
  Entry& entry(int32_t relation_key, int32_t type_key, std::string_view relation,
               std::string_view object_type) {
    if (last_ < entries_.size() && entries_[last_].relation_key == relation_key &&
        entries_[last_].type_key == type_key)
      return entries_[last_];
    return find_or_add(relation_key, type_key, relation, object_type);
  }
  // Whether the next decision of this kind still goes into the sample (the
  // caller formats the id only then).
  bool wants_sample(const Entry& entry, bool allowed) const {
    return (allowed ? entry.allowed_sample.size() : entry.denied_sample.size()) < sample_size_;
  }
  // Counts one decision; `id` is kept when the sample has room.
  void add(Entry& entry, bool allowed, std::string_view id) {
    std::vector<std::string>& sample = allowed ? entry.allowed_sample : entry.denied_sample;
    ++(allowed ? entry.allowed : entry.denied);
    if (sample.size() < sample_size_) {
      sample.emplace_back(id);
      bytes_ += sizeof(std::string) + id.size();
    }
  }

  bool empty() const { return entries_.empty(); }
  // About how much memory the entries hold: a statement deciding on many
  // distinct (relation, type) names hands its summary over in parts.
  size_t bytes() const { return bytes_; }
  // Hands over the entries and starts afresh.
  std::vector<Entry> take();

 private:
  Entry& find_or_add(int32_t relation_key, int32_t type_key, std::string_view relation,
                     std::string_view object_type);

  size_t sample_size_;
  size_t last_ = 0;  // the entry used last: an RLS scan asks one pair over and over
  size_t bytes_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace agentauthz::core
