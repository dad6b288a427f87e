// Delegation scopes: a non-empty list of `relation@object` entries, where
// the object may be `type:*`. A scope allows (R, O) when evaluating R on O
// through the model, for a virtual subject standing for the delegation,
// reaches a node that an entry names (see Evaluator::scope_allows).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/interner.h"
#include "core/model.h"

namespace agentauthz::core {

struct ScopeEntry {
  std::string relation;
  std::string type;
  std::string id;  // "*" for every object of the type
};

// Parses one entry; throws Error(InvalidArgument) when malformed.
ScopeEntry parse_scope_entry(std::string_view text);
// Formats an entry back to `relation@type:id`.
std::string format_scope_entry(const ScopeEntry& entry);

// A scope resolved against a model: entries whose type or relation the
// model does not define can never match and are dropped.
struct ResolvedScope {
  struct Entry {
    TypeId type;
    RelationId relation;
    Symbol id;  // Interner::kWildcard for `type:*`
  };
  std::vector<Entry> entries;

  bool matches(TypeId type, Symbol id, RelationId relation) const {
    for (const Entry& e : entries)
      if (e.relation == relation && e.type == type && (e.id == Interner::kWildcard || e.id == id))
        return true;
    return false;
  }
  // Whether every object of `type` is within it for `relation` (a
  // `relation@type:*` entry): no object needs to be walked.
  bool covers_all(TypeId type, RelationId relation) const {
    return matches(type, Interner::kWildcard, relation);
  }
};

ResolvedScope resolve_scope(const std::vector<ScopeEntry>& entries, const Model& model,
                            Interner& interner);

}  // namespace agentauthz::core
