#include "core/audit_summary.h"

#include <utility>

namespace agentauthz::core {

// Returns the entry of (relation, type), trying the last one used first.
AuditSummary::Entry& AuditSummary::find_or_add(int32_t relation_key, int32_t type_key,
                                               std::string_view relation,
                                               std::string_view object_type) {
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
  bytes_ += sizeof(Entry) + relation.size() + object_type.size();
  return created;
}

std::vector<AuditSummary::Entry> AuditSummary::take() {
  std::vector<Entry> out = std::move(entries_);
  entries_.clear();
  last_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace agentauthz::core
