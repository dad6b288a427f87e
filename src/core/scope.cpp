#include "core/scope.h"

#include "core/error.h"
#include "core/tuple_key.h"

namespace agentauthz::core {

// Parses one scope entry, `relation@type:id` or `relation@type:*`.
ScopeEntry parse_scope_entry(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos)
    throw Error(ErrorKind::InvalidArgument, "invalid scope entry " + quote_for_message(text) +
                                                ": expected relation@type:id or relation@type:*");
  ScopeEntry entry;
  std::string_view relation = text.substr(0, at);
  std::string_view object = text.substr(at + 1);
  check_relation_name(relation);
  entry.relation = std::string(relation);
  size_t colon = object.find(':');
  if (colon != std::string_view::npos && object.substr(colon + 1) == "*") {
    check_type_name(object.substr(0, colon));
    entry.type = std::string(object.substr(0, colon));
    entry.id = "*";
  } else {
    ObjectKey key = parse_object(object);
    entry.type = std::string(key.type);
    entry.id = std::string(key.id);
  }
  return entry;
}

std::string format_scope_entry(const ScopeEntry& entry) {
  return entry.relation + "@" + entry.type + ":" + entry.id;
}

ResolvedScope resolve_scope(const std::vector<ScopeEntry>& entries, const Model& model,
                            Interner& interner) {
  ResolvedScope scope;
  for (const ScopeEntry& entry : entries) {
    TypeId type = model.find_type(entry.type);
    if (type < 0) continue;
    RelationId relation = model.find_relation(type, entry.relation);
    if (relation < 0) continue;
    scope.entries.push_back({type, relation, interner.intern(entry.id)});
  }
  return scope;
}

}  // namespace agentauthz::core
