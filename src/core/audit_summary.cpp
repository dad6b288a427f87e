#include "core/audit_summary.h"

#include <utility>

namespace agentauthz::core {

AuditSummary::Entry& AuditSummary::entry(int32_t relation_key, int32_t type_key,
                                         std::string_view relation, std::string_view object_type) {
  if (last_ < entries_.size() && entries_[last_].relation_key == relation_key &&
      entries_[last_].type_key == type_key)
    return entries_[last_];
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].relation_key == relation_key && entries_[i].type_key == type_key) {
      last_ = i;
      return entries_[i];
    }
  }
  entries_.emplace_back();
  Entry& created = entries_.back();
  created.relation_key = relation_key;
  created.type_key = type_key;
  created.relation.assign(relation);
  created.object_type.assign(object_type);
  last_ = entries_.size() - 1;
  return created;
}

void AuditSummary::add(Entry& entry, bool allowed, std::string_view id) {
  if (allowed) {
    ++entry.allowed;
    if (entry.allowed_sample.size() < sample_size_) entry.allowed_sample.emplace_back(id);
  } else {
    ++entry.denied;
    if (entry.denied_sample.size() < sample_size_) entry.denied_sample.emplace_back(id);
  }
}

std::vector<AuditSummary::Entry> AuditSummary::take() {
  std::vector<Entry> out = std::move(entries_);
  entries_.clear();
  last_ = 0;
  return out;
}

}  // namespace agentauthz::core
