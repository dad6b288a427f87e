#include <utility>

#include "core/error.h"
#include "core/model_validator_internal.h"

namespace agentauthz::core::model_validator_detail {

// Indexes model.
ModelIndex::ModelIndex(const ModelAst& model) {
  for (const TypeAst& type : model.types) {
    TypeEntry entry{&type, {}};
    for (const RelationAst& relation : type.relations) {
      entry.relation_ids.emplace(relation.name, static_cast<int>(relations_.size()));
      types_by_relation_name_[relation.name].push_back(&type);
      Entry relation_entry{&type, &relation, {}};
      if (relation.rewrite && relation.rewrite->kind == RewriteKind::Direct) {
        for (const DirectTypeAst& restriction : relation.rewrite->direct_types) {
          if (!restriction.wildcard && restriction.relation.empty()) {
            relation_entry.plain_types.insert(restriction.type);
          }
        }
      }
      relations_.push_back(std::move(relation_entry));
    }
    types_.emplace(type.name, std::move(entry));
  }
}

// Returns the types that define a relation called name.
const std::vector<const TypeAst*>& ModelIndex::types_defining(std::string_view name) const {
  static const std::vector<const TypeAst*> kNone;
  auto it = types_by_relation_name_.find(name);
  return it == types_by_relation_name_.end() ? kNone : it->second;
}

// Tells whether relation id is defined by a type restriction list alone and
// lists the plain type `type` in it.
bool ModelIndex::lists_plain_type(int id, std::string_view type) const {
  return relations_[id].plain_types.count(type) != 0;
}

// Returns the type named name, or nullptr.
const TypeAst* ModelIndex::find_type(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.type;
}

// Returns relation `relation` of type `type`, or nullptr.
const RelationAst* ModelIndex::find_relation(std::string_view type,
                                             std::string_view relation) const {
  const int id = relation_id(type, relation);
  return id < 0 ? nullptr : relations_[id].relation;
}

// Returns the dense id of relation `relation` of type `type`, or -1.
int ModelIndex::relation_id(std::string_view type, std::string_view relation) const {
  auto type_it = types_.find(type);
  if (type_it == types_.end()) {
    return -1;
  }
  auto it = type_it->second.relation_ids.find(relation);
  return it == type_it->second.relation_ids.end() ? -1 : it->second;
}

// Throws a ModelError at pos.
void fail_at(SourcePos pos, const std::string& message) {
  throw ModelError(pos.line, pos.column, message);
}

// Quotes a name for a message, shortening very long ones.
std::string quote(std::string_view name) {
  constexpr std::size_t kMaxShown = 60;
  if (name.size() > kMaxShown) {
    return "'" + std::string(name.substr(0, kMaxShown)) + "...'";
  }
  return "'" + std::string(name) + "'";
}

}  // namespace agentauthz::core::model_validator_detail
