// Pieces shared by the model validator's passes. Not part of the core API.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/model_ast.h"

namespace agentauthz::core::model_validator_detail {

// Looks up types and relations of a model by name and numbers every
// relation densely. Built only after names are known to be unique; keeps
// views into the model, which must outlive it.
class ModelIndex {
 public:
  // Indexes model.
  explicit ModelIndex(const ModelAst& model);

  // Returns the type named name, or nullptr.
  const TypeAst* find_type(std::string_view name) const;

  // Returns relation `relation` of type `type`, or nullptr.
  const RelationAst* find_relation(std::string_view type, std::string_view relation) const;

  // Returns the dense id of relation `relation` of type `type`, or -1.
  int relation_id(std::string_view type, std::string_view relation) const;

  // Returns how many relations the model defines.
  int relation_count() const { return static_cast<int>(relations_.size()); }

  // Returns the relation with dense id id.
  const RelationAst& relation(int id) const { return *relations_[id].relation; }

  // Returns the type that defines the relation with dense id id.
  const TypeAst& type_of(int id) const { return *relations_[id].type; }

  // Returns the types that define a relation called name.
  const std::vector<const TypeAst*>& types_defining(std::string_view name) const;

  // Tells whether relation id is defined by a type restriction list alone
  // and lists the plain type `type` in it.
  bool lists_plain_type(int id, std::string_view type) const;

 private:
  struct Entry {
    const TypeAst* type;
    const RelationAst* relation;
    std::unordered_set<std::string_view> plain_types;  // of a `[...]`-only definition
  };
  struct TypeEntry {
    const TypeAst* type;
    std::unordered_map<std::string_view, int> relation_ids;
  };
  std::unordered_map<std::string_view, TypeEntry> types_;
  std::unordered_map<std::string_view, std::vector<const TypeAst*>> types_by_relation_name_;
  std::vector<Entry> relations_;
};

// Calls visit(type) for each plain type of tupleset relation tupleset_id's
// restriction list that defines a relation called name, until visit returns
// true; tells whether it did. Walks the shorter of the two lists, so that
// many `X from Y` over large types cost no more than the model's size.
template <typename Visit>
bool for_each_parent_defining(const ModelIndex& index, int tupleset_id, std::string_view name,
                              Visit visit) {
  const RelationAst& tupleset = index.relation(tupleset_id);
  if (!tupleset.rewrite) {
    return false;
  }
  const std::vector<DirectTypeAst>& restrictions = tupleset.rewrite->direct_types;
  const std::vector<const TypeAst*>& defining = index.types_defining(name);
  if (defining.size() <= restrictions.size()) {
    for (const TypeAst* type : defining) {
      if (index.lists_plain_type(tupleset_id, type->name) && visit(*type)) {
        return true;
      }
    }
    return false;
  }
  for (const DirectTypeAst& restriction : restrictions) {
    if (restriction.wildcard || !restriction.relation.empty()) {
      continue;
    }
    const TypeAst* type = index.find_type(restriction.type);
    if (type != nullptr && index.find_relation(restriction.type, name) != nullptr && visit(*type)) {
      return true;
    }
  }
  return false;
}

// One reference from a relation's definition to another relation of the
// same type (`define viewer: editor`), where it was written.
struct ComputedEdge {
  int target;
  SourcePos pos;
};

// For each relation id, the relations its definition computes from,
// outside `from` clauses and type restrictions.
using ComputedGraph = std::vector<std::vector<ComputedEdge>>;

// Throws a ModelError at pos.
[[noreturn]] void fail_at(SourcePos pos, const std::string& message);

// Quotes a name for a message, shortening very long ones.
std::string quote(std::string_view name);

// Formats the line of pos for "first defined at" notes.
std::string line_of(SourcePos pos);

// Explains why name (of the given kind and length limit) is not a valid
// name; the caller knows it is invalid.
std::string invalid_name_reason(std::string_view kind, std::string_view name,
                                std::size_t max_length);

// Spells a type restriction the way the DSL writes it, with its condition.
std::string restriction_text(const DirectTypeAst& restriction);

// Checks each condition on its own: name, parameters and their types, and
// that its expression compiles to a bool against them.
void check_condition_declarations(const ModelAst& model);

// Checks that every `with <condition>` names a declared condition.
void check_condition_references(const ModelAst& model);

// Checks that every declared condition is used by some type restriction.
void check_unused_conditions(const ModelAst& model);

// Checks type and relation names: syntax, length, reserved, duplicates.
void check_names(const ModelAst& model);

// Checks every definition's shape and references: types and relations
// exist, `from` is used on a directly assignable relation, no duplicates.
void check_references(const ModelAst& model, const ModelIndex& index);

// Collects the computed-relation references of every relation.
ComputedGraph build_computed_graph(const ModelIndex& index);

// Checks that every relation can be granted by some chain of tuples.
void check_entry_points(const ModelIndex& index, const ComputedGraph& graph);

// Tells whether following computed references from relation start leads
// into a cycle.
bool reaches_computed_cycle(const ComputedGraph& graph, int start);

// Checks that no relation depends on itself through computed references.
void check_computed_cycles(const ModelIndex& index, const ComputedGraph& graph);

}  // namespace agentauthz::core::model_validator_detail
